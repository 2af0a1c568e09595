//! [`Nullable`]: a three-state field (absent / null / value) for PATCH bodies.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A field that can be left out, explicitly cleared, or set.
///
/// Graph's PATCH semantics distinguish three cases that `Option<T>` cannot:
///
/// | state            | JSON sent             | effect on the resource |
/// |------------------|-----------------------|------------------------|
/// | `Absent`         | field omitted         | unchanged              |
/// | `Null`           | `"field": null`       | value cleared          |
/// | `Value(v)`       | `"field": v`          | value replaced         |
///
/// Generated models declare such fields as
///
/// ```
/// use graph_sdk_runtime::Nullable;
///
/// #[derive(Default, serde::Serialize, serde::Deserialize)]
/// struct User {
///     #[serde(rename = "jobTitle", default, skip_serializing_if = "Nullable::is_absent")]
///     job_title: Nullable<String>,
/// }
///
/// let cleared = User { job_title: Nullable::Null };
/// assert_eq!(serde_json::to_string(&cleared).unwrap(), r#"{"jobTitle":null}"#);
/// assert_eq!(serde_json::to_string(&User::default()).unwrap(), "{}");
/// ```
///
/// so that deserializing a missing field yields `Absent`, `null` yields
/// `Null`, and anything else yields `Value`. Build values with `.into()`:
/// `"x".to_string().into()` is `Value`, `None::<String>.into()` is `Null`,
/// and `Nullable::default()` is `Absent`.
///
/// Without the `skip_serializing_if` attribute, `Absent` serializes as `null`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Nullable<T> {
    /// Not present: omitted from requests, missing from responses.
    #[default]
    Absent,
    /// Explicit JSON `null`: clears the value on PATCH.
    Null,
    /// A concrete value.
    Value(T),
}

impl<T> Nullable<T> {
    /// `true` for [`Nullable::Absent`] (use with `skip_serializing_if`).
    pub fn is_absent(&self) -> bool {
        matches!(self, Nullable::Absent)
    }

    /// `true` for [`Nullable::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Nullable::Null)
    }

    /// `true` for [`Nullable::Value`].
    pub fn is_value(&self) -> bool {
        matches!(self, Nullable::Value(_))
    }

    /// Borrows the value, if any.
    pub fn as_ref(&self) -> Option<&T> {
        match self {
            Nullable::Value(v) => Some(v),
            _ => None,
        }
    }

    /// Mutably borrows the value, if any.
    pub fn as_mut(&mut self) -> Option<&mut T> {
        match self {
            Nullable::Value(v) => Some(v),
            _ => None,
        }
    }

    /// Borrows the value, if any (alias of [`Nullable::as_ref`]).
    pub fn value(&self) -> Option<&T> {
        self.as_ref()
    }

    /// Returns the value, treating `Absent` and `Null` alike as `None`.
    pub fn into_option(self) -> Option<T> {
        match self {
            Nullable::Value(v) => Some(v),
            _ => None,
        }
    }

    /// `None` when absent, `Some(None)` when null, `Some(Some(v))` when set.
    pub fn into_nested_option(self) -> Option<Option<T>> {
        match self {
            Nullable::Absent => None,
            Nullable::Null => Some(None),
            Nullable::Value(v) => Some(Some(v)),
        }
    }

    /// Maps the contained value, keeping `Absent` and `Null` as they are.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Nullable<U> {
        match self {
            Nullable::Absent => Nullable::Absent,
            Nullable::Null => Nullable::Null,
            Nullable::Value(v) => Nullable::Value(f(v)),
        }
    }

    /// Borrowing view, e.g. to turn `&Nullable<String>` into `Nullable<&str>` with `map`.
    pub fn as_nullable_ref(&self) -> Nullable<&T> {
        match self {
            Nullable::Absent => Nullable::Absent,
            Nullable::Null => Nullable::Null,
            Nullable::Value(v) => Nullable::Value(v),
        }
    }
}

impl<T> From<T> for Nullable<T> {
    /// Wraps a value as [`Nullable::Value`].
    fn from(value: T) -> Self {
        Nullable::Value(value)
    }
}

/// `"ada@contoso.com".into()` sets a text field, as `String` does.
impl From<&str> for Nullable<String> {
    fn from(value: &str) -> Self {
        Nullable::Value(value.to_owned())
    }
}

impl<T> From<Option<T>> for Nullable<T> {
    /// `Some(v)` becomes `Value(v)`; `None` becomes `Null` (an explicit clear).
    fn from(value: Option<T>) -> Self {
        value.map_or(Nullable::Null, Nullable::Value)
    }
}

impl<T: Serialize> Serialize for Nullable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Nullable::Value(v) => v.serialize(serializer),
            Nullable::Absent | Nullable::Null => serializer.serialize_none(),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Nullable<T> {
    /// `null` gives `Null`, a value gives `Value`; a missing field needs `#[serde(default)]`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<T>::deserialize(deserializer)?.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct UserPatch {
        #[serde(default, skip_serializing_if = "Nullable::is_absent")]
        display_name: Nullable<String>,
        #[serde(default, skip_serializing_if = "Nullable::is_absent")]
        job_title: Nullable<String>,
        #[serde(default, skip_serializing_if = "Nullable::is_absent")]
        age: Nullable<u32>,
    }

    #[test]
    fn text_fields_take_str() {
        let patch = UserPatch {
            display_name: "Ada".into(),
            ..UserPatch::default()
        };
        assert_eq!(patch.display_name, Nullable::Value("Ada".to_owned()));
    }

    #[test]
    fn serializes_three_states() {
        let patch = UserPatch {
            display_name: "Ada".to_string().into(),
            job_title: None.into(),
            ..Default::default()
        };
        let value = serde_json::to_value(&patch).expect("serialize");
        assert_eq!(value, json!({"displayName": "Ada", "jobTitle": null}));
        assert_eq!(
            serde_json::to_string(&UserPatch::default()).ok().as_deref(),
            Some("{}")
        );
    }

    #[test]
    fn deserializes_three_states_and_round_trips() {
        let parsed: UserPatch =
            serde_json::from_value(json!({"jobTitle": null, "age": 7})).expect("deserialize");
        assert!(parsed.display_name.is_absent());
        assert!(parsed.job_title.is_null());
        assert_eq!(parsed.age, Nullable::Value(7));
        let again: UserPatch =
            serde_json::from_value(serde_json::to_value(&parsed).expect("serialize"))
                .expect("deserialize");
        assert_eq!(again, parsed);
        assert!(serde_json::from_value::<UserPatch>(json!({"age": "x"})).is_err());
    }

    #[test]
    fn accessors() {
        let v: Nullable<String> = "a".to_string().into();
        assert_eq!(v.as_ref().map(String::as_str), Some("a"));
        assert_eq!(v.as_nullable_ref().map(|s| s.len()), Nullable::Value(1));
        assert_eq!(v.clone().into_nested_option(), Some(Some("a".to_string())));
        assert_eq!(Nullable::<u8>::Null.into_nested_option(), Some(None));
        assert_eq!(Nullable::<u8>::Absent.into_nested_option(), None);
        assert_eq!(Nullable::<u8>::Null.into_option(), None);
        assert!(v.is_value() && !v.is_null() && !v.is_absent());
        assert_eq!(v.value(), Some(&"a".to_string()));
    }
}
