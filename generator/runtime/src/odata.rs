//! OData type annotations: which `@odata.type` a model writes, and casting a
//! value read as a base type to the derived type it really is.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Error;

/// A model with an OData type name, such as `#microsoft.graph.user`.
pub trait ODataType {
    /// The `@odata.type` value of this type.
    const ODATA_TYPE: &'static str;
    /// The `@odata.type` values of the types derived from this one.
    const DERIVED: &'static [&'static str] = &[];
    /// The wire names of the properties the docs mark read-only.
    const READ_ONLY: &'static [&'static str] = &[];
}

/// The safe body for updating `original` to `edited`: only the properties
/// whose JSON differs, never [`ODataType::READ_ONLY`] ones or `@`
/// annotations (`@odata.context`, `@odata.etag`). A property left out of
/// `edited` ([`Nullable::Absent`](super::Nullable::Absent)) is left alone; one set to `null` is
/// cleared. Unknown properties are sent only if they changed. Models call
/// this from their `changes_from` method.
pub fn changes<T: Serialize + DeserializeOwned + ODataType + Default>(
    edited: &T,
    original: &T,
) -> T {
    let (Ok(serde_json::Value::Object(edited)), Ok(serde_json::Value::Object(original))) =
        (serde_json::to_value(edited), serde_json::to_value(original))
    else {
        // Models always serialise to objects; an empty body changes nothing.
        return T::default();
    };
    let changed: serde_json::Map<String, serde_json::Value> = edited
        .into_iter()
        .filter(|(name, value)| {
            !name.starts_with('@')
                && !T::READ_ONLY.contains(&name.as_str())
                && original.get(name) != Some(value)
        })
        .collect();
    serde_json::from_value(serde_json::Value::Object(changed)).unwrap_or_default()
}

/// Re-reads `value` as `T`. A `directoryObject` that is really a user keeps the
/// user's fields in its `additional_properties`, so casting it to `User`
/// recovers them. The value's `@odata.type` must be `T` or a type derived
/// from `T`, else the cast fails with [`Error::WrongType`]; a value without
/// `@odata.type` is taken as it is.
pub fn cast<T: DeserializeOwned + ODataType>(value: &impl Serialize) -> Result<T, Error> {
    let json = serde_json::to_value(value).map_err(Error::Serialize)?;
    if let Some(found) = json.get("@odata.type").and_then(|t| t.as_str()) {
        let same = |name: &str| {
            name.trim_start_matches('#')
                .eq_ignore_ascii_case(found.trim_start_matches('#'))
        };
        if !same(T::ODATA_TYPE) && !T::DERIVED.iter().any(|d| same(d)) {
            return Err(Error::WrongType {
                expected: T::ODATA_TYPE,
                found: found.to_owned(),
            });
        }
    }
    let body = json.to_string();
    serde_json::from_value(json).map_err(|source| Error::Decode {
        source,
        body: body.into(),
        path: String::new(),
        endpoint: String::new(),
    })
}

/// A reference to another object, the body of `POST .../$ref`:
/// `{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}"}`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Reference {
    /// The URL of the referenced object.
    #[serde(rename = "@odata.id")]
    pub odata_id: String,
}

impl Reference {
    /// A reference to the object at `url`.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            odata_id: url.into(),
        }
    }
}
