//! The API's `code` field: an error's [`Declaration`] written as its code, documented as the
//! `ErrorCode` schema whose values, and the prose of each error status, come from the one
//! list of errors the API answers with ([`API_ERRORS`]).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type};
use sensei_core::ErrorDeclaration;

use crate::error::Declaration;

/// The schema's name in the OpenAPI document.
const SCHEMA_NAME: &str = "ErrorCode";

/// Every error the JSON API answers with (the pages' account, webhook and email-link errors
/// never reach it). A test checks that each error the API's handlers convert is listed.
pub const API_ERRORS: &[Declaration] = &[
    Declaration::BAD_REQUEST,
    Declaration::of(&ErrorDeclaration::INVALID_INPUT),
    Declaration::of(&ErrorDeclaration::UNAUTHENTICATED),
    Declaration::of(&ErrorDeclaration::INVALID_CREDENTIALS),
    Declaration::of(&ErrorDeclaration::INVALID_TOKEN),
    Declaration::of(&ErrorDeclaration::FORBIDDEN),
    Declaration::CSRF_REJECTED,
    Declaration::of(&ErrorDeclaration::NOT_FOUND),
    Declaration::METHOD_NOT_ALLOWED,
    Declaration::of(&ErrorDeclaration::CONFLICT),
    Declaration::of(&ErrorDeclaration::HELD_BY_OTHER),
    Declaration::of(&ErrorDeclaration::NOT_HELD),
    Declaration::of(&ErrorDeclaration::SESSION_CLOSED),
    Declaration::PAYLOAD_TOO_LARGE,
    Declaration::UNSUPPORTED_MEDIA_TYPE,
    Declaration::of(&ErrorDeclaration::INELIGIBLE),
    Declaration::of(&ErrorDeclaration::INVALID_NOTES),
    Declaration::of(&ErrorDeclaration::CLAIM_LIMIT),
    Declaration::of(&ErrorDeclaration::INVALID_REASON),
    Declaration::of(&ErrorDeclaration::INVALID_MEETING),
    Declaration::of(&ErrorDeclaration::TOO_MANY_OPEN_SESSIONS),
    Declaration::of(&ErrorDeclaration::REFUSED),
    Declaration::RATE_LIMITED,
    Declaration::of(&ErrorDeclaration::UNAVAILABLE),
    Declaration::of(&ErrorDeclaration::INTERNAL),
];

/// A stable, machine-readable error code: written as the declaration's code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorCode(pub Declaration);

/// The API's error codes by status, each code once, in the order of [`API_ERRORS`].
fn codes_by_status() -> BTreeMap<u16, Vec<&'static Declaration>> {
    let mut by_status: BTreeMap<u16, Vec<&'static Declaration>> = BTreeMap::new();
    for declaration in API_ERRORS {
        let codes = by_status.entry(declaration.status().as_u16()).or_default();
        if codes.iter().all(|known| known.code() != declaration.code()) {
            codes.push(declaration);
        }
    }
    by_status
}

/// What an error status means, for the OpenAPI document: its codes and their meanings.
pub fn describe_status(status: u16) -> &'static str {
    static PROSE: OnceLock<BTreeMap<u16, String>> = OnceLock::new();
    PROSE
        .get_or_init(|| {
            codes_by_status()
                .into_iter()
                .map(|(status, codes)| {
                    let listed: Vec<String> = codes
                        .iter()
                        .map(|declaration| {
                            format!("`{}`: {}", declaration.code(), declaration.meaning())
                        })
                        .collect();
                    (status, format!("{}.", listed.join("; ")))
                })
                .collect()
        })
        .get(&status)
        .map_or("An error.", String::as_str)
}

/// Every code with its status, for the API's description: "`bad_request` and
/// `invalid_input` (400), ...".
pub fn codes_summary() -> String {
    let groups: Vec<String> = codes_by_status()
        .into_iter()
        .map(|(status, codes)| {
            let names: Vec<String> = codes
                .iter()
                .map(|declaration| format!("`{}`", declaration.code()))
                .collect();
            let names = match names.split_last() {
                Some((last, rest)) if !rest.is_empty() => {
                    format!("{} and {last}", rest.join(", "))
                }
                _ => names.join(""),
            };
            format!("{names} ({status})")
        })
        .collect();
    groups.join(", ")
}

/// The schema's description: what a code is and each code's meaning and status.
fn schema_description() -> &'static str {
    static DESCRIPTION: OnceLock<String> = OnceLock::new();
    DESCRIPTION.get_or_init(|| {
        let mut text = String::from(
            "A stable, machine-readable error code. New codes may be added; existing ones keep \
             their meaning.\n",
        );
        for (status, codes) in codes_by_status() {
            for declaration in codes {
                text.push_str(&format!(
                    "\n- `{}` ({status}): {}.",
                    declaration.code(),
                    declaration.meaning()
                ));
            }
        }
        text
    })
}

impl Type for ErrorCode {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        Cow::Borrowed(SCHEMA_NAME)
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Reference(SCHEMA_NAME.to_owned())
    }

    fn register(registry: &mut Registry) {
        registry.create_schema::<Self, _>(SCHEMA_NAME.to_owned(), |_| MetaSchema {
            description: Some(schema_description()),
            enum_items: codes_by_status()
                .into_values()
                .flatten()
                .map(|declaration| serde_json::Value::String(declaration.code().to_owned()))
                .collect(),
            ..MetaSchema::new("string")
        });
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ToJSON for ErrorCode {
    fn to_json(&self) -> Option<serde_json::Value> {
        Some(serde_json::Value::String(self.0.code().to_owned()))
    }
}

/// For clients of this crate that read an error body back (tests); the service itself only
/// writes codes.
impl ParseFromJSON for ErrorCode {
    fn parse_from_json(value: Option<serde_json::Value>) -> ParseResult<Self> {
        let value = value.unwrap_or_default();
        value
            .as_str()
            .and_then(|code| API_ERRORS.iter().find(|known| known.code() == code))
            .map(|declaration| ErrorCode(*declaration))
            .ok_or_else(|| ParseError::expected_type(value.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_the_api_declares_is_described_by_its_codes() {
        assert!(describe_status(409).contains("`held_by_other`"));
        assert!(describe_status(400).contains("`invalid_input`"));
        assert!(describe_status(422).contains("`ineligible`"));
        assert_eq!(describe_status(418), "An error.");
        assert!(codes_summary().contains("`bad_request` and `invalid_input` (400)"));
    }
}
