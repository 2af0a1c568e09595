//! The API model: endpoints and types, resolved across pages. It knows
//! nothing of markdown or tokens; every node keeps the place it came from.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::base::source::Span;
use crate::base::{Loc, Method};
use crate::model::area::Area;
use crate::model::graph::{SortedTypes, TypeGraph};
use crate::model::path::{PathTemplate, Segment};

/// Where a model node came from: a full place in a page, so diagnostics
/// made from the model underline the right text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Source {
    /// The page's path as given to the generator.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// Byte range in the page text.
    #[serde(skip)]
    pub span: Span,
}

impl Source {
    /// The place `at` in page `file`.
    pub fn at(file: impl Into<String>, at: Loc) -> Source {
        Source {
            file: file.into(),
            line: at.pos.line,
            column: at.pos.column,
            span: at.span,
        }
    }
}

/// A name in both spellings: the API's (on the wire) and the Rust one.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Name {
    /// As the API spells it: `userRunStates`, `@odata.type`.
    #[serde(rename = "name")]
    pub api: String,
    /// A valid, collision-free Rust identifier: `user_run_states`.
    #[serde(rename = "rust_name")]
    pub rust: String,
}

/// The whole API.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Api {
    /// Endpoints, ordered by name.
    pub endpoints: Vec<Endpoint>,
    /// Types, ordered by API name.
    pub types: SortedTypes,
}

impl Api {
    /// The key parameters whose type is a non-string primitive (an integer,
    /// a GUID or a date) on every page that documents them, by name; the
    /// client takes such keys typed (`item(id: i32)`).
    pub fn key_types(&self) -> BTreeMap<&str, Primitive> {
        let mut seen: BTreeMap<&str, Option<Primitive>> = BTreeMap::new();
        for e in &self.endpoints {
            for p in &e.path_parameters {
                let typed = match &p.ty {
                    TypeRef::Primitive(
                        prim @ (Primitive::Byte
                        | Primitive::SByte
                        | Primitive::Int16
                        | Primitive::Int32
                        | Primitive::Int64
                        | Primitive::Guid
                        | Primitive::Date),
                    ) if !p.collection => Some(*prim),
                    _ => None,
                };
                seen.entry(p.name.api.as_str())
                    .and_modify(|t| {
                        if *t != typed {
                            *t = None;
                        }
                    })
                    .or_insert(typed);
            }
        }
        seen.into_iter()
            .filter_map(|(name, t)| t.map(|t| (name, t)))
            .collect()
    }

    /// The type with API name `name`.
    pub fn type_named(&self, name: &str) -> Option<&TypeDef> {
        self.types.named(name)
    }

    /// The type graph (see [`crate::model::graph`]).
    pub fn graph(&self) -> TypeGraph<'_> {
        self.types.graph()
    }

    /// `ty` and its base types, nearest first; stops at a cycle.
    pub fn ancestry<'a>(&'a self, ty: &'a TypeDef) -> Vec<&'a TypeDef> {
        self.graph().ancestry(ty)
    }
}

/// The permissions a page lists, least privileged first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Permissions {
    /// Delegated (work or school account).
    pub delegated_work: Vec<String>,
    /// Delegated (personal Microsoft account).
    pub delegated_personal: Vec<String>,
    /// Application.
    pub application: Vec<String>,
    /// Each table's own list, where a page has several tables (scenarios
    /// under `###` headings, or a row per resource); empty otherwise.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub scenarios: Vec<PermissionScenario>,
}

impl Permissions {
    /// Adds the permissions of `other` that are not here yet, keeping order.
    pub fn add(&mut self, other: &Permissions) {
        for (to, from) in [
            (&mut self.delegated_work, &other.delegated_work),
            (&mut self.delegated_personal, &other.delegated_personal),
            (&mut self.application, &other.application),
        ] {
            for p in from {
                if !to.contains(p) {
                    to.push(p.clone());
                }
            }
        }
    }

    /// Whether no permission is named at all.
    pub fn is_empty(&self) -> bool {
        self.delegated_work.is_empty()
            && self.delegated_personal.is_empty()
            && self.application.is_empty()
    }
}

/// The permissions of one scenario of an endpoint, least privileged first.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct PermissionScenario {
    /// The heading above the table (`To get the photo of a group`), or the
    /// resource of a per-resource row; empty for a table under `Permissions`.
    pub scenario: String,
    /// Delegated (work or school account).
    pub delegated_work: Vec<String>,
    /// Delegated (personal Microsoft account).
    pub delegated_personal: Vec<String>,
    /// Application.
    pub application: Vec<String>,
}

/// A request header an endpoint takes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Header {
    /// The header name.
    pub name: String,
    /// Whether the page says it is required.
    pub required: bool,
    /// What the page says of it.
    pub description: String,
}

/// An OData system query option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QueryOption {
    /// `$select`.
    Select,
    /// `$filter`.
    Filter,
    /// `$expand`.
    Expand,
    /// `$top`.
    Top,
    /// `$skip`.
    Skip,
    /// `$orderby`.
    OrderBy,
    /// `$count`.
    Count,
    /// `$search`.
    Search,
    /// `$skipToken`.
    SkipToken,
    /// `$deltaToken`.
    DeltaToken,
}

impl QueryOption {
    /// Every option with its spelling in a URL.
    pub const ALL: &'static [(QueryOption, &'static str)] = &[
        (QueryOption::Select, "$select"),
        (QueryOption::Filter, "$filter"),
        (QueryOption::Expand, "$expand"),
        (QueryOption::Top, "$top"),
        (QueryOption::Skip, "$skip"),
        (QueryOption::OrderBy, "$orderby"),
        (QueryOption::Count, "$count"),
        (QueryOption::Search, "$search"),
        (QueryOption::SkipToken, "$skiptoken"),
        (QueryOption::DeltaToken, "$deltatoken"),
    ];
}

/// A named, typed parameter: of a function, or of an action's body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parameter {
    /// The name.
    #[serde(flatten)]
    pub name: Name,
    /// The type.
    #[serde(rename = "type")]
    pub ty: TypeRef,
    /// Whether it is a collection of `ty`.
    pub collection: bool,
    /// Whether the page says it is optional.
    pub optional: bool,
    /// What the page says of it.
    pub description: String,
    /// Where it is written.
    pub source: Source,
}

/// What an endpoint takes as its body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RequestBody {
    /// No body.
    None,
    /// A resource in JSON.
    Resource {
        /// The type.
        #[serde(rename = "type")]
        ty: TypeRef,
    },
    /// A JSON object of named parameters (an action).
    Parameters {
        /// The parameters.
        parameters: Vec<Parameter>,
    },
    /// Binary content (`Stream`).
    Stream,
}

/// What an endpoint returns when it succeeds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Response {
    /// The success status, if the page states one.
    pub status: Option<u16>,
    /// The body type; `None` for no content.
    pub body: Option<TypeRef>,
    /// Whether the body is a collection (a page of `body`).
    pub collection: bool,
    /// Whether it answers `202 Accepted` with a `Location` to poll: a
    /// long-running operation.
    pub monitored: bool,
    /// The media type the page gives for a body that is content
    /// (`text/csv`, `image/jpeg`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub media_type: Option<String>,
}

/// An example request and its response.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExamplePair {
    /// The annotation's name, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The request URL as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_url: Option<String>,
    /// The request body, if it was JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_body: Option<serde_json::Value>,
    /// The response status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_status: Option<u16>,
    /// The response body, if it was JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_body: Option<serde_json::Value>,
    /// Where the request (or the response, when alone) is.
    pub source: Source,
    /// Where the response is, when it follows a request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_source: Option<Source>,
    /// The call the example makes, when it can become a generated test of
    /// the client (see [`ExampleCall`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call: Option<ExampleCall>,
}

/// What an example request asks for, read against its endpoint: which path
/// it follows, with what values, and which query options. Set on examples
/// that the generated crate replays as tests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExampleCall {
    /// The path the URL follows: 0 for the endpoint's `path`, `n` for
    /// `alternate_paths[n - 1]`.
    pub path: usize,
    /// The URL's value for each placeholder of that path, in order,
    /// percent-decoded and unquoted.
    pub arguments: Vec<String>,
    /// The path the client sends, decoded, without host or version: the
    /// names as the template spells them (Graph reads paths
    /// case-insensitively, and examples vary), the values as the example
    /// has them.
    pub sent_path: String,
    /// The query string's pairs, decoded, in order.
    pub query: Vec<(String, String)>,
}

/// One operation of the API.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Endpoint {
    /// `resource.action`, e.g. `hardwareConfigurationUserState.update`.
    #[serde(flatten)]
    pub name: Name,
    /// The page title.
    pub title: String,
    /// What the page says the operation does.
    pub description: String,
    /// The method.
    pub method: Method,
    /// The first request line's path.
    pub path: PathTemplate,
    /// Other paths to the same operation (`/me/...` beside `/users/{id}/...`).
    pub alternate_paths: Vec<PathTemplate>,
    /// Where the first request line is.
    pub source: Source,
    /// Least privileged first.
    pub permissions: Permissions,
    /// Request headers.
    pub headers: Vec<Header>,
    /// Supported OData query options.
    pub query_options: Vec<QueryOption>,
    /// Function parameters.
    pub function_parameters: Vec<Parameter>,
    /// Path parameters, as a `Path parameters` table describes them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub path_parameters: Vec<Parameter>,
    /// The request body.
    pub request_body: RequestBody,
    /// The success response.
    pub response: Response,
    /// Examples.
    pub examples: Vec<ExamplePair>,
    /// Every page that documents the operation, starting with `source.file`.
    pub pages: Vec<String>,
    /// The area, and so the Cargo feature, it belongs to (see [`Area`]).
    pub area: Area,
}

/// How the client takes a typed value in a path: a key or a function
/// argument. Strings (and anything without a more precise type) are
/// [`ArgKind::Text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgKind {
    /// An integer (`i64` for arguments; keys keep their own width).
    Int,
    /// A boolean.
    Bool,
    /// A GUID.
    Guid,
    /// A date.
    Date,
    /// A date and time with an offset.
    DateTime,
    /// A member of the enum type with this API name.
    Enum(String),
    /// Text.
    Text,
}

impl ArgKind {
    /// The kind of a value of primitive type `p`.
    pub fn of_primitive(p: Primitive) -> ArgKind {
        match p {
            Primitive::Int16
            | Primitive::Int32
            | Primitive::Int64
            | Primitive::Byte
            | Primitive::SByte => ArgKind::Int,
            Primitive::Boolean => ArgKind::Bool,
            Primitive::Guid => ArgKind::Guid,
            Primitive::Date => ArgKind::Date,
            Primitive::DateTimeOffset => ArgKind::DateTime,
            _ => ArgKind::Text,
        }
    }

    /// Whether `value`, as the docs write it, is a value of this kind (by
    /// the example checks' own tests of form).
    pub fn accepts(&self, api: &Api, value: &str) -> bool {
        use crate::model::example_checks::{is_date, is_date_time, is_guid};
        match self {
            ArgKind::Int => value.parse::<i64>().is_ok(),
            ArgKind::Bool => value.parse::<bool>().is_ok(),
            ArgKind::Guid => is_guid(value),
            ArgKind::Date => is_date(value),
            ArgKind::DateTime => is_date_time(value),
            ArgKind::Enum(name) => api
                .type_named(name)
                .is_some_and(|t| t.members.iter().any(|m| m.name.api == value)),
            ArgKind::Text => true,
        }
    }
}

impl Endpoint {
    /// Whether a success has no body the client reads: a 204, or a write
    /// whose page names no response body. (A GET whose body type is
    /// unknown still returns its JSON, untyped.)
    pub fn returns_no_content(&self) -> bool {
        self.response.status == Some(204)
            || (self.response.body.is_none() && self.method != Method::Get)
    }

    /// Whether a request by `path` sends a reference: `POST` or `PUT` of
    /// `.../$ref` takes `{"@odata.id": url}`, whatever type the page links.
    pub fn sends_reference(&self, path: &PathTemplate) -> bool {
        matches!(path.segments.last(), Some(Segment::Ref))
            && matches!(self.method, Method::Post | Method::Put)
    }

    /// How the client takes function argument `arg` (whose placeholder is
    /// `placeholder`): by the type of the function parameter of that name.
    pub fn function_argument_kind(&self, api: &Api, arg: &str, placeholder: &str) -> ArgKind {
        argument_kind(api, &self.function_parameters, arg, placeholder)
    }
}

/// [`Endpoint::function_argument_kind`] among `declared` parameters: found
/// by the argument's name or its placeholder's; a collection, an unknown
/// parameter and any other type are text.
pub fn argument_kind(api: &Api, declared: &[Parameter], arg: &str, placeholder: &str) -> ArgKind {
    let found = declared.iter().find(|d| {
        d.name.api.eq_ignore_ascii_case(arg) || d.name.api.eq_ignore_ascii_case(placeholder)
    });
    match found {
        Some(d) if !d.collection => match &d.ty {
            TypeRef::Primitive(p) => ArgKind::of_primitive(*p),
            TypeRef::Named(n) if api.type_named(n).is_some_and(|t| t.kind == TypeKind::Enum) => {
                ArgKind::Enum(n.clone())
            }
            _ => ArgKind::Text,
        },
        _ => ArgKind::Text,
    }
}

/// What sort of type a [`TypeDef`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TypeKind {
    /// An entity type (has a key).
    Entity,
    /// A complex type (a value without identity).
    Complex,
    /// An enumeration.
    Enum,
}

/// An OData primitive type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Primitive {
    /// `Edm.String`.
    String,
    /// `Edm.Boolean`.
    Boolean,
    /// `Edm.Byte`.
    Byte,
    /// `Edm.SByte`.
    SByte,
    /// `Edm.Int16`.
    Int16,
    /// `Edm.Int32`.
    Int32,
    /// `Edm.Int64`.
    Int64,
    /// `Edm.Single`.
    Single,
    /// `Edm.Double`.
    Double,
    /// `Edm.Decimal`.
    Decimal,
    /// `Edm.DateTimeOffset`.
    DateTimeOffset,
    /// `Edm.Date`.
    Date,
    /// `Edm.TimeOfDay`.
    TimeOfDay,
    /// `Edm.Duration`.
    Duration,
    /// `Edm.Guid`.
    Guid,
    /// `Edm.Binary`.
    Binary,
    /// `Edm.Stream`.
    Stream,
    /// Any JSON value (`Edm.Untyped`, `Object`, `Json`).
    Json,
}

impl Primitive {
    /// The `Edm.*` name.
    pub fn edm_name(self) -> &'static str {
        match self {
            Primitive::String => "Edm.String",
            Primitive::Boolean => "Edm.Boolean",
            Primitive::Byte => "Edm.Byte",
            Primitive::SByte => "Edm.SByte",
            Primitive::Int16 => "Edm.Int16",
            Primitive::Int32 => "Edm.Int32",
            Primitive::Int64 => "Edm.Int64",
            Primitive::Single => "Edm.Single",
            Primitive::Double => "Edm.Double",
            Primitive::Decimal => "Edm.Decimal",
            Primitive::DateTimeOffset => "Edm.DateTimeOffset",
            Primitive::Date => "Edm.Date",
            Primitive::TimeOfDay => "Edm.TimeOfDay",
            Primitive::Duration => "Edm.Duration",
            Primitive::Guid => "Edm.Guid",
            Primitive::Binary => "Edm.Binary",
            Primitive::Stream => "Edm.Stream",
            Primitive::Json => "Edm.Untyped",
        }
    }
}

/// A reference to a type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TypeRef {
    /// A primitive.
    Primitive(Primitive),
    /// A type of the model, by API name.
    Named(String),
    /// A type the docs name but the model does not have; kept as written and
    /// emitted as an untyped JSON value.
    Unresolved(String),
}

impl Serialize for TypeRef {
    /// `Edm.String`, `user`, or `?written` for an unresolved reference.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            TypeRef::Primitive(p) => s.serialize_str(p.edm_name()),
            TypeRef::Named(n) => s.serialize_str(n),
            TypeRef::Unresolved(w) => s.collect_str(&format_args!("?{w}")),
        }
    }
}

/// A property or navigation property of a type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Property {
    /// The name.
    #[serde(flatten)]
    pub name: Name,
    /// The type.
    #[serde(rename = "type")]
    pub ty: TypeRef,
    /// Whether it is a collection of `ty`.
    pub collection: bool,
    /// Whether it may be `null` (the docs rarely say; true unless they say "not nullable").
    pub nullable: bool,
    /// Whether the docs say it is read-only.
    pub read_only: bool,
    /// Whether it is a relationship (navigation property).
    pub navigation: bool,
    /// What the docs say of it.
    pub description: String,
    /// Where it is written.
    pub source: Source,
}

/// An enum member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EnumMember {
    /// The name.
    #[serde(flatten)]
    pub name: Name,
    /// The numeric value, if the docs give one.
    pub value: Option<i64>,
    /// What the docs say of it.
    pub description: String,
}

/// A resource page's JSON representation block, as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Representation {
    /// The JSON (read leniently, as examples are).
    pub json: serde_json::Value,
    /// Where the block is.
    pub source: Source,
}

/// An entity, complex or enum type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeDef {
    /// The name (`hardwareConfigurationUserState` / `HardwareConfigurationUserState`).
    #[serde(flatten)]
    pub name: Name,
    /// What sort of type it is.
    pub kind: TypeKind,
    /// The base type's API name.
    pub base: Option<String>,
    /// What the docs say of it.
    pub description: String,
    /// Declared properties, in the docs' order (inherited ones live on the base).
    pub properties: Vec<Property>,
    /// Enum members, for enums.
    pub members: Vec<EnumMember>,
    /// The key property, if the docs say.
    pub key: Option<String>,
    /// Whether the type is open (accepts undeclared properties).
    pub open: bool,
    /// Where it is defined.
    pub source: Source,
    /// Every page that contributed to it.
    pub pages: Vec<String>,
    /// The resource page's JSON representation, checked against the tables.
    #[serde(skip)]
    pub representation: Option<Representation>,
}
