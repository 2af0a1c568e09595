//! What lowering hands resolution: each page's draft endpoints and types,
//! before names, types and paths are resolved across pages. No markdown here.

use crate::base::diagnostics::Diagnostic;
use crate::base::{Loc, Method};
use crate::model::api::{
    ExamplePair, Header, Permissions, QueryOption, Representation, Source, TypeKind,
};
use crate::model::area::Area;
use crate::model::path::PathTemplate;
use crate::model::types::TypeCell;

/// A parameter as read.
#[derive(Debug, Clone)]
pub struct DraftParameter {
    /// API name.
    pub name: String,
    /// Type cell.
    pub cell: TypeCell,
    /// The description says optional.
    pub optional: bool,
    /// The description.
    pub description: String,
    /// Where the row is.
    pub at: Loc,
}

/// The body as read.
#[derive(Debug, Clone)]
pub enum DraftRequestBody {
    /// None.
    None,
    /// A resource, named by a type cell.
    Resource(TypeCell),
    /// Named parameters.
    Parameters(Vec<DraftParameter>),
    /// Binary content.
    Stream,
}

/// The response as read.
#[derive(Debug, Clone)]
pub struct DraftResponse {
    /// Success status.
    pub status: Option<u16>,
    /// Body type, unless there is none.
    pub body: Option<TypeCell>,
    /// Whether it is a collection.
    pub collection: bool,
    /// Whether it answers `202 Accepted` with a `Location` to poll.
    pub monitored: bool,
    /// The media type the page gives for a body that is content.
    pub media_type: Option<String>,
}

/// An endpoint as read from one page.
#[derive(Debug, Clone)]
pub struct DraftEndpoint {
    /// The resource part of the name, as the file name writes it (lowercase).
    pub resource_stem: String,
    /// A properly cased resource name, if the page links to one with that stem.
    pub resource_hint: Option<String>,
    /// The action part of the name (`update`, `listMembers`).
    pub action: String,
    /// Page title.
    pub title: String,
    /// Page description.
    pub description: String,
    /// Method.
    pub method: Method,
    /// The first request line's path.
    pub path: PathTemplate,
    /// Where the first request line is.
    pub at: Loc,
    /// The other request lines' paths.
    pub alternate_paths: Vec<PathTemplate>,
    /// Permissions.
    pub permissions: Permissions,
    /// Headers.
    pub headers: Vec<Header>,
    /// Query options.
    pub query_options: Vec<QueryOption>,
    /// Function parameters.
    pub function_parameters: Vec<DraftParameter>,
    /// Path parameters, from a `Path parameters` table.
    pub path_parameters: Vec<DraftParameter>,
    /// Body.
    pub body: DraftRequestBody,
    /// Response.
    pub response: DraftResponse,
    /// Examples.
    pub examples: Vec<ExamplePair>,
    /// The page file.
    pub file: String,
    /// The area (Cargo feature) the endpoint belongs to.
    pub area: Area,
}

/// A property as read, with its type cell not yet resolved.
#[derive(Debug, Clone)]
pub struct DraftProperty {
    /// API name.
    pub name: String,
    /// The type cell.
    pub cell: TypeCell,
    /// Relationship table row.
    pub navigation: bool,
    /// The description says read-only.
    pub read_only: bool,
    /// The description says "not nullable".
    pub not_nullable: bool,
    /// The description.
    pub description: String,
    /// Where the row is.
    pub at: Loc,
}

/// An enum member as read.
#[derive(Debug, Clone)]
pub struct DraftMember {
    /// API name.
    pub name: String,
    /// Numeric value, if given.
    pub value: Option<i64>,
    /// The description.
    pub description: String,
}

/// Where a draft type was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    /// A resource or enum page: the authority on the type.
    TypePage,
    /// An api page's property table: merged into the type page's definition.
    ApiPage,
}

/// A type as read from one page.
#[derive(Debug, Clone)]
pub struct DraftType {
    /// API name.
    pub name: String,
    /// Enum, or a structured type whose kind is settled at resolution.
    pub kind: TypeKind,
    /// Base type as the annotation or the "Inherits from" text says.
    pub base: Option<String>,
    /// The description.
    pub description: String,
    /// Properties, in order.
    pub properties: Vec<DraftProperty>,
    /// Enum members.
    pub members: Vec<DraftMember>,
    /// The key property.
    pub key: Option<String>,
    /// Open type.
    pub open: bool,
    /// The page file's stem, lowercased (for resolving links).
    pub page_stem: String,
    /// Where it is defined.
    pub source: Source,
    /// Where the definition's anchor is, for diagnostics.
    pub at: Loc,
    /// What kind of page it came from.
    pub origin: Origin,
    /// Every page that contributed, starting with this one.
    pub pages: Vec<String>,
    /// The page's JSON representation, if it has one that reads as JSON.
    pub representation: Option<Representation>,
}

/// What one page contributes before resolution: its draft endpoints and
/// types, and the diagnostics lowering found. It depends on the page alone.
#[derive(Debug, Default)]
pub struct Lowered {
    pub(crate) endpoints: Vec<DraftEndpoint>,
    pub(crate) types: Vec<DraftType>,
    pub(crate) diags: Vec<Diagnostic>,
}
