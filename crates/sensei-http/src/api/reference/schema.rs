//! Types in words: a schema becomes a short label ("array of Booking", "integer (int32)")
//! whose named schemas link to their section, and each named schema becomes a section with
//! its members or values.

use std::collections::HashMap;

use serde_json::Value;

use super::anchors::Anchors;
use super::document::{Ordered, Schema};
use super::prose::{paragraphs, Paragraph};

/// A piece of a type label: text, linked to a schema's section when `anchor` is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelPart {
    /// What is shown.
    pub text: String,
    /// The section it links to.
    pub anchor: Option<String>,
}

/// A type in words.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypeLabel {
    /// Its pieces, in order.
    pub parts: Vec<LabelPart>,
}

impl TypeLabel {
    /// Appends plain text, joined to the previous plain piece.
    fn text(&mut self, text: &str) {
        match self.parts.last_mut() {
            Some(last) if last.anchor.is_none() => last.text.push_str(text),
            _ => self.parts.push(LabelPart {
                text: text.to_owned(),
                anchor: None,
            }),
        }
    }

    /// Appends a schema's name, linked when the page has its section.
    fn name(&mut self, name: &str, anchor: Option<&String>) {
        match anchor {
            Some(anchor) => self.parts.push(LabelPart {
                text: name.to_owned(),
                anchor: Some(anchor.clone()),
            }),
            None => self.text(name),
        }
    }
}

/// One member of an object schema.
#[derive(Debug, Clone)]
pub struct PropertyView {
    /// Its name.
    pub name: String,
    /// Its type.
    pub label: TypeLabel,
    /// Whether the object always has it.
    pub required: bool,
    /// What it means.
    pub about: Vec<Paragraph>,
}

/// A named schema's section.
#[derive(Debug, Clone)]
pub struct SchemaView {
    /// Its name.
    pub name: String,
    /// Its section's identifier.
    pub anchor: String,
    /// What it is.
    pub about: Vec<Paragraph>,
    /// Its type (`object`, `string`, …).
    pub shape: TypeLabel,
    /// The values it allows, when it lists them.
    pub values: Vec<String>,
    /// Its members, when it is an object.
    pub properties: Vec<PropertyView>,
}

/// The document's named schemas and their sections' identifiers.
#[derive(Debug, Default)]
pub struct Schemas {
    anchors: HashMap<String, String>,
}

impl Schemas {
    /// Gives every named schema an identifier.
    pub fn new(named: &Ordered<Schema>, anchors: &mut Anchors) -> Schemas {
        let anchors = named
            .0
            .iter()
            .map(|(name, _)| (name.clone(), anchors.make("schema", name)))
            .collect();
        Schemas { anchors }
    }

    /// The sections of the named schemas, in the document's order.
    pub fn views(&self, named: &Ordered<Schema>) -> Vec<SchemaView> {
        named
            .0
            .iter()
            .filter_map(|(name, schema)| {
                let anchor = self.anchors.get(name)?.clone();
                Some(self.view(name, anchor, schema))
            })
            .collect()
    }

    /// A type label for `schema`.
    pub fn label(&self, schema: &Schema) -> TypeLabel {
        let mut label = TypeLabel::default();
        self.describe(schema, true, &mut label);
        label
    }

    /// One named schema's section.
    fn view(&self, name: &str, anchor: String, schema: &Schema) -> SchemaView {
        let mut shape = TypeLabel::default();
        // Its values get a list of their own, so the label leaves them out.
        self.describe(schema, false, &mut shape);
        let properties = schema
            .properties
            .0
            .iter()
            .map(|(member, property)| PropertyView {
                name: member.clone(),
                label: self.label(property),
                required: schema.required.contains(member),
                about: description(property).map(paragraphs).unwrap_or_default(),
            })
            .collect();
        SchemaView {
            name: name.to_owned(),
            anchor,
            about: description(schema).map(paragraphs).unwrap_or_default(),
            shape,
            values: schema.values.iter().map(value_text).collect(),
            properties,
        }
    }

    /// Writes `schema` into `label`, with its allowed values when `with_values`.
    fn describe(&self, schema: &Schema, with_values: bool, label: &mut TypeLabel) {
        if let Some(reference) = &schema.reference {
            let name = reference.rsplit('/').next().unwrap_or(reference);
            label.name(name, self.anchors.get(name));
        } else if !schema.all_of.is_empty() {
            self.join(&schema.all_of, "", " and ", label);
        } else if !schema.one_of.is_empty() {
            self.join(&schema.one_of, "one of ", ", ", label);
        } else if !schema.any_of.is_empty() {
            self.join(&schema.any_of, "any of ", ", ", label);
        } else if schema.kind == Some(Value::from("array")) {
            label.text("array");
            if let Some(items) = &schema.items {
                label.text(" of ");
                self.describe(items, true, label);
            }
        } else {
            label.text(&kind_text(schema));
            if let Some(format) = &schema.format {
                label.text(&format!(" ({format})"));
            }
            if with_values && !schema.values.is_empty() {
                let values: Vec<String> = schema.values.iter().map(value_text).collect();
                label.text(&format!(": one of {}", values.join(", ")));
            }
        }
        if schema.nullable {
            label.text(" or null");
        }
    }

    /// Writes the members of a composition that say something about the type (poem-openapi
    /// adds description-only members to describe a reference).
    fn join(&self, members: &[Schema], lead: &str, separator: &str, label: &mut TypeLabel) {
        let typed: Vec<&Schema> = members.iter().filter(|s| !is_description_only(s)).collect();
        if typed.is_empty() {
            label.text("any");
            return;
        }
        if typed.len() > 1 {
            label.text(lead);
        }
        for (index, member) in typed.into_iter().enumerate() {
            if index > 0 {
                label.text(separator);
            }
            self.describe(member, true, label);
        }
    }
}

/// A schema's description, or that of the description-only member describing a reference.
fn description(schema: &Schema) -> Option<&str> {
    schema.description.as_deref().or_else(|| {
        schema
            .all_of
            .iter()
            .find_map(|member| member.description.as_deref())
    })
}

/// Whether a schema only describes (no type, reference, values or members).
fn is_description_only(schema: &Schema) -> bool {
    let bare = Schema {
        description: None,
        ..schema.clone()
    };
    bare == Schema::default()
}

/// `type` in words: `string`, `string or null` (a 3.1 list), `object` for members without a
/// type, `any` when nothing says.
fn kind_text(schema: &Schema) -> String {
    match &schema.kind {
        Some(Value::String(kind)) => kind.clone(),
        Some(Value::Array(kinds)) => kinds
            .iter()
            .map(value_text)
            .collect::<Vec<_>>()
            .join(" or "),
        _ if !schema.properties.0.is_empty() => "object".to_owned(),
        _ => "any".to_owned(),
    }
}

/// A JSON value as a reader writes it: strings without quotes, the rest as JSON.
fn value_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(json: &str) -> Schema {
        serde_json::from_str(json).unwrap()
    }

    fn named() -> Ordered<Schema> {
        serde_json::from_str(
            r##"{"Booking": {"type": "object", "description": "A booking.",
                 "required": ["outcome"],
                 "properties": {"outcome": {"description": "What happened.",
                   "allOf": [{"$ref": "#/components/schemas/Outcome"}, {"description": "What happened."}]},
                   "note": {"type": "string", "nullable": true}}},
                "Outcome": {"type": "string", "enum": ["created", "duplicate"]}}"##,
        )
        .unwrap()
    }

    fn words(label: &TypeLabel) -> String {
        label.parts.iter().map(|part| part.text.as_str()).collect()
    }

    #[test]
    fn labels_name_types_formats_arrays_and_references() {
        let schemas = Schemas::new(&named(), &mut Anchors::default());
        let integer = schemas.label(&schema(r#"{"type": "integer", "format": "int32"}"#));
        assert_eq!(words(&integer), "integer (int32)");
        let list = schemas.label(&schema(
            r##"{"type": "array", "items": {"$ref": "#/components/schemas/Booking"}}"##,
        ));
        assert_eq!(words(&list), "array of Booking");
        assert_eq!(list.parts[1].anchor.as_deref(), Some("schema-Booking"));
        let unknown = schemas.label(&schema(r##"{"$ref": "#/components/schemas/Nowhere"}"##));
        assert_eq!(words(&unknown), "Nowhere");
        assert_eq!(
            unknown.parts[0].anchor, None,
            "no link to a missing section"
        );
        let choice = schemas.label(&schema(r#"{"type": "string", "enum": ["a", 1]}"#));
        assert_eq!(words(&choice), "string: one of a, 1");
        let either = schemas.label(&schema(
            r#"{"oneOf": [{"type": "string"}, {"type": "integer"}], "nullable": true}"#,
        ));
        assert_eq!(words(&either), "one of string, integer or null");
        assert_eq!(words(&schemas.label(&Schema::default())), "any");
    }

    #[test]
    fn named_schemas_get_sections_with_members_and_values() {
        let named = named();
        let schemas = Schemas::new(&named, &mut Anchors::default());
        let views = schemas.views(&named);
        assert_eq!(views.len(), 2);
        let booking = &views[0];
        assert_eq!(booking.anchor, "schema-Booking");
        assert_eq!(words(&booking.shape), "object");
        assert_eq!(booking.properties.len(), 2);
        let outcome = &booking.properties[0];
        assert_eq!(words(&outcome.label), "Outcome", "the described reference");
        assert!(outcome.required);
        assert_eq!(outcome.about[0].spans[0].text, "What happened.");
        assert_eq!(words(&booking.properties[1].label), "string or null");
        assert!(!booking.properties[1].required);
        let values = &views[1];
        assert_eq!(words(&values.shape), "string", "values listed apart");
        assert_eq!(values.values, ["created", "duplicate"]);
    }
}
