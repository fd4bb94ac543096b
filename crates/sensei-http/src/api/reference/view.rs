//! What the reference page shows, read from the document: the operations grouped by their
//! first tag (groups in the order the paths first use them), each with its method, full path,
//! summary, description, parameters, request body, responses and security; then the named
//! schemas.

use super::anchors::Anchors;
use super::document::{Document, MediaType, Operation, Ordered};
use super::prose::{paragraphs, Paragraph};
use super::schema::{SchemaView, Schemas, TypeLabel};

/// The group of operations that have no tag.
const UNTAGGED: &str = "Other";

/// The whole page.
#[derive(Debug)]
pub struct ReferenceView {
    /// The API's name.
    pub title: String,
    /// Its version.
    pub version: String,
    /// Where the paths are mounted (`/api/v1`).
    pub base: String,
    /// Its description.
    pub about: Vec<Paragraph>,
    /// The operations by group.
    pub groups: Vec<GroupView>,
    /// The named schemas.
    pub schemas: Vec<SchemaView>,
}

/// One tag's operations.
#[derive(Debug)]
pub struct GroupView {
    /// The tag in words (`ScheduledSessions` is "Scheduled sessions").
    pub title: String,
    /// Its section's identifier.
    pub anchor: String,
    /// The tag's description.
    pub about: Vec<Paragraph>,
    /// Its operations, in the document's order.
    pub operations: Vec<OperationView>,
}

/// One operation.
#[derive(Debug)]
pub struct OperationView {
    /// Its section's identifier.
    pub anchor: String,
    /// Its `operationId` (empty when it has none).
    pub id: String,
    /// `GET`, `POST`, ….
    pub method: &'static str,
    /// The method in lower case, for the badge's class.
    pub method_class: String,
    /// The full path, mount point included.
    pub path: String,
    /// Its one line (the method and path when it has none).
    pub summary: String,
    /// The rest.
    pub about: Vec<Paragraph>,
    /// Whether clients should stop using it.
    pub deprecated: bool,
    /// Its parameters.
    pub parameters: Vec<ParameterView>,
    /// Its request body.
    pub body: Option<BodyView>,
    /// Its responses, in the document's order.
    pub responses: Vec<ResponseView>,
    /// Its security requirements in words (empty when none).
    pub security: Vec<String>,
}

/// One parameter.
#[derive(Debug)]
pub struct ParameterView {
    /// Its name.
    pub name: String,
    /// `path`, `query`, `header` or `cookie`.
    pub location: String,
    /// Its type.
    pub label: TypeLabel,
    /// Whether a request must carry it.
    pub required: bool,
    /// Whether clients should stop sending it.
    pub deprecated: bool,
    /// What it means.
    pub about: Vec<Paragraph>,
}

/// A request body.
#[derive(Debug)]
pub struct BodyView {
    /// Whether a request must carry it.
    pub required: bool,
    /// What it is.
    pub about: Vec<Paragraph>,
    /// Its types by media type.
    pub media: Vec<MediaView>,
}

/// A body's type for one media type.
#[derive(Debug)]
pub struct MediaView {
    /// `application/json; charset=utf-8`, ….
    pub media_type: String,
    /// Its schema (`any` when the document gives none).
    pub label: TypeLabel,
}

/// One response.
#[derive(Debug)]
pub struct ResponseView {
    /// `200`, `4XX`, `default`.
    pub status: String,
    /// When and why it is sent.
    pub about: Vec<Paragraph>,
    /// Its bodies by media type (empty for none).
    pub media: Vec<MediaView>,
}

impl ReferenceView {
    /// Reads the page out of the document.
    pub fn new(document: &Document) -> ReferenceView {
        let mut anchors = Anchors::default();
        let schemas = Schemas::new(&document.components.schemas, &mut anchors);
        let base = document
            .servers
            .first()
            .map(|server| server.url.trim_end_matches('/').to_owned())
            .unwrap_or_default();
        // Each group with the tag it was made for, in the order the paths first use them.
        let mut groups: Vec<(&str, GroupView)> = Vec::new();
        for (path, item) in &document.paths.0 {
            for (method, operation) in item.operations() {
                let tag = operation.tags.first().map_or(UNTAGGED, |tag| tag.as_str());
                let view = operation_view(
                    method,
                    &format!("{base}{path}"),
                    operation,
                    document,
                    &schemas,
                    &mut anchors,
                );
                match groups.iter_mut().find(|(name, _)| *name == tag) {
                    Some((_, group)) => group.operations.push(view),
                    None => {
                        let mut group = group_view(tag, document, &mut anchors);
                        group.operations.push(view);
                        groups.push((tag, group));
                    }
                }
            }
        }
        ReferenceView {
            title: document.info.title.clone(),
            version: document.info.version.clone(),
            base,
            about: about(document.info.description.as_deref()),
            groups: groups.into_iter().map(|(_, group)| group).collect(),
            schemas: schemas.views(&document.components.schemas),
        }
    }
}

/// A description's paragraphs (none when it has none).
fn about(description: Option<&str>) -> Vec<Paragraph> {
    description.map(paragraphs).unwrap_or_default()
}

/// A new, empty group for `tag`, described as the document's `tags` describe it.
fn group_view(tag: &str, document: &Document, anchors: &mut Anchors) -> GroupView {
    let description = document
        .tags
        .iter()
        .find(|known| known.name == tag)
        .and_then(|known| known.description.as_deref());
    GroupView {
        title: words(tag),
        anchor: anchors.make("tag", tag),
        about: about(description),
        operations: Vec::new(),
    }
}

/// One operation's section.
fn operation_view(
    method: &'static str,
    path: &str,
    operation: &Operation,
    document: &Document,
    schemas: &Schemas,
    anchors: &mut Anchors,
) -> OperationView {
    let id = operation.operation_id.clone().unwrap_or_default();
    let anchor = if id.is_empty() {
        anchors.make("op", &format!("{method}-{path}"))
    } else {
        anchors.make("op", &id)
    };
    let parameters = operation
        .parameters
        .iter()
        .map(|parameter| ParameterView {
            name: parameter.name.clone(),
            location: parameter.location.clone(),
            label: parameter
                .schema
                .as_ref()
                .map(|schema| schemas.label(schema))
                .unwrap_or_else(|| schemas.label(&Default::default())),
            required: parameter.required,
            deprecated: parameter.deprecated,
            about: about(parameter.description.as_deref()),
        })
        .collect();
    let body = operation.request_body.as_ref().map(|body| BodyView {
        required: body.required,
        about: about(body.description.as_deref()),
        media: media(&body.content, schemas),
    });
    let responses = operation
        .responses
        .0
        .iter()
        .map(|(status, response)| ResponseView {
            status: status.clone(),
            about: about(Some(&response.description)),
            media: media(&response.content, schemas),
        })
        .collect();
    let security = operation
        .security
        .as_ref()
        .or(document.security.as_ref())
        .map(|requirements| requirements.iter().map(requirement_text).collect())
        .unwrap_or_default();
    OperationView {
        anchor,
        id,
        method,
        method_class: method.to_ascii_lowercase(),
        path: path.to_owned(),
        summary: operation
            .summary
            .clone()
            .filter(|summary| !summary.trim().is_empty())
            .unwrap_or_else(|| format!("{method} {path}")),
        about: about(operation.description.as_deref()),
        deprecated: operation.deprecated,
        parameters,
        body,
        responses,
        security,
    }
}

/// A body's types by media type.
fn media(content: &Ordered<MediaType>, schemas: &Schemas) -> Vec<MediaView> {
    content
        .0
        .iter()
        .map(|(media_type, media)| MediaView {
            media_type: media_type.clone(),
            label: schemas.label(&media.schema.clone().unwrap_or_default()),
        })
        .collect()
}

/// One security requirement in words: every scheme it needs, with its scopes; an empty one
/// means the operation may also be called without credentials.
fn requirement_text(requirement: &Ordered<Vec<String>>) -> String {
    if requirement.0.is_empty() {
        return "none".to_owned();
    }
    requirement
        .0
        .iter()
        .map(|(scheme, scopes)| {
            if scopes.is_empty() {
                scheme.clone()
            } else {
                format!("{scheme} ({})", scopes.join(", "))
            }
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

/// A tag in words: `ScheduledSessions` is "Scheduled sessions" (a space where a capital
/// follows a small letter; the capital is lowered when a small letter follows it, so
/// acronyms stay whole).
fn words(tag: &str) -> String {
    let chars: Vec<char> = tag.chars().collect();
    let mut spoken = String::with_capacity(tag.len() + 4);
    for (index, &c) in chars.iter().enumerate() {
        let after_small = index > 0 && chars[index - 1].is_lowercase();
        if after_small && c.is_uppercase() {
            spoken.push(' ');
            let before_small = chars.get(index + 1).is_some_and(|next| next.is_lowercase());
            if before_small {
                spoken.extend(c.to_lowercase());
                continue;
            }
        }
        spoken.push(c);
    }
    spoken
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOCUMENT: &str = r##"{
      "info": {"title": "T", "version": "1", "description": "Intro.\n\n**Auth**: `cookie`."},
      "servers": [{"url": "/api/v1/"}],
      "tags": [{"name": "ScheduledSessions", "description": "Queue."}],
      "security": [{"cookie": []}],
      "paths": {
        "/z": {"post": {"tags": ["ScheduledSessions"], "operationId": "makeZ",
                 "summary": "Make z",
                 "parameters": [{"name": "id", "in": "path", "required": true,
                                 "schema": {"type": "integer", "format": "int32"}}],
                 "requestBody": {"required": true, "content": {"application/json":
                   {"schema": {"$ref": "#/components/schemas/Z"}}}},
                 "responses": {"201": {"description": "Made."}, "200": {"description": "Found.",
                   "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Z"}}}}}},
               "get": {"operationId": "readZ", "security": [],
                 "responses": {"200": {"description": "Z."}}}},
        "/a": {"get": {"tags": ["ScheduledSessions"], "operationId": "readA",
                 "security": [{"oauth": ["read", "write"], "key": []}, {}],
                 "responses": {}}}
      },
      "components": {"schemas": {"Z": {"type": "object"}}}
    }"##;

    fn view() -> ReferenceView {
        ReferenceView::new(&serde_json::from_str(DOCUMENT).unwrap())
    }

    #[test]
    fn operations_are_grouped_by_first_tag_in_path_order() {
        let page = view();
        assert_eq!(page.base, "/api/v1");
        let titles: Vec<&str> = page.groups.iter().map(|g| g.title.as_str()).collect();
        assert_eq!(
            titles,
            ["Other", "Scheduled sessions"],
            "/z's GET comes first"
        );
        let queue = &page.groups[1];
        assert_eq!(queue.about[0].spans[0].text, "Queue.");
        let ids: Vec<&str> = queue.operations.iter().map(|op| op.id.as_str()).collect();
        assert_eq!(ids, ["makeZ", "readA"]);
        assert_eq!(page.groups[0].operations[0].summary, "GET /api/v1/z");
    }

    #[test]
    fn an_operation_shows_its_parts() {
        let page = view();
        let make = &page.groups[1].operations[0];
        assert_eq!((make.method, make.path.as_str()), ("POST", "/api/v1/z"));
        assert_eq!(make.anchor, "op-makeZ");
        assert_eq!(make.method_class, "post");
        assert_eq!(make.parameters[0].location, "path");
        assert!(make.parameters[0].required);
        let body = make.body.as_ref().unwrap();
        assert!(body.required);
        assert_eq!(
            body.media[0].label.parts[0].anchor.as_deref(),
            Some("schema-Z")
        );
        let statuses: Vec<&str> = make.responses.iter().map(|r| r.status.as_str()).collect();
        assert_eq!(statuses, ["201", "200"], "the document's order");
        assert!(make.responses[0].media.is_empty());
        assert_eq!(make.security, ["cookie"], "the document's requirement");
    }

    #[test]
    fn security_is_the_operations_own_when_it_states_one() {
        let page = view();
        assert!(
            page.groups[0].operations[0].security.is_empty(),
            "[] means none"
        );
        assert_eq!(
            page.groups[1].operations[1].security,
            ["oauth (read, write) and key", "none"]
        );
    }

    #[test]
    fn tags_are_put_in_words() {
        assert_eq!(words("ScheduledSessions"), "Scheduled sessions");
        assert_eq!(words("Me"), "Me");
        assert_eq!(words("OAuthTokens"), "OAuth tokens");
        assert_eq!(words("APIKeys"), "APIKeys");
        assert_eq!(words("two words"), "two words");
    }
}
