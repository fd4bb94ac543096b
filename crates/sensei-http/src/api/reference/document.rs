//! The part of an OpenAPI 3 document that the reference page shows, read with serde.
//!
//! Every field is optional or defaulted: a member the page does not know is ignored and a
//! missing one renders as nothing, so only a document that is not JSON (or whose shapes are
//! wrong) fails. Objects whose order means something to a reader (paths, responses,
//! properties) keep the document's order; serde_json's own map would sort them.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

/// A JSON object's members in the order the document wrote them.
#[derive(Debug, Clone, PartialEq)]
pub struct Ordered<V>(pub Vec<(String, V)>);

impl<V> Default for Ordered<V> {
    fn default() -> Self {
        Ordered(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Ordered<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        /// Collects the members one by one, as they come.
        struct Members<V>(PhantomData<V>);

        impl<'de, V: Deserialize<'de>> Visitor<'de> for Members<V> {
            type Value = Ordered<V>;

            fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
                formatter.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered<V>, A::Error> {
                // The hint comes from the input: capped so a lying one cannot reserve much.
                let mut members = Vec::with_capacity(map.size_hint().unwrap_or(0).min(64));
                while let Some(member) = map.next_entry()? {
                    members.push(member);
                }
                Ok(Ordered(members))
            }
        }

        deserializer.deserialize_map(Members(PhantomData))
    }
}

/// The whole document.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Document {
    /// Title, version, description.
    pub info: Info,
    /// Where the paths are mounted; the first one is used.
    pub servers: Vec<Server>,
    /// The tags' descriptions, in the document's order.
    pub tags: Vec<Tag>,
    /// Every path with its operations.
    pub paths: Ordered<PathItem>,
    /// The named schemas the operations refer to.
    pub components: Components,
    /// The security requirements of operations that state none.
    pub security: Option<Vec<Ordered<Vec<String>>>>,
}

/// `info`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Info {
    /// The API's name.
    pub title: String,
    /// The API's version.
    pub version: String,
    /// What the API is for (CommonMark in the specification; see `prose`).
    pub description: Option<String>,
}

/// One `servers` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Server {
    /// Its URL, possibly relative (`/api/v1`).
    pub url: String,
}

/// One `tags` entry.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Tag {
    /// The name operations refer to.
    pub name: String,
    /// What the group is about.
    pub description: Option<String>,
}

/// A path's operations, one per method.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PathItem {
    /// `GET`.
    pub get: Option<Operation>,
    /// `PUT`.
    pub put: Option<Operation>,
    /// `POST`.
    pub post: Option<Operation>,
    /// `DELETE`.
    pub delete: Option<Operation>,
    /// `OPTIONS`.
    pub options: Option<Operation>,
    /// `HEAD`.
    pub head: Option<Operation>,
    /// `PATCH`.
    pub patch: Option<Operation>,
    /// `TRACE`.
    pub trace: Option<Operation>,
}

impl PathItem {
    /// The operations with their methods, in the conventional reading order.
    pub fn operations(&self) -> impl Iterator<Item = (&'static str, &Operation)> {
        [
            ("GET", &self.get),
            ("POST", &self.post),
            ("PUT", &self.put),
            ("PATCH", &self.patch),
            ("DELETE", &self.delete),
            ("HEAD", &self.head),
            ("OPTIONS", &self.options),
            ("TRACE", &self.trace),
        ]
        .into_iter()
        .filter_map(|(method, operation)| operation.as_ref().map(|op| (method, op)))
    }
}

/// One operation.
#[derive(Debug, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Operation {
    /// The groups it belongs to; the first one places it on the page.
    pub tags: Vec<String>,
    /// One line.
    pub summary: Option<String>,
    /// The rest.
    pub description: Option<String>,
    /// Its unique name.
    pub operation_id: Option<String>,
    /// Whether clients should stop using it.
    pub deprecated: bool,
    /// Path, query, header and cookie parameters.
    pub parameters: Vec<Parameter>,
    /// What it reads.
    pub request_body: Option<RequestBody>,
    /// What it answers, by status.
    pub responses: Ordered<Response>,
    /// Its own security requirements (`[]` means none), else the document's.
    pub security: Option<Vec<Ordered<Vec<String>>>>,
}

/// One parameter.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Parameter {
    /// Its name.
    pub name: String,
    /// Where: `path`, `query`, `header` or `cookie`.
    #[serde(rename = "in")]
    pub location: String,
    /// What it means.
    pub description: Option<String>,
    /// Whether a request must carry it.
    pub required: bool,
    /// Whether clients should stop sending it.
    pub deprecated: bool,
    /// Its type.
    pub schema: Option<Schema>,
}

/// A request body.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RequestBody {
    /// What it is.
    pub description: Option<String>,
    /// Its types by media type.
    pub content: Ordered<MediaType>,
    /// Whether a request must carry it.
    pub required: bool,
}

/// A response.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Response {
    /// When and why it is sent.
    pub description: String,
    /// Its body types by media type.
    pub content: Ordered<MediaType>,
}

/// A body's type for one media type.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MediaType {
    /// The body's schema.
    pub schema: Option<Schema>,
}

/// `components`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Components {
    /// The named schemas.
    pub schemas: Ordered<Schema>,
}

/// A schema: the members the page describes types with.
#[derive(Debug, Default, Clone, PartialEq, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Schema {
    /// A reference to a named schema (`#/components/schemas/Name`).
    #[serde(rename = "$ref")]
    pub reference: Option<String>,
    /// `string`, `integer`, `object`, … (a list of them in OpenAPI 3.1).
    #[serde(rename = "type")]
    pub kind: Option<Value>,
    /// `int32`, `date-time`, ….
    pub format: Option<String>,
    /// What it means.
    pub description: Option<String>,
    /// The allowed values.
    #[serde(rename = "enum")]
    pub values: Vec<Value>,
    /// An array's elements.
    pub items: Option<Box<Schema>>,
    /// An object's members.
    pub properties: Ordered<Schema>,
    /// The members an object must have.
    pub required: Vec<String>,
    /// Schemas a value matches all of (poem-openapi wraps a described reference in one).
    pub all_of: Vec<Schema>,
    /// Schemas a value matches exactly one of.
    pub one_of: Vec<Schema>,
    /// Schemas a value matches at least one of.
    pub any_of: Vec<Schema>,
    /// Whether `null` is allowed too (OpenAPI 3.0).
    pub nullable: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_keep_the_documents_order() {
        let read: Ordered<u8> = serde_json::from_str(r#"{"b": 1, "a": 2, "c": 3}"#).unwrap();
        let names: Vec<&str> = read.0.iter().map(|(name, _)| name.as_str()).collect();
        assert_eq!(names, ["b", "a", "c"]);
    }

    #[test]
    fn unknown_members_are_ignored_and_missing_ones_defaulted() {
        let document: Document =
            serde_json::from_str(r#"{"openapi": "3.0.0", "x-extra": true, "paths": {"/a": {}}}"#)
                .unwrap();
        assert_eq!(document.paths.0.len(), 1);
        assert!(document.info.title.is_empty());
        assert!(document.servers.is_empty());
    }

    #[test]
    fn a_path_lists_its_operations_in_reading_order() {
        let item: PathItem =
            serde_json::from_str(r#"{"delete": {}, "get": {}, "post": {}, "parameters": []}"#)
                .unwrap();
        let methods: Vec<&str> = item.operations().map(|(method, _)| method).collect();
        assert_eq!(methods, ["GET", "POST", "DELETE"]);
    }
}
