//! [`AdditionalProperties`]: the properties of a JSON object that its model
//! does not declare, kept as JSON text.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// The properties of a JSON object that its model does not declare (a
/// property a later version of Graph added, an annotation, the fields of a
/// derived type read as its base), kept so that reading, changing and
/// writing back a value loses nothing.
///
/// They are kept as one piece of compact JSON text, in the order they came:
/// reading them while a model is decoded costs one buffer per object, not
/// a `serde_json::Value` per property. Each is decoded when asked for
/// ([`get`](Self::get), [`decode`](Self::decode), [`entries`](Self::entries)).
/// A name that came twice is kept twice and written back twice; the
/// lookups see the last, as a map would.
///
/// ```
/// # use graph_sdk_runtime::AdditionalProperties;
/// # use serde_json::json;
/// let mut rest: AdditionalProperties =
///     serde_json::from_str(r#"{"extensionAttribute7": "cost-center-42"}"#).unwrap();
/// assert_eq!(rest.get("extensionAttribute7"), Some(json!("cost-center-42")));
/// rest.insert("nickname", json!("Ada"));
/// assert_eq!(
///     serde_json::to_string(&rest).unwrap(),
///     r#"{"extensionAttribute7":"cost-center-42","nickname":"Ada"}"#
/// );
/// ```
#[derive(Clone, Default)]
pub struct AdditionalProperties {
    /// `{"name":value,...}`, compact UTF-8 (only ever written by
    /// `serde_json`'s writer); empty when there are none.
    json: Vec<u8>,
}

/// How much text the first property reserves: enough for a few short
/// properties, so that most objects allocate once.
const FIRST_RESERVE: usize = 128;

impl AdditionalProperties {
    /// No properties.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.json.is_empty()
    }

    /// How many there are, a name that came twice counted twice.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// The properties as one JSON object, compact: `{}` when there are none.
    pub fn as_json(&self) -> &str {
        match std::str::from_utf8(&self.json) {
            Ok(text) if !text.is_empty() => text,
            // None (or, never, text that is not UTF-8).
            _ => "{}",
        }
    }

    /// The value of the property `name` (the last, if it came twice).
    pub fn get(&self, name: &str) -> Option<Value> {
        self.entries()
            .into_iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value)
    }

    /// The value of the property `name` decoded as `T`: `None` when there
    /// is no such property, an error when it is not a `T`.
    pub fn decode<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
    ) -> Option<Result<T, serde_json::Error>> {
        self.get(name).map(T::deserialize)
    }

    /// Whether the property `name` is there.
    pub fn contains_key(&self, name: &str) -> bool {
        self.entries().iter().any(|(n, _)| n == name)
    }

    /// The names and values, in the order they came.
    pub fn entries(&self) -> Vec<(String, Value)> {
        if self.json.is_empty() {
            return Vec::new();
        }
        // The text is always an object this type wrote.
        serde_json::from_slice::<Entries>(&self.json).map_or_else(|_| Vec::new(), |e| e.0)
    }

    /// The properties as a map (the last value of a name that came twice).
    pub fn to_map(&self) -> Map<String, Value> {
        self.entries().into_iter().collect()
    }

    /// Sets the property `name` to `value`, after the others; returns the
    /// value it had.
    pub fn insert(&mut self, name: impl Into<String>, value: impl Into<Value>) -> Option<Value> {
        let name = name.into();
        let old = self.remove(&name);
        self.push(&name, &value.into());
        old
    }

    /// Removes the property `name`; returns its value (the last, if it came
    /// twice).
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let mut entries = self.entries();
        let old = entries
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())?;
        entries.retain(|(n, _)| n != name);
        *self = entries.into_iter().collect();
        Some(old)
    }

    /// Removes every property.
    pub fn clear(&mut self) {
        self.json.clear();
    }

    /// Appends `name: value`.
    fn push(&mut self, name: &str, value: &Value) {
        // Writing a `Value` as JSON does not fail; if it ever did, the
        // property would be left out rather than half-written.
        let _ = self.append(name, |out| value.serialize(out));
    }

    /// Appends `name` and the value `write` writes; on an error, leaves
    /// the text as it was.
    fn append<E>(
        &mut self,
        name: &str,
        write: impl FnOnce(&mut serde_json::Serializer<&mut Vec<u8>>) -> Result<(), E>,
    ) -> Result<(), E>
    where
        E: From<serde_json::Error>,
    {
        let before = self.json.len();
        if before == 0 {
            self.json.reserve(FIRST_RESERVE);
            self.json.push(b'{');
        } else {
            // Reopen the object: its `}` becomes `,`.
            self.json.pop();
            self.json.push(b',');
        }
        let named = name.serialize(&mut serde_json::Serializer::new(&mut self.json));
        let result = match named {
            Ok(()) => {
                self.json.push(b':');
                write(&mut serde_json::Serializer::new(&mut self.json))
            }
            Err(e) => Err(E::from(e)),
        };
        match result {
            Ok(()) => self.json.push(b'}'),
            Err(_) => {
                self.json.truncate(before.saturating_sub(1));
                if before > 0 {
                    self.json.push(b'}');
                }
            }
        }
        result
    }

    /// Reads the next value of `map` as the property `name`: what a model's
    /// reader does with a property it does not declare. The value is
    /// written straight into the text as it is read.
    pub(crate) fn read_next<'de, A: MapAccess<'de>>(
        &mut self,
        name: &str,
        map: &mut A,
    ) -> Result<(), A::Error> {
        let mut failed = None;
        let result = self.append(name, |out| {
            map.next_value_seed(Transcode(out)).map_err(|e| {
                failed = Some(e);
                Failed
            })
        });
        match (result, failed) {
            (Ok(()), _) => Ok(()),
            (Err(_), Some(e)) => Err(e),
            (Err(_), None) => Err(serde::de::Error::custom(format_args!(
                "`{name}`: the name could not be written"
            ))),
        }
    }

    /// Writes each property into `map`, as [`Serialize`] does into an
    /// object of its own: what a model's writer does after its declared
    /// properties. Nothing is decoded into a `Value` on the way.
    pub fn write_into<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        if self.json.is_empty() {
            return Ok(());
        }
        let mut failed = None;
        let mut reader = serde_json::Deserializer::from_slice(&self.json);
        let read = reader.deserialize_map(WriteEntries {
            map,
            failed: &mut failed,
        });
        match (failed, read) {
            (Some(e), _) => Err(e),
            (None, Ok(())) => Ok(()),
            (None, Err(e)) => Err(serde::ser::Error::custom(e)),
        }
    }
}

/// The error [`AdditionalProperties::append`] passes on when the reader's
/// own error is kept aside.
struct Failed;

impl From<serde_json::Error> for Failed {
    fn from(_: serde_json::Error) -> Self {
        Failed
    }
}

/// Reads a value and writes it as JSON text, in one pass.
struct Transcode<'a, 'b>(&'a mut serde_json::Serializer<&'b mut Vec<u8>>);

impl<'de> DeserializeSeed<'de> for Transcode<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        serde_transcode::transcode(deserializer, self.0).map_err(serde::de::Error::custom)
    }
}

/// Reads the kept text and writes each property into a map being written.
struct WriteEntries<'a, M: SerializeMap> {
    map: &'a mut M,
    failed: &'a mut Option<M::Error>,
}

impl<'de, M: SerializeMap> Visitor<'de> for WriteEntries<'_, M> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(name) = map.next_key::<Cow<'de, str>>()? {
            map.next_value_seed(WriteEntry {
                name: &name,
                map: &mut *self.map,
                failed: &mut *self.failed,
            })?;
        }
        Ok(())
    }
}

/// Writes one property into a map being written, its value read from the
/// kept text as it goes.
struct WriteEntry<'a, M: SerializeMap> {
    name: &'a str,
    map: &'a mut M,
    failed: &'a mut Option<M::Error>,
}

impl<'de, M: SerializeMap> DeserializeSeed<'de> for WriteEntry<'_, M> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let value = serde_transcode::Transcoder::new(deserializer);
        self.map.serialize_entry(self.name, &value).map_err(|e| {
            *self.failed = Some(e);
            serde::de::Error::custom("the writer failed")
        })
    }
}

/// The entries of the kept text, in order.
struct Entries(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntriesVisitor;

        impl<'de> Visitor<'de> for EntriesVisitor {
            type Value = Entries;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }

        deserializer.deserialize_map(EntriesVisitor)
    }
}

impl Serialize for AdditionalProperties {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        self.write_into(&mut map)?;
        map.end()
    }
}

impl<'de> Deserialize<'de> for AdditionalProperties {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor;

        impl<'de> Visitor<'de> for ObjectVisitor {
            type Value = AdditionalProperties;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }

            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<AdditionalProperties, A::Error> {
                let mut out = AdditionalProperties::new();
                while let Some(name) = map.next_key::<super::Key<'de>>()? {
                    out.read_next(name.as_str(), &mut map)?;
                }
                Ok(out)
            }
        }

        deserializer.deserialize_map(ObjectVisitor)
    }
}

/// Equal when they hold the same properties with the same values, in any
/// order (compared as maps unless the texts are the same).
impl PartialEq for AdditionalProperties {
    fn eq(&self, other: &Self) -> bool {
        self.json == other.json || self.to_map() == other.to_map()
    }
}

impl fmt::Debug for AdditionalProperties {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.entries()).finish()
    }
}

impl FromIterator<(String, Value)> for AdditionalProperties {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        let mut out = Self::new();
        out.extend(iter);
        out
    }
}

impl Extend<(String, Value)> for AdditionalProperties {
    /// Appends each property, after the others (a name already there is
    /// then there twice; [`insert`](AdditionalProperties::insert) replaces).
    fn extend<I: IntoIterator<Item = (String, Value)>>(&mut self, iter: I) {
        for (name, value) in iter {
            self.push(&name, &value);
        }
    }
}

impl From<Map<String, Value>> for AdditionalProperties {
    fn from(map: Map<String, Value>) -> Self {
        map.into_iter().collect()
    }
}

impl From<AdditionalProperties> for Map<String, Value> {
    fn from(properties: AdditionalProperties) -> Self {
        properties.to_map()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_in_order_and_writes_back_the_same() {
        let text = r#"{"b": {"deep": [1, 2.5, null, true]}, "a": "x\"y\u00e9", "b2": -3}"#;
        let rest: AdditionalProperties = serde_json::from_str(text).expect("reads");
        assert_eq!(
            rest.as_json(),
            r#"{"b":{"deep":[1,2.5,null,true]},"a":"x\"yé","b2":-3}"#
        );
        assert_eq!(rest.len(), 3);
        assert_eq!(rest.get("a"), Some(json!("x\"yé")));
        assert_eq!(rest.decode::<i32>("b2").map(Result::ok), Some(Some(-3)));
        assert!(rest.decode::<i32>("a").expect("there").is_err());
        assert_eq!(rest.get("missing"), None);
        let keys: Vec<String> = rest.entries().into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["b", "a", "b2"]);
        // Written back (as text and as a `Value`), the same object.
        let again = serde_json::to_string(&rest).expect("writes");
        assert_eq!(again, rest.as_json());
        assert_eq!(
            serde_json::to_value(&rest).expect("writes"),
            serde_json::from_str::<Value>(text).expect("json")
        );
        // Read from a `Value` too.
        let from_value: AdditionalProperties =
            serde_json::from_value(serde_json::from_str(text).expect("json")).expect("reads");
        assert_eq!(from_value, rest);
    }

    #[test]
    fn an_escaped_name_is_kept_and_written_escaped() {
        let text = r#"{"odd \"name\"\n": 1, "\u00e9t\u00e9": "x"}"#;
        let rest: AdditionalProperties = serde_json::from_str(text).expect("reads");
        assert_eq!(rest.get("odd \"name\"\n"), Some(json!(1)));
        assert_eq!(rest.get("été"), Some(json!("x")));
        assert_eq!(rest.as_json(), r#"{"odd \"name\"\n":1,"été":"x"}"#);
    }

    #[test]
    fn inserts_replace_and_removes_take_out() {
        let mut rest = AdditionalProperties::new();
        assert!(rest.is_empty());
        assert_eq!(rest.as_json(), "{}");
        assert_eq!(serde_json::to_string(&rest).expect("writes"), "{}");
        assert_eq!(rest.insert("a", 1), None);
        assert_eq!(rest.insert("b", "two"), None);
        assert_eq!(rest.insert("a", json!([3])), Some(json!(1)));
        assert_eq!(rest.as_json(), r#"{"b":"two","a":[3]}"#);
        assert!(rest.contains_key("a"));
        assert_eq!(rest.remove("b"), Some(json!("two")));
        assert_eq!(rest.remove("b"), None);
        assert_eq!(rest.as_json(), r#"{"a":[3]}"#);
        rest.clear();
        assert!(rest.is_empty());
    }

    #[test]
    fn a_name_twice_is_kept_twice_and_read_as_the_last() {
        let rest: AdditionalProperties =
            serde_json::from_str(r#"{"a": 1, "a": 2}"#).expect("reads");
        assert_eq!(rest.len(), 2);
        assert_eq!(rest.get("a"), Some(json!(2)));
        assert_eq!(rest.to_map()["a"], json!(2));
        assert_eq!(
            serde_json::to_string(&rest).expect("writes"),
            r#"{"a":1,"a":2}"#
        );
    }

    #[test]
    fn equal_as_maps_whatever_the_order() {
        let one: AdditionalProperties = [("a".to_owned(), json!(1)), ("b".to_owned(), json!(2))]
            .into_iter()
            .collect();
        let other: AdditionalProperties =
            serde_json::from_str(r#"{"b": 2, "a": 1}"#).expect("reads");
        assert_eq!(one, other);
        let third: AdditionalProperties = serde_json::from_str(r#"{"b": 3}"#).expect("reads");
        assert_ne!(one, third);
        assert_eq!(format!("{third:?}"), r#"{"b": Number(3)}"#);
    }

    #[test]
    fn a_bad_value_leaves_the_text_whole_and_is_the_error() {
        let mut rest: AdditionalProperties =
            serde_json::from_str(r#"{"kept": true}"#).expect("reads");
        let mut reader = serde_json::Deserializer::from_str(r#"{"next": [1, }"#);
        struct One<'a>(&'a mut AdditionalProperties);
        impl<'de> Visitor<'de> for One<'_> {
            type Value = ();
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
                let name: String = map.next_key()?.unwrap_or_default();
                self.0.read_next(&name, &mut map)
            }
        }
        let err = serde::Deserializer::deserialize_map(&mut reader, One(&mut rest))
            .expect_err("a truncated array");
        assert!(err.to_string().contains("expected value"), "{err}");
        assert_eq!(rest.as_json(), r#"{"kept":true}"#);
        assert_eq!(rest.get("kept"), Some(json!(true)));
    }
}
