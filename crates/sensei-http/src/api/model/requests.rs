//! Request bodies that carry people's text: completion notes and cancellation reasons.

use std::borrow::Cow;

use poem_openapi::registry::MetaSchemaRef;
use poem_openapi::types::{ParseError, ParseFromJSON, ParseResult, ToJSON, Type};
use poem_openapi::Object;

/// Cancels a session.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "Cancellation")]
pub struct CancellationRequest {
    /// Why: trimmed, blank means none, at most 500 characters (longer is refused with 422
    /// `invalid_reason` and nothing changes).
    pub reason: Option<StrictString>,
}

/// Completes a session.
#[derive(Debug, Clone, PartialEq, Eq, Object)]
#[oai(rename = "Completion")]
pub struct CompletionRequest {
    /// The instructors' private notes (never shown to the student): trimmed, blank means
    /// none, at most 10,000 characters (longer notes are refused with 422 `invalid_notes` and
    /// nothing is saved). Only a JSON string (or null): a number or a boolean is 400
    /// `bad_request`, not stored as text.
    pub notes: Option<StrictString>,
    /// Notes for the student, shown on their own pages: the same rules as `notes`.
    pub student_notes: Option<StrictString>,
}

/// A JSON string and nothing else. poem-openapi's `String` also accepts numbers and booleans
/// (`5` becomes `"5"`); request fields that hold user text use this instead, so such a body is
/// refused with 400 `bad_request`. Documented as `string`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StrictString(pub String);

impl Type for StrictString {
    const IS_REQUIRED: bool = true;
    type RawValueType = Self;
    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        String::name()
    }

    fn schema_ref() -> MetaSchemaRef {
        String::schema_ref()
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl ParseFromJSON for StrictString {
    fn parse_from_json(value: Option<serde_json::Value>) -> ParseResult<Self> {
        match value {
            Some(serde_json::Value::String(text)) => Ok(StrictString(text)),
            other => Err(ParseError::expected_type(other.unwrap_or_default())),
        }
    }
}

impl ToJSON for StrictString {
    fn to_json(&self) -> Option<serde_json::Value> {
        Some(serde_json::Value::String(self.0.clone()))
    }
}
