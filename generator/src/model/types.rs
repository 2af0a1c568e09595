//! Type cells of property and parameter tables -> type references.
//!
//! The docs write one type in many ways: `String`, `string`, `Edm.String`,
//! `Int32`, `int`, `DateTimeOffset` in any case, `X collection`,
//! `Collection(X)`, links to resource pages (also reference-style), bare enum
//! names and backticks. Resolution against the model's types happens later.

use crate::model::api::Primitive;

/// A type cell as read, before resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeCell {
    /// A primitive, or a candidate type name.
    pub target: CellTarget,
    /// Whether the cell says "collection".
    pub collection: bool,
    /// The cell text as written, for diagnostics.
    pub written: String,
}

/// What a type cell names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CellTarget {
    /// A primitive type.
    Primitive(Primitive),
    /// A type by name; `link` is the page stem the cell links to, if any
    /// (`identityset` for `[identitySet](identityset.md)`).
    Named {
        /// The name as written.
        name: String,
        /// The linked page's file stem, lowercased.
        link: Option<String>,
    },
    /// Nothing usable (empty cell, prose).
    Invalid,
}

/// Reads an OData primitive type name in any common spelling.
pub fn primitive(name: &str) -> Option<Primitive> {
    let key = name.trim().to_ascii_lowercase();
    let key = key.strip_prefix("edm.").unwrap_or(&key);
    Some(match key {
        "string" | "str" | "url" | "uri" => Primitive::String,
        "boolean" | "bool" => Primitive::Boolean,
        "byte" => Primitive::Byte,
        "sbyte" => Primitive::SByte,
        "int16" | "short" => Primitive::Int16,
        "int32" | "int" | "integer" | "number" => Primitive::Int32,
        "int64" | "long" => Primitive::Int64,
        "single" | "float" => Primitive::Single,
        "double" => Primitive::Double,
        "decimal" => Primitive::Decimal,
        "datetimeoffset" | "datetime" | "timestamp" => Primitive::DateTimeOffset,
        "date" => Primitive::Date,
        "timeofday" | "time" => Primitive::TimeOfDay,
        "duration" | "timespan" => Primitive::Duration,
        "guid" | "uuid" => Primitive::Guid,
        "binary" | "base64" | "base64url" => Primitive::Binary,
        "stream" => Primitive::Stream,
        "untyped" | "object" | "json" | "any" => Primitive::Json,
        _ => return None,
    })
}

/// `../resources/identityset.md#x` -> `identityset`; `#agegroup-values` -> `agegroup`.
pub fn page_stem(target: &str) -> Option<String> {
    let target = target.trim();
    if let Some(anchor) = target.strip_prefix('#') {
        let stem = anchor.strip_suffix("-values").unwrap_or(anchor);
        return (!stem.is_empty()).then(|| stem.replace('-', "").to_ascii_lowercase());
    }
    if target.starts_with("http") {
        return None;
    }
    let path = target.split(['#', '?', ' ']).next().unwrap_or("");
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file.strip_suffix(".md").unwrap_or(file);
    (!stem.is_empty() && path.ends_with(".md")).then(|| stem.to_ascii_lowercase())
}
