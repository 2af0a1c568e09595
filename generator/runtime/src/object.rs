//! Models as JSON objects: what the generated `Serialize` and `Deserialize`
//! impls of model types call.
//!
//! A generated impl is one line per property ([`ObjectWriter::field`],
//! [`ObjectReader::take`]) instead of serde's derive, whose expansion for
//! a struct with a flattened map of unknown properties is many times larger.
//! At Graph's size (over a thousand types) that expansion decides how much
//! memory and time compiling the crate takes. The behaviour is the derive's
//! with `#[serde(default)]`, `skip_serializing_if` on absent values and a
//! `#[serde(flatten)]` map: a missing property is its default, unknown ones
//! are kept, absent ones are not written. (The derive also buffers the whole
//! object before reading a struct with a flattened map.)

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use super::Nullable;

/// A property value that may be left out of the JSON entirely.
pub trait MaybeAbsent {
    /// Whether the property is left out.
    fn is_absent(&self) -> bool;
}

impl<T> MaybeAbsent for Nullable<T> {
    fn is_absent(&self) -> bool {
        Nullable::is_absent(self)
    }
}

impl<T> MaybeAbsent for Option<T> {
    fn is_absent(&self) -> bool {
        self.is_none()
    }
}

/// Writes a model as a JSON object, property by property. The first error
/// stops the writing and is returned by [`end`](Self::end), so that a
/// generated impl is a plain list of calls.
pub struct ObjectWriter<M: SerializeMap> {
    map: Result<M, M::Error>,
}

impl<M: SerializeMap> ObjectWriter<M> {
    /// Starts the object.
    pub fn new<S: Serializer<SerializeMap = M, Error = M::Error>>(serializer: S) -> Self {
        Self {
            map: serializer.serialize_map(None),
        }
    }

    /// Writes `name: value`, unless the value is absent.
    pub fn field<T: Serialize + MaybeAbsent>(&mut self, name: &str, value: &T) {
        if value.is_absent() {
            return;
        }
        if let Ok(map) = &mut self.map {
            if let Err(e) = map.serialize_entry(name, value) {
                self.map = Err(e);
            }
        }
    }

    /// Writes the properties the type does not declare, and ends the object.
    pub fn end(self, additional: &BTreeMap<String, Value>) -> Result<M::Ok, M::Error> {
        let mut map = self.map?;
        for (name, value) in additional {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

/// Reads a model from a JSON object, property by property. The first error
/// is kept and returned by [`finish`](Self::finish), so that a generated
/// impl is a plain struct literal.
pub struct ObjectReader<E> {
    fields: Map<String, Value>,
    error: Option<E>,
}

impl<E: serde::de::Error> ObjectReader<E> {
    /// Reads the object.
    pub fn new<'de, D: Deserializer<'de, Error = E>>(deserializer: D) -> Result<Self, E> {
        Ok(Self {
            fields: Map::deserialize(deserializer)?,
            error: None,
        })
    }

    /// Takes the property `name`: its value, or the default when missing (or
    /// after an error).
    pub fn take<T: DeserializeOwned + Default>(&mut self, name: &str) -> T {
        match self.fields.remove(name) {
            Some(value) if self.error.is_none() => T::deserialize(value).unwrap_or_else(|e| {
                self.error = Some(E::custom(format_args!("`{name}`: {e}")));
                T::default()
            }),
            _ => T::default(),
        }
    }

    /// The properties not taken: those the type does not declare.
    pub fn rest(&mut self) -> BTreeMap<String, Value> {
        std::mem::take(&mut self.fields).into_iter().collect()
    }

    /// The value read, or the first error.
    pub fn finish<T>(self, value: T) -> Result<T, E> {
        match self.error {
            None => Ok(value),
            Some(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What a generated model looks like.
    #[derive(Debug, Default, PartialEq)]
    struct Thing {
        odata_type: Option<String>,
        display_name: Nullable<String>,
        size: Nullable<i64>,
        additional_properties: BTreeMap<String, Value>,
    }

    impl Serialize for Thing {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            let mut object = ObjectWriter::new(serializer);
            object.field("@odata.type", &self.odata_type);
            object.field("displayName", &self.display_name);
            object.field("size", &self.size);
            object.end(&self.additional_properties)
        }
    }

    impl<'de> Deserialize<'de> for Thing {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let mut object = ObjectReader::new(deserializer)?;
            let value = Self {
                odata_type: object.take("@odata.type"),
                display_name: object.take("displayName"),
                size: object.take("size"),
                additional_properties: object.rest(),
            };
            object.finish(value)
        }
    }

    #[test]
    fn reads_present_null_missing_and_unknown_properties() {
        let thing: Thing = serde_json::from_value(json!({
            "displayName": null,
            "size": 3,
            "colour": "blue",
        }))
        .expect("reads");
        assert_eq!(thing.odata_type, None);
        assert!(thing.display_name.is_null());
        assert_eq!(thing.size, Nullable::Value(3));
        assert_eq!(thing.additional_properties["colour"], json!("blue"));
    }

    #[test]
    fn writes_what_is_set_and_round_trips() {
        let thing = Thing {
            odata_type: Some("#microsoft.graph.thing".into()),
            display_name: Nullable::Null,
            additional_properties: [("colour".to_owned(), json!("blue"))].into(),
            ..Thing::default()
        };
        let value = serde_json::to_value(&thing).expect("writes");
        assert_eq!(
            value,
            json!({"@odata.type": "#microsoft.graph.thing", "displayName": null, "colour": "blue"})
        );
        let again: Thing = serde_json::from_value(value).expect("reads");
        assert_eq!(again, thing);
    }

    #[test]
    fn a_wrong_kind_names_the_property() {
        let err = serde_json::from_str::<Thing>(r#"{"size": "three"}"#).expect_err("fails");
        assert!(err.to_string().contains("`size`"), "{err}");
        let err = serde_json::from_str::<Thing>("[1]").expect_err("fails");
        assert!(err.to_string().contains("map"), "{err}");
    }
}
