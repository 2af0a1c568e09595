//! The read page: what one markdown page says, with source positions, before
//! any interpretation as endpoints or types.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::base::{Loc, Method};

impl Serialize for Loc {
    /// Serialised as `"line:column"`, which keeps snapshots short and readable.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("{}:{}", self.pos.line, self.pos.column))
    }
}

/// What kind of page the front matter says this is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DocType {
    /// An endpoint page (`apiPageType`).
    Api,
    /// A type page (`resourcePageType`).
    Resource,
    /// An enumeration page (`enumPageType`).
    Enum,
    /// A conceptual page (`conceptualPageType`).
    Conceptual,
    /// Any other value, as written.
    Other(String),
}

impl DocType {
    /// Reads a `doc_type` value, tolerating case and stray punctuation.
    pub fn from_value(value: &str) -> DocType {
        let key: String = value
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match key.as_str() {
            "apipagetype" => DocType::Api,
            "resourcepagetype" => DocType::Resource,
            "enumpagetype" => DocType::Enum,
            "conceptualpagetype" => DocType::Conceptual,
            _ => DocType::Other(value.to_owned()),
        }
    }
}

/// The YAML front matter of a page.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct FrontMatter {
    /// Where the front matter starts, if there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<Loc>,
    /// `title`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `description`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `doc_type`, interpreted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc_type: Option<DocType>,
    /// `ms.prod`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ms_prod: Option<String>,
    /// `author`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Every other key, with its value as text.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, String>,
}

/// An inline link: `[text](target)` or a reference-style `[text][]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// The visible text.
    pub text: String,
    /// The target; empty for a reference-style link with no definition.
    pub target: String,
}

/// Text with the links it contains.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Inline {
    /// Plain text; inline code keeps its backticks.
    pub text: String,
    /// Links, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<Link>,
    /// The anchor an `<a name="...">` (or `id`) inside a heading gives it:
    /// the localized editions keep the English slug there
    /// (`## <a name="http-request"></a>Solicitação HTTP`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anchor: Option<String>,
}

/// A paragraph, list item or quote line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Paragraph {
    /// Where it starts.
    pub at: Loc,
    /// Its text and links.
    #[serde(flatten)]
    pub inline: Inline,
    /// The admonition (`> [!NOTE]`) it belongs to, uppercased: such text is
    /// an aside, never a description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admonition: Option<String>,
}

/// One table row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Where the row starts.
    pub at: Loc,
    /// Its cells, as many as the header has.
    pub cells: Vec<Inline>,
}

/// A GFM table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Where the table starts.
    pub at: Loc,
    /// The header cells.
    pub header: Vec<Inline>,
    /// The body rows.
    pub rows: Vec<Row>,
}

impl Table {
    /// The index of the first header cell whose normalised text is one of `names`.
    pub fn column(&self, names: &[&str]) -> Option<usize> {
        self.header.iter().position(|h| {
            let key = h.text.trim().to_ascii_lowercase();
            names.iter().any(|n| key == *n)
        })
    }
}

/// An HTML-comment annotation such as `<!-- { "blockType": "request" } -->`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Annotation {
    /// Where the comment starts.
    pub at: Loc,
    /// The JSON value, recovered if it was malformed.
    pub value: serde_json::Value,
}

impl Annotation {
    /// A string member of the annotation.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.value.get(key).and_then(|v| v.as_str())
    }

    /// A boolean member of the annotation (`true`, or the string `"true"`).
    pub fn get_bool(&self, key: &str) -> bool {
        match self.value.get(key) {
            Some(serde_json::Value::Bool(b)) => *b,
            Some(serde_json::Value::String(s)) => s.eq_ignore_ascii_case("true"),
            _ => false,
        }
    }

    /// `blockType`, lowercased.
    pub fn block_type(&self) -> Option<String> {
        self.get_str("blockType")
            .map(|s| s.trim().to_ascii_lowercase())
    }
}

/// A fenced or indented code block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CodeBlock {
    /// Where the fence starts.
    pub at: Loc,
    /// The info string's first word, lowercased (`http`, `json`, ...).
    pub lang: String,
    /// The content.
    pub text: String,
    /// The annotation directly before it, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotation: Option<Annotation>,
    /// Byte offset in the page of each content line's start, parallel to `text.lines()`.
    #[serde(skip)]
    pub line_offsets: Vec<usize>,
}

/// One block of content inside a section.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Block {
    /// Running text.
    Paragraph(Paragraph),
    /// A table.
    Table(Table),
    /// A code block.
    Code(CodeBlock),
    /// An annotation that precedes no code block (page annotations, for example).
    Annotation(Annotation),
}

/// What a section is about, recognised from its heading by meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    /// The page title (the `#` heading).
    Title,
    /// `HTTP request`.
    HttpRequest,
    /// `Permissions` or `Prerequisites`.
    Permissions,
    /// `Request headers`.
    RequestHeaders,
    /// `Optional request headers`.
    OptionalRequestHeaders,
    /// `Request body`.
    RequestBody,
    /// `Response` (outside the examples).
    Response,
    /// `Optional query parameters` or `Query parameters`.
    QueryParameters,
    /// `Function parameters`.
    FunctionParameters,
    /// `Path parameters`.
    PathParameters,
    /// `Example` or `Examples`, with any suffix.
    Examples,
    /// `Request` inside the examples.
    ExampleRequest,
    /// `Response` inside the examples.
    ExampleResponse,
    /// `Properties`.
    Properties,
    /// `Relationships`.
    Relationships,
    /// `Methods`.
    Methods,
    /// `JSON representation`.
    JsonRepresentation,
    /// `Members` or `<enum> values`.
    Members,
    /// Anything else.
    Other,
}

/// A heading and everything under it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    /// Where the heading is.
    pub at: Loc,
    /// Heading level, 1 to 6.
    pub level: u8,
    /// The heading text.
    pub heading: String,
    /// What the section is recognised as.
    pub kind: SectionKind,
    /// Content before the first sub-heading.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<Block>,
    /// Sub-sections.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Section>,
}

impl Section {
    /// This section and all its descendants, depth first.
    pub fn walk(&self) -> Box<dyn Iterator<Item = &Section> + '_> {
        Box::new(std::iter::once(self).chain(self.children.iter().flat_map(|c| c.walk())))
    }

    /// Tables directly in this section.
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
    }

    /// Paragraphs directly in this section, without admonitions.
    pub fn paragraphs(&self) -> impl Iterator<Item = &Paragraph> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Paragraph(p) if p.admonition.is_none() => Some(p),
            _ => None,
        })
    }

    /// Admonition paragraphs (`> [!NOTE]`) directly in this section; they
    /// are asides, so [`Section::paragraphs`] leaves them out.
    pub fn admonitions(&self) -> impl Iterator<Item = &Paragraph> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Paragraph(p) if p.admonition.is_some() => Some(p),
            _ => None,
        })
    }

    /// Code blocks directly in this section.
    pub fn code_blocks(&self) -> impl Iterator<Item = &CodeBlock> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Code(c) => Some(c),
            _ => None,
        })
    }
}

/// A request line from the `HTTP request` section: `PATCH /users/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequestLine {
    /// Where the line is.
    pub at: Loc,
    /// The method.
    pub method: Method,
    /// The path as written, without host, version prefix or query string;
    /// always starting with `/`.
    pub path: String,
    /// The query string after `?`, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
}

/// A message body in an example.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExampleBody {
    /// No body.
    None,
    /// A body that parsed as JSON.
    Json(serde_json::Value),
    /// A body kept as text: not JSON, or JSON that did not parse.
    Text(String),
}

/// An example request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExampleRequest {
    /// The method, if the first line had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<Method>,
    /// The URL as written.
    pub url: String,
    /// Header lines, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: ExampleBody,
}

/// An example response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExampleResponse {
    /// The status code, if one could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Header lines, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: ExampleBody,
}

/// An example message.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ExampleMessage {
    /// A request.
    Request(ExampleRequest),
    /// A response.
    Response(ExampleResponse),
}

/// An example request or response block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Example {
    /// Where the code block starts.
    pub at: Loc,
    /// The annotation's `name`, which pairs requests with responses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The annotation before the block, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotation: Option<serde_json::Value>,
    /// The parsed message.
    pub message: ExampleMessage,
}

/// Everything read from one page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Page {
    /// The page's path as given.
    pub file: String,
    /// The front matter.
    pub front_matter: FrontMatter,
    /// The heading tree. Content before the first heading sits in a level-0
    /// section with an empty heading.
    pub sections: Vec<Section>,
    /// Request lines of the `HTTP request` sections.
    pub request_lines: Vec<RequestLine>,
    /// Example requests and responses, in page order.
    pub examples: Vec<Example>,
}

impl Page {
    /// The page's doc type, if the front matter gives one.
    pub fn doc_type(&self) -> Option<&DocType> {
        self.front_matter.doc_type.as_ref()
    }

    /// Every section, depth first.
    pub fn all_sections(&self) -> impl Iterator<Item = &Section> {
        self.sections.iter().flat_map(|s| s.walk())
    }

    /// Every section of `kind`, depth first.
    pub fn sections_of(&self, kind: SectionKind) -> impl Iterator<Item = &Section> {
        self.all_sections().filter(move |s| s.kind == kind)
    }

    /// The first `#` heading, which is the page's visible title.
    pub fn heading_title(&self) -> Option<&str> {
        self.sections_of(SectionKind::Title)
            .next()
            .map(|s| s.heading.as_str())
    }
}
