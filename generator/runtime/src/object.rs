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

use super::{AdditionalProperties, Nullable};

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
    pub fn end(self, additional: &AdditionalProperties) -> Result<M::Ok, M::Error> {
        let mut map = self.map?;
        additional.write_into(&mut map)?;
        map.end()
    }
}

/// A model read property by property: [`read_fields`] runs the loop over
/// the object, and the model's `read_field` puts each property where it
/// belongs. `runtime::model!` implements it.
pub trait Fields: Default {
    /// What the value is, for errors: "a `User` object".
    const EXPECTING: &'static str;

    /// Reads the value of the property `key` from `map`.
    fn read_field<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        key: Key<'de>,
        map: &mut A,
    ) -> Result<(), A::Error>;
}

/// Reads a [`Fields`] model in one pass over its object.
pub fn read_fields<'de, T: Fields, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    struct Visitor<T>(std::marker::PhantomData<T>);

    impl<'de, T: Fields> serde::de::Visitor<'de> for Visitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(T::EXPECTING)
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
            let mut value = T::default();
            while let Some(key) = map.next_key::<Key<'de>>()? {
                value.read_field(key, &mut map)?;
            }
            Ok(value)
        }
    }

    deserializer.deserialize_map(Visitor(std::marker::PhantomData))
}

/// Reads the next value of `map` into `field`: a model's reader calls it
/// for each property it declares.
pub fn read_value<'de, A: serde::de::MapAccess<'de>, T: Deserialize<'de>>(
    map: &mut A,
    field: &mut T,
) -> Result<(), A::Error> {
    *field = map.next_value()?;
    Ok(())
}

/// Reads the next value of `map` into `rest` under `key`: a model's reader
/// calls it for each property it does not declare. The value is written
/// into `rest`'s text as it is read.
pub fn read_unknown<'de, A: serde::de::MapAccess<'de>>(
    map: &mut A,
    key: Key<'de>,
    rest: &mut AdditionalProperties,
) -> Result<(), A::Error> {
    rest.read_next(key.as_str(), map)
}

/// A property name as a model reads it: borrowed from the input where the
/// JSON has no escapes, so matching it against the declared names
/// allocates nothing; owned only for a property kept in
/// `additional_properties`.
#[derive(Debug)]
pub struct Key<'de>(std::borrow::Cow<'de, str>);

impl<'de> Key<'de> {
    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name, owned.
    pub fn into_owned(self) -> String {
        self.0.into_owned()
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a property name")
            }

            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Borrowed(v)))
            }

            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v.to_owned())))
            }

            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(std::borrow::Cow::Owned(v)))
            }
        }

        deserializer.deserialize_str(Visitor)
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

/// A type told apart by `@odata.type`: a dispatch enum of a generated crate
/// (`AnyDirectoryObject`). [`read_tagged`] finds the type and hands the
/// whole object to [`decode`](Self::decode).
pub trait Tagged: Sized {
    /// The value of the type named `odata_type` (without `#`; `None` when
    /// the object names none), read from `object`, which yields the whole
    /// object, `@odata.type` included.
    fn decode<'de, D: Deserializer<'de>>(
        odata_type: Option<&str>,
        object: D,
    ) -> Result<Self, D::Error>;
}

/// Reads a [`Tagged`] value in one pass where `@odata.type` is the first
/// property (Graph writes it first): the rest of the object goes straight
/// to the variant's own reader. Where it comes later, the object is read
/// into a `serde_json::Value` first, and then the variant from it.
pub fn read_tagged<'de, T: Tagged, D: Deserializer<'de>>(deserializer: D) -> Result<T, D::Error> {
    struct Visitor<T>(std::marker::PhantomData<T>);

    impl<'de, T: Tagged> serde::de::Visitor<'de> for Visitor<T> {
        type Value = T;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }

        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
            use serde::de::value::MapAccessDeserializer;
            let Some(first) = map.next_key::<Key<'de>>()? else {
                return T::decode(
                    None,
                    MapAccessDeserializer::new(Prepended {
                        first: None,
                        rest: map,
                    }),
                );
            };
            if first.as_str() == "@odata.type" {
                let odata_type: String = map.next_value()?;
                let name = odata_type.trim_start_matches('#').to_owned();
                let rest = Prepended {
                    first: Some(odata_type),
                    rest: map,
                };
                return T::decode(Some(&name), MapAccessDeserializer::new(rest));
            }
            let first_value: Value = map.next_value()?;
            // `@odata.type` later, or not at all: the whole object first.
            let mut object = Map::new();
            object.insert(first.into_owned(), first_value);
            while let Some(key) = map.next_key::<String>()? {
                let value = map.next_value()?;
                object.insert(key, value);
            }
            let odata_type = object
                .get("@odata.type")
                .and_then(Value::as_str)
                .map(|t| t.trim_start_matches('#').to_owned());
            T::decode(odata_type.as_deref(), Value::Object(object))
                .map_err(serde::de::Error::custom)
        }
    }

    deserializer.deserialize_map(Visitor(std::marker::PhantomData))
}

/// The rest of an object whose `@odata.type` was read already: that
/// property first, then the others.
struct Prepended<A> {
    first: Option<String>,
    rest: A,
}

impl<'de, A: serde::de::MapAccess<'de>> serde::de::MapAccess<'de> for Prepended<A> {
    type Error = A::Error;

    fn next_key_seed<K: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        use serde::de::IntoDeserializer;
        match &self.first {
            Some(_) => seed
                .deserialize("@odata.type".into_deserializer())
                .map(Some),
            None => self.rest.next_key_seed(seed),
        }
    }

    fn next_value_seed<V: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, A::Error> {
        match self.first.take() {
            // As a JSON value, which reads as an `Option` too.
            Some(odata_type) => seed
                .deserialize(Value::String(odata_type))
                .map_err(serde::de::Error::custom),
            None => self.rest.next_value_seed(seed),
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
        additional_properties: AdditionalProperties,
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
                additional_properties: object.rest().into_iter().collect(),
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
        assert_eq!(
            thing.additional_properties.get("colour"),
            Some(json!("blue"))
        );
    }

    #[test]
    fn writes_what_is_set_and_round_trips() {
        let thing = Thing {
            odata_type: Some("#microsoft.graph.thing".into()),
            display_name: Nullable::Null,
            additional_properties: [("colour".to_owned(), json!("blue"))].into_iter().collect(),
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

    mod one_pass {
        // By relative paths: a standalone crate compiles these tests in
        // its copy of the runtime, `crate::runtime`.
        use super::super::super::{Nullable, ODataType, Tagged, read_tagged};
        use serde::Deserialize;
        use serde_json::json;

        crate::model! {
            /// A model as a generated crate declares it.
            #[derive(Debug, Clone, Default, PartialEq)]
            pub struct Device {
                /// A name.
                #[wire = "displayName"]
                pub display_name: Nullable<String>,
                /// A count.
                #[wire = "size"]
                pub size: Nullable<i64>,
            }
        }

        impl ODataType for Device {
            const ODATA_TYPE: &'static str = "#microsoft.graph.device";
        }

        crate::model! {
            /// Another.
            #[derive(Debug, Clone, Default, PartialEq)]
            pub struct Printer {
                /// A name.
                #[wire = "displayName"]
                pub display_name: Nullable<String>,
            }
        }

        impl ODataType for Printer {
            const ODATA_TYPE: &'static str = "#microsoft.graph.printer";
        }

        /// What a dispatch enum of a generated crate looks like.
        #[derive(Debug, PartialEq)]
        enum AnyDevice {
            Device(Box<Device>),
            Printer(Box<Printer>),
            Other(serde_json::Value),
        }

        impl<'de> Deserialize<'de> for AnyDevice {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                read_tagged(d)
            }
        }

        impl Tagged for AnyDevice {
            fn decode<'de, D: serde::Deserializer<'de>>(
                odata_type: Option<&str>,
                object: D,
            ) -> Result<Self, D::Error> {
                match odata_type {
                    None | Some("microsoft.graph.device") => {
                        Deserialize::deserialize(object).map(Self::Device)
                    }
                    Some("microsoft.graph.printer") => {
                        Deserialize::deserialize(object).map(Self::Printer)
                    }
                    _ => serde_json::Value::deserialize(object).map(Self::Other),
                }
            }
        }

        #[test]
        fn a_model_reads_its_properties_and_keeps_the_rest_in_one_pass() {
            // An escaped name is read as well as a plain one.
            let text = r#"{"display\u004eame": "a", "size": 3, "extra": {"deep": [1]}, "@odata.etag": "W/1"}"#;
            let device: Device = serde_json::from_str(text).expect("reads");
            assert_eq!(device.display_name, Nullable::Value("a".to_owned()));
            assert_eq!(device.size, Nullable::Value(3));
            assert_eq!(
                device.additional_properties.get("extra"),
                Some(json!({"deep": [1]}))
            );
            assert_eq!(
                device.additional_properties.get("@odata.etag"),
                Some(json!("W/1"))
            );
            // Written back, nothing is lost.
            let back = serde_json::to_value(&device).expect("writes");
            assert_eq!(
                back,
                json!({"displayName": "a", "size": 3, "extra": {"deep": [1]}, "@odata.etag": "W/1"})
            );
            // A new value names its type; an update sends what changed.
            let mut changed = device.clone();
            changed.size = Nullable::Value(4);
            assert_eq!(
                serde_json::to_value(changed.changes_from(&device)).expect("writes"),
                json!({"size": 4})
            );
            assert_eq!(
                Device::new().odata_type.as_deref(),
                Some("#microsoft.graph.device")
            );
            assert_eq!(
                Printer::new().odata_type.as_deref(),
                Some("#microsoft.graph.printer")
            );
            let printer = Printer::new();
            assert_eq!(printer.changes_from(&printer), Printer::default());
            // `null` and absent stay apart.
            let cleared: Device = serde_json::from_str(r#"{"size": null}"#).expect("reads");
            assert_eq!(cleared.size, Nullable::Null);
            assert_eq!(cleared.display_name, Nullable::Absent);
        }

        #[test]
        fn a_bad_value_is_an_error_at_its_path() {
            let text = r#"{"value": [{"size": 1}, {"size": "two"}]}"#;
            let mut de = serde_json::Deserializer::from_str(text);
            let err = serde_path_to_error::deserialize::<
                _,
                std::collections::BTreeMap<String, Vec<Device>>,
            >(&mut de)
            .expect_err("a string is no count");
            assert_eq!(err.path().to_string(), "value[1].size");
            let err = serde_json::from_str::<Device>("[1]").expect_err("not an object");
            assert!(err.to_string().contains("`Device` object"), "{err}");
        }

        #[test]
        fn a_tagged_value_is_read_by_its_type_first_or_later() {
            let first: AnyDevice = serde_json::from_value(
                json!({"@odata.type": "#microsoft.graph.printer", "displayName": "p"}),
            )
            .expect("reads");
            let later: AnyDevice = serde_json::from_value(
                json!({"displayName": "p", "@odata.type": "#microsoft.graph.printer"}),
            )
            .expect("reads");
            for read in [first, later] {
                let AnyDevice::Printer(printer) = read else {
                    panic!("a printer: {read:?}")
                };
                assert_eq!(printer.display_name, Nullable::Value("p".to_owned()));
                assert_eq!(
                    printer.odata_type.as_deref(),
                    Some("#microsoft.graph.printer")
                );
            }
            let untagged: AnyDevice = serde_json::from_value(json!({"size": 2})).expect("reads");
            assert!(matches!(untagged, AnyDevice::Device(d) if d.size == Nullable::Value(2)));
            let empty: AnyDevice = serde_json::from_str("{}").expect("reads");
            assert!(matches!(empty, AnyDevice::Device(_)));
            let unknown = json!({"@odata.type": "#microsoft.graph.phone", "number": "1"});
            let other: AnyDevice = serde_json::from_value(unknown.clone()).expect("reads");
            assert_eq!(other, AnyDevice::Other(unknown));
            // From text too, where keys are borrowed.
            let text = r##"{"@odata.type": "#microsoft.graph.device", "size": 5, "x": 1}"##;
            let device: AnyDevice = serde_json::from_str(text).expect("reads");
            let AnyDevice::Device(device) = device else {
                panic!("a device")
            };
            assert_eq!(device.additional_properties.get("x"), Some(json!(1)));
        }
    }
}
