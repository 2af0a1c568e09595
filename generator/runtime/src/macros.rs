//! The code every model, property-name enum and request builder of a
//! generated crate has in common, said once here instead of a thousand
//! times in the crate. Each macro expands to plain impls; the generated
//! source keeps what differs (the struct and its fields, the names, the
//! docs) and names the macro that adds the rest.

/// A model struct with its JSON impls.
///
/// Takes a struct whose fields each carry their wire name
/// (`#[wire = "createdDateTime"] pub created_date_time: Nullable<...>`) and
/// gives:
/// - the struct, with two more fields: `odata_type` (the `@odata.type`
///   annotation) and `additional_properties` (the properties this version
///   of the crate does not declare, kept as JSON text so that reading,
///   changing and writing back a value loses nothing: `AdditionalProperties`);
/// - `Serialize`: the properties by their wire names, absent ones left
///   out, unknown ones written back (`ObjectWriter`);
/// - `Deserialize`: one pass over the object, each property straight into
///   its field and the others into `additional_properties` as they come
///   (no intermediate map or `serde_json::Value`);
/// - `new()`, an empty value that writes its `@odata.type`, and
///   `changes_from(&original)`, the safe update body
///   (`changes`). The type implements
///   `ODataType` itself.
#[doc(hidden)]
#[macro_export]
macro_rules! model {
    (
        $(#[doc = $doc:literal])*
        #[derive($($derive:path),* $(,)?)]
        pub struct $name:ident {
            $(
                $(#[doc = $field_doc:literal])*
                $(#[cfg($cfg:meta)])?
                #[wire = $wire:literal]
                pub $field:ident: $ty:ty,
            )*
        }
    ) => {
        $(#[doc = $doc])*
        #[derive($($derive),*)]
        pub struct $name {
            /// The `@odata.type` annotation: which type the value really is.
            /// [`Self::new`] sets it.
            pub odata_type: ::std::option::Option<::std::string::String>,
            $(
                $(#[doc = $field_doc])*
                $(#[cfg($cfg)])?
                pub $field: $ty,
            )*
            /// Properties this version of the crate does not declare, kept so
            /// that reading, changing and writing back a value loses nothing.
            pub additional_properties: $crate::AdditionalProperties,
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                let mut object = $crate::ObjectWriter::new(serializer);
                object.field("@odata.type", &self.odata_type);
                $(
                    $(#[cfg($cfg)])?
                    object.field($wire, &self.$field);
                )*
                object.end(&self.additional_properties)
            }
        }

        // One pass over the object: each property straight into its field,
        // the others into `additional_properties` as they come (the loop is
        // the runtime's, `read_fields`; the match on names is this type's).
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                $crate::read_fields(deserializer)
            }
        }

        impl $crate::Fields for $name {
            const EXPECTING: &'static str = ::std::concat!("a `", ::std::stringify!($name), "` object");

            fn read_field<'de, A: ::serde::de::MapAccess<'de>>(
                &mut self,
                key: $crate::Key<'de>,
                map: &mut A,
            ) -> ::std::result::Result<(), A::Error> {
                match key.as_str() {
                    "@odata.type" => $crate::read_value(map, &mut self.odata_type),
                    $(
                        $(#[cfg($cfg)])?
                        $wire => $crate::read_value(map, &mut self.$field),
                    )*
                    _ => $crate::read_unknown(map, key, &mut self.additional_properties),
                }
            }
        }

        impl $name {
            /// An empty value that writes its `@odata.type`, as Graph expects when a
            /// derived type is sent where its base type is declared.
            pub fn new() -> Self {
                Self {
                    odata_type: ::std::option::Option::Some(
                        <Self as $crate::ODataType>::ODATA_TYPE.to_owned(),
                    ),
                    ..::std::default::Default::default()
                }
            }

            /// The safe body for updating a value read from Graph: only what
            /// `self` changed from `original`. Read-only properties, `@odata.*`
            /// and other `@` annotations are never sent, and a property is
            /// cleared (`null`) only if it was set to `Nullable::Null` here.
            /// Unknown properties the application changed are sent; those it
            /// left alone are not.
            pub fn changes_from(&self, original: &Self) -> Self {
                $crate::changes(self, original)
            }
        }
    };
}

/// The methods of a property-name enum whose `as_str` the crate gives:
/// `asc` and `desc` for `$orderby`, `Debug` as the wire name, and the
/// conversion into a `FieldName`.
#[doc(hidden)]
#[macro_export]
macro_rules! field_names {
    ($name:ident) => {
        impl $name {
            /// The property in `$orderby`, ascending: `"name"`.
            pub fn asc(self) -> $crate::FieldName {
                self.into()
            }

            /// The property in `$orderby`, descending: `"name desc"`.
            pub fn desc(self) -> $crate::FieldName {
                ::std::format!("{} desc", self.as_str()).into()
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::convert::From<$name> for $crate::FieldName {
            fn from(field: $name) -> Self {
                field.as_str().into()
            }
        }
    };
}

/// What every request builder (a struct of a client and the path it
/// addresses) has: `new` for the crate, and `path`.
#[doc(hidden)]
#[macro_export]
macro_rules! request_builder {
    ($name:ident) => {
        impl $name {
            pub(crate) fn new(client: $crate::Client, path: ::std::string::String) -> Self {
                Self { client, path }
            }

            /// The path this builder addresses, relative to the client's base URL.
            pub fn path(&self) -> &str {
                &self.path
            }
        }
    };
}
