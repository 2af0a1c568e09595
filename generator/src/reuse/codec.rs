//! A compact binary form of what pages lower to and of the model's items,
//! for the regen cache, and their split into shape and text.
//!
//! [`Codec`] writes a value field by field and reads it back exactly: every
//! field of every type is listed once, in [`record!`] and [`choice!`], and
//! the compiler holds the lists complete (reading builds each struct and
//! variant whole; writing matches every variant). Fields listed after
//! `text:` are the free text of a value (descriptions, titles, examples,
//! source places); [`split`] writes them apart from the rest, its shape, so
//! that a change to text can be told from a change to the API's structure
//! (see [`super::digest`]).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::base::diagnostics::{Code, Diagnostic, Edit, Fix, Related, Severity};
use crate::base::source::{Position, Span};
use crate::base::{Loc, Method};
use crate::model::api::{
    EnumMember, ExampleCall, ExamplePair, Header, Name, Parameter, PermissionScenario, Permissions,
    Primitive, Property, QueryOption, Representation, RequestBody, Response, Source, TypeDef,
    TypeKind, TypeRef,
};
use crate::model::draft::{DraftEndpoint, DraftParameter, DraftRequestBody, DraftResponse};
use crate::model::draft::{DraftMember, DraftProperty, DraftType, Origin};
use crate::model::path::{ArgValue, FunctionArg, PathTemplate, Placeholder, Segment};
use crate::model::types::{CellTarget, TypeCell};
use crate::model::{Area, Endpoint, Lowered};

/// Where encoded bytes go: one buffer, or (for [`split`]) the shape and the
/// text of a value apart.
#[derive(Debug, Default)]
pub(crate) struct Out {
    shape: Vec<u8>,
    text: Option<Vec<u8>>,
    in_text: bool,
    unread: bool,
}

impl Out {
    fn put(&mut self, bytes: &[u8]) {
        match (&mut self.text, self.in_text, self.unread) {
            (Some(_), _, true) => {}
            (Some(text), true, false) => text.extend_from_slice(bytes),
            _ => self.shape.extend_from_slice(bytes),
        }
    }

    /// Writes what `f` writes as a field no emitter reads: kept in the
    /// bytes, left out of a split.
    fn as_unread(&mut self, f: impl FnOnce(&mut Out)) {
        let was = self.unread;
        self.unread = true;
        f(self);
        self.unread = was;
    }

    /// The bytes written (all of them, when not split).
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        self.shape
    }

    /// Writes what `f` writes as text.
    fn as_text(&mut self, f: impl FnOnce(&mut Out)) {
        let was = self.in_text;
        self.in_text = true;
        f(self);
        self.in_text = was;
    }
}

/// A value that can be written as bytes and read back exactly.
pub(crate) trait Codec: Sized {
    /// Appends the value.
    fn encode(&self, out: &mut Out);
    /// Reads a value from the front of `input`, or `None` if the bytes are
    /// not one (a damaged cache).
    fn decode(input: &mut &[u8]) -> Option<Self>;
}

/// The bytes of `value`.
pub(crate) fn to_bytes<T: Codec>(value: &T) -> Vec<u8> {
    let mut out = Out::default();
    value.encode(&mut out);
    out.shape
}

/// Reads a value that fills `bytes` exactly.
pub(crate) fn from_bytes<T: Codec>(mut bytes: &[u8]) -> Option<T> {
    let value = T::decode(&mut bytes)?;
    bytes.is_empty().then_some(value)
}

/// The bytes of `value`'s shape and of its text, apart.
#[cfg(test)]
pub(crate) fn split<T: Codec>(value: &T) -> (Vec<u8>, Vec<u8>) {
    split_into(value, Default::default())
}

/// [`split`] into `buffers`, cleared first: a caller splitting many values
/// grows two buffers once rather than two for each value.
pub(crate) fn split_into<T: Codec>(
    value: &T,
    (mut shape, mut text): (Vec<u8>, Vec<u8>),
) -> (Vec<u8>, Vec<u8>) {
    shape.clear();
    text.clear();
    let mut out = Out {
        shape,
        text: Some(text),
        ..Out::default()
    };
    value.encode(&mut out);
    (out.shape, out.text.unwrap_or_default())
}

fn take<'a>(input: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    let (head, rest) = input.split_at_checked(n)?;
    *input = rest;
    Some(head)
}

macro_rules! int {
    ($($t:ty),*) => {$(
        impl Codec for $t {
            fn encode(&self, out: &mut Out) {
                out.put(&self.to_le_bytes());
            }
            fn decode(input: &mut &[u8]) -> Option<Self> {
                let bytes = take(input, std::mem::size_of::<$t>())?;
                Some(<$t>::from_le_bytes(bytes.try_into().ok()?))
            }
        }
    )*};
}

int!(u8, u16, u32, u64, i64);

impl Codec for usize {
    fn encode(&self, out: &mut Out) {
        (*self as u64).encode(out);
    }
    fn decode(input: &mut &[u8]) -> Option<Self> {
        usize::try_from(u64::decode(input)?).ok()
    }
}

impl Codec for bool {
    fn encode(&self, out: &mut Out) {
        u8::from(*self).encode(out);
    }
    fn decode(input: &mut &[u8]) -> Option<Self> {
        match u8::decode(input)? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
}

/// Writes a run of bytes, with its length.
pub(crate) fn put_bytes(out: &mut Out, bytes: &[u8]) {
    encode_len(bytes.len(), out);
    out.put(bytes);
}

/// Writes the length [`put_bytes`] writes before `len` bytes.
pub(crate) fn put_len(out: &mut Out, len: usize) {
    encode_len(len, out);
}

/// Reads a run of bytes [`put_bytes`] wrote.
pub(crate) fn take_bytes<'a>(input: &mut &'a [u8]) -> Option<&'a [u8]> {
    let len = decode_len(input)?;
    take(input, len)
}

/// A length, as written before a string or a sequence.
fn encode_len(len: usize, out: &mut Out) {
    u32::try_from(len).unwrap_or(u32::MAX).encode(out);
}

fn decode_len(input: &mut &[u8]) -> Option<usize> {
    usize::try_from(u32::decode(input)?).ok()
}

impl Codec for String {
    fn encode(&self, out: &mut Out) {
        encode_len(self.len(), out);
        out.put(self.as_bytes());
    }
    fn decode(input: &mut &[u8]) -> Option<Self> {
        let len = decode_len(input)?;
        let bytes = take(input, len)?;
        String::from_utf8(bytes.to_vec()).ok()
    }
}

impl<T: Codec> Codec for Option<T> {
    fn encode(&self, out: &mut Out) {
        match self {
            None => 0u8.encode(out),
            Some(v) => {
                1u8.encode(out);
                v.encode(out);
            }
        }
    }
    fn decode(input: &mut &[u8]) -> Option<Self> {
        match u8::decode(input)? {
            0 => Some(None),
            1 => Some(Some(T::decode(input)?)),
            _ => None,
        }
    }
}

impl<T: Codec> Codec for Vec<T> {
    fn encode(&self, out: &mut Out) {
        encode_len(self.len(), out);
        for item in self {
            item.encode(out);
        }
    }
    fn decode(input: &mut &[u8]) -> Option<Self> {
        let len = decode_len(input)?;
        // Never trust a length for an allocation: a damaged cache could
        // claim billions.
        let mut items = Vec::with_capacity(len.min(input.len()));
        for _ in 0..len {
            items.push(T::decode(input)?);
        }
        Some(items)
    }
}

impl<A: Codec, B: Codec> Codec for (A, B) {
    fn encode(&self, out: &mut Out) {
        self.0.encode(out);
        self.1.encode(out);
    }
    fn decode(input: &mut &[u8]) -> Option<Self> {
        Some((A::decode(input)?, B::decode(input)?))
    }
}

impl<K: Codec + Ord, V: Codec> Codec for BTreeMap<K, V> {
    fn encode(&self, out: &mut Out) {
        encode_len(self.len(), out);
        for (k, v) in self {
            k.encode(out);
            v.encode(out);
        }
    }
    fn decode(input: &mut &[u8]) -> Option<Self> {
        let len = decode_len(input)?;
        let mut map = BTreeMap::new();
        for _ in 0..len {
            let k = K::decode(input)?;
            map.insert(k, V::decode(input)?);
        }
        Some(map)
    }
}

impl Codec for Value {
    fn encode(&self, out: &mut Out) {
        match self {
            Value::Null => 0u8.encode(out),
            Value::Bool(b) => {
                1u8.encode(out);
                b.encode(out);
            }
            Value::Number(n) => {
                2u8.encode(out);
                n.to_string().encode(out);
            }
            Value::String(s) => {
                3u8.encode(out);
                s.encode(out);
            }
            Value::Array(items) => {
                4u8.encode(out);
                items.encode(out);
            }
            Value::Object(map) => {
                5u8.encode(out);
                encode_len(map.len(), out);
                for (k, v) in map {
                    k.encode(out);
                    v.encode(out);
                }
            }
        }
    }
    fn decode(input: &mut &[u8]) -> Option<Self> {
        Some(match u8::decode(input)? {
            0 => Value::Null,
            1 => Value::Bool(bool::decode(input)?),
            2 => Value::Number(std::str::from_utf8(take_bytes(input)?).ok()?.parse().ok()?),
            3 => Value::String(String::decode(input)?),
            4 => Value::Array(Vec::decode(input)?),
            5 => {
                let len = decode_len(input)?;
                // Each entry takes at least a byte: a damaged length cannot
                // reserve more than the input could hold.
                let mut map = serde_json::Map::with_capacity(len.min(input.len()));
                for _ in 0..len {
                    let k = String::decode(input)?;
                    map.insert(k, Value::decode(input)?);
                }
                Value::Object(map)
            }
            _ => return None,
        })
    }
}

/// A struct, field by field: its shape fields, then (after `text:`) its
/// text fields, then (after `unread:`) fields no emitter reads.
macro_rules! record {
    ($ty:ident { $($field:ident),* $(,)?
        $(; text: $($text:ident),+ $(,)?)?
        $(; unread: $($unread:ident),+ $(,)?)? }) => {
        impl Codec for $ty {
            fn encode(&self, out: &mut Out) {
                $( self.$field.encode(out); )*
                $( out.as_text(|out| { $( self.$text.encode(out); )+ }); )?
                $( out.as_unread(|out| { $( self.$unread.encode(out); )+ }); )?
            }
            fn decode(input: &mut &[u8]) -> Option<Self> {
                // Fields are read in the order the literal lists them.
                Some($ty {
                    $( $field: Codec::decode(input)?, )*
                    $( $( $text: Codec::decode(input)?, )+ )?
                    $( $( $unread: Codec::decode(input)?, )+ )?
                })
            }
        }
    };
}

/// An enum: a tag byte per variant, then the variant's fields.
macro_rules! choice {
    ($ty:ident { $( $tag:literal => $variant:ident $( ( $($t:ident),+ ) )? $( { $($f:ident),+ } )? ),+ $(,)? }) => {
        impl Codec for $ty {
            fn encode(&self, out: &mut Out) {
                match self {
                    $( $ty::$variant $( ( $($t),+ ) )? $( { $($f),+ } )? => {
                        ($tag as u8).encode(out);
                        $( $( $t.encode(out); )+ )?
                        $( $( $f.encode(out); )+ )?
                    } )+
                }
            }
            fn decode(input: &mut &[u8]) -> Option<Self> {
                Some(match u8::decode(input)? {
                    $( $tag => $ty::$variant
                        $( ( $( { let $t = Codec::decode(input)?; $t } ),+ ) )?
                        $( { $( $f: Codec::decode(input)? ),+ } )?, )+
                    _ => return None,
                })
            }
        }
    };
}

/// An enum with a list of all its values, written as its index there.
macro_rules! listed {
    ($ty:ident, $all:expr) => {
        impl Codec for $ty {
            fn encode(&self, out: &mut Out) {
                let index = $all.iter().position(|v| v == self).unwrap_or(usize::MAX);
                u16::try_from(index).unwrap_or(u16::MAX).encode(out);
            }
            fn decode(input: &mut &[u8]) -> Option<Self> {
                $all.get(usize::from(u16::decode(input)?)).copied()
            }
        }
    };
}

listed!(Code, Code::ALL);

impl Codec for QueryOption {
    fn encode(&self, out: &mut Out) {
        let index = QueryOption::ALL.iter().position(|(o, _)| o == self);
        u16::try_from(index.unwrap_or(usize::MAX))
            .unwrap_or(u16::MAX)
            .encode(out);
    }
    fn decode(input: &mut &[u8]) -> Option<Self> {
        QueryOption::ALL
            .get(usize::from(u16::decode(input)?))
            .map(|(o, _)| *o)
    }
}

impl Codec for Area {
    fn encode(&self, out: &mut Out) {
        self.as_str().to_owned().encode(out);
    }
    fn decode(input: &mut &[u8]) -> Option<Self> {
        Some(Area::from_cached(String::decode(input)?))
    }
}

choice!(Severity { 0 => Note, 1 => Warning, 2 => Error });
choice!(Method { 0 => Get, 1 => Post, 2 => Put, 3 => Patch, 4 => Delete, 5 => Head, 6 => Options });
choice!(TypeKind { 0 => Entity, 1 => Complex, 2 => Enum });
choice!(Primitive {
    0 => String, 1 => Boolean, 2 => Byte, 3 => SByte, 4 => Int16, 5 => Int32, 6 => Int64,
    7 => Single, 8 => Double, 9 => Decimal, 10 => DateTimeOffset, 11 => Date, 12 => TimeOfDay,
    13 => Duration, 14 => Guid, 15 => Binary, 16 => Stream, 17 => Json,
});
choice!(Origin { 0 => TypePage, 1 => ApiPage });
choice!(TypeRef { 0 => Primitive(p), 1 => Named(n), 2 => Unresolved(w) });
choice!(CellTarget { 0 => Primitive(p), 1 => Named { name, link }, 2 => Invalid });
choice!(ArgValue { 0 => Placeholder(p), 1 => Literal(l) });
choice!(Segment {
    0 => Literal { name },
    1 => Key { param },
    2 => Cast { type_name },
    3 => Function { name, args },
    4 => KeyedLiteral { name, param },
    5 => ItemPath { base, param },
    6 => Ref,
    7 => Value,
    8 => Count,
});
choice!(RequestBody { 0 => None, 1 => Resource { ty }, 2 => Parameters { parameters }, 3 => Stream });
choice!(DraftRequestBody { 0 => None, 1 => Resource(cell), 2 => Parameters(parameters), 3 => Stream });

record!(Span { start, end });
record!(Position { line, column });
record!(Loc { pos, span, read });
record!(Source {
    file,
    line,
    column,
    span
});
record!(Name { api, rust });
record!(Placeholder { name, written });
record!(FunctionArg {
    name,
    value,
    quoted
});
record!(PathTemplate { written, segments });
record!(PermissionScenario {
    scenario,
    delegated_work,
    delegated_personal,
    application
});
record!(Permissions {
    delegated_work,
    delegated_personal,
    application,
    scenarios
});
record!(Header {
    name,
    required,
    description
});
record!(ExampleCall {
    path,
    arguments,
    sent_path,
    query
});
record!(ExamplePair {
    name,
    request_url,
    request_body,
    response_status,
    response_body,
    source,
    response_source,
    call
});
record!(Representation { json, source });
record!(Related {
    file,
    line,
    column,
    span,
    message
});
record!(Diagnostic {
    code,
    file,
    line,
    column,
    span,
    message,
    help,
    related,
    fix
});
record!(Fix { description, edits });
record!(Edit {
    span,
    find,
    replace
});
record!(TypeCell {
    target,
    collection,
    written
});
record!(DraftProperty {
    name,
    cell,
    navigation,
    read_only,
    not_nullable,
    description,
    at
});
record!(DraftMember {
    name,
    value,
    description
});
record!(DraftType {
    name,
    kind,
    base,
    description,
    properties,
    members,
    key,
    open,
    page_stem,
    source,
    at,
    origin,
    pages,
    representation
});
record!(DraftParameter {
    name,
    cell,
    optional,
    description,
    at
});
record!(DraftResponse {
    status,
    body,
    collection,
    monitored,
    media_type
});
record!(DraftEndpoint {
    resource_stem,
    resource_hint,
    action,
    title,
    description,
    method,
    path,
    at,
    alternate_paths,
    permissions,
    headers,
    query_options,
    function_parameters,
    path_parameters,
    body,
    response,
    examples,
    file,
    area
});
record!(Lowered {
    endpoints,
    types,
    diags
});

// The model's items, whose text is written apart: what only the files made
// from the item itself read. Where types, properties and parameters are
// (their `source`), and a type's JSON representation, no emitter reads:
// moving them (a line added above) makes no file again. The endpoints' and
// examples' places are read (docs name the page, tests the line).
record!(Parameter { name, ty, collection, optional; text: description; unread: source });
record!(Response {
    status,
    body,
    collection,
    monitored,
    media_type
});
record!(Property {
    name, ty, collection, nullable, read_only, navigation; text: description; unread: source
});
record!(EnumMember { name, value; text: description });
record!(TypeDef {
    name, kind, base, properties, members, key, open, pages;
    text: description;
    unread: source, representation
});
record!(Endpoint {
    name, method, path, alternate_paths, query_options, function_parameters, path_parameters,
    request_body, response, pages, area;
    text: title, description, source, permissions, headers, examples
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_back_exactly_and_damage_is_refused() {
        let value: Value = serde_json::from_str(
            r#"{"b": [1, -2, 3.5, 1e300, "x", null, true], "a": {"nested": {}}, "z": 18446744073709551615}"#,
        )
        .expect("json");
        let bytes = to_bytes(&value);
        let back: Value = from_bytes(&bytes).expect("reads back");
        assert_eq!(back, value);
        assert_eq!(
            serde_json::to_string(&back).expect("json"),
            serde_json::to_string(&value).expect("json"),
            "key order is kept"
        );
        assert!(from_bytes::<Value>(&bytes[..bytes.len() - 1]).is_none());
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(from_bytes::<Value>(&longer).is_none());
        assert!(from_bytes::<Vec<String>>(&[255, 255, 255, 255]).is_none());
    }

    #[test]
    fn split_puts_text_fields_apart() {
        let member = |description: &str| EnumMember {
            name: Name {
                api: "a".into(),
                rust: "A".into(),
            },
            value: Some(1),
            description: description.into(),
        };
        let (shape, text) = split(&member("one"));
        let (same_shape, other_text) = split(&member("two"));
        assert_eq!(shape, same_shape);
        assert_ne!(text, other_text);
        let whole = to_bytes(&member("one"));
        assert_eq!(whole.len(), shape.len() + text.len());
        assert_eq!(from_bytes::<EnumMember>(&whole), Some(member("one")));
        // A parameter's place is kept in the bytes and left out of a split.
        let parameter = |line: u32| Parameter {
            name: Name {
                api: "p".into(),
                rust: "p".into(),
            },
            ty: TypeRef::Named("user".into()),
            collection: false,
            optional: true,
            description: "A parameter.".into(),
            source: Source {
                file: "api/a.md".into(),
                line,
                column: 1,
                span: Default::default(),
            },
        };
        assert_eq!(split(&parameter(3)), split(&parameter(30)));
        let bytes = to_bytes(&parameter(30));
        assert_eq!(from_bytes::<Parameter>(&bytes), Some(parameter(30)));
    }
}
