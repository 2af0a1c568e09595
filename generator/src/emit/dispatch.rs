//! Dispatch enums: where a collection response or a navigation property
//! names a type that others derive from, the value may be any of them
//! (`group.members()` lists users, groups, devices, ...). Such a base type
//! `T` gets `AnyT`, one boxed variant per type (itself first, then the
//! derived ones by name, each compiled with its own features) and
//! `Other(serde_json::Value)`, told apart by `@odata.type`. A value of a
//! type this crate does not compile lands in `Other` whole, and every
//! variant writes back what it read, so round trips lose nothing.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use crate::base::ident::Scope;
use crate::emit::features::{Features, Gate};
use crate::emit::models::{ActionBody, FieldEnums};
use crate::emit::rust::{docs, ident};
use crate::model::{Api, TypeDef, TypeKind, TypeRef};

/// The dispatch enum names, by the API name of their base type: every
/// structured type with derived types that a collection response or a
/// navigation property names. Names are clear of every type, body struct
/// and field enum (`field_enums`) name.
pub fn dispatch_enums<'a>(
    api: &'a Api,
    bodies: &[ActionBody<'_>],
    field_enums: &BTreeMap<&str, FieldEnums>,
) -> BTreeMap<&'a str, String> {
    let graph = api.graph();
    let named = |t: &TypeRef| match t {
        TypeRef::Named(n) => api
            .type_named(n)
            .filter(|t| graph.has_derived(t))
            .map(|t| t.name.api.as_str()),
        _ => None,
    };
    let mut needed: BTreeMap<&str, ()> = BTreeMap::new();
    for e in api.endpoints.iter().filter(|e| e.response.collection) {
        if let Some(n) = e.response.body.as_ref().and_then(named) {
            needed.insert(n, ());
        }
    }
    for ty in &api.types {
        for p in ty.properties.iter().filter(|p| p.navigation) {
            if let Some(n) = named(&p.ty) {
                needed.insert(n, ());
            }
        }
    }
    let mut scope = Scope::default();
    for ty in &api.types {
        scope.claim(&ty.name.api, ty.name.rust.clone());
    }
    for body in bodies {
        scope.claim(&body.endpoint.name.api, body.rust_name.clone());
    }
    for (ty, names) in field_enums {
        scope.claim(&format!("{ty}#field"), names.field.clone());
        if let Some(nav) = &names.nav {
            scope.claim(&format!("{ty}#nav"), nav.clone());
        }
    }
    needed
        .into_keys()
        .filter(|n| api.type_named(n).is_some_and(|t| t.kind != TypeKind::Enum))
        .filter_map(|n| {
            let ty = api.type_named(n)?;
            let (name, _) = scope.claim(&format!("{n}#any"), format!("Any{}", ty.name.rust));
            Some((n, name))
        })
        .collect()
}

/// The types a value declared as `base` may be: `base` first, then every
/// type derived from it, by API name.
fn members<'a>(api: &'a Api, base: &'a TypeDef) -> Vec<&'a TypeDef> {
    std::iter::once(base)
        .chain(api.graph().derived(base))
        .collect()
}

/// The docs of the dispatch enum of `base`.
fn enum_docs(base: &TypeDef) -> TokenStream {
    docs(&[
        format!(
            "A value declared as [`{}`](super::{}): that type or one derived from it, told apart by `@odata.type`.",
            base.name.rust, base.name.rust
        ),
        String::new(),
        "A type this crate does not compile (another version's, or one whose feature is off) is kept whole in the last variant, and every variant writes back what it read.".to_owned(),
    ])
}

/// The file of `name`, the dispatch enum of `base`, compiled with `gate`.
pub fn emit_dispatch(
    api: &Api,
    base: &TypeDef,
    name: &str,
    features: &Features,
    gate: &Gate,
) -> TokenStream {
    let enum_name = ident(name);
    let mut scope = Scope::with_reserved(&["Self"]);
    let variants: Vec<(proc_macro2::Ident, &TypeDef, TokenStream)> = members(api, base)
        .into_iter()
        .map(|t| {
            let (v, _) = scope.claim(&t.name.api, t.name.rust.clone());
            let cfg = features.of_type(&t.name.api).attr_within(gate);
            (ident(&v), t, cfg)
        })
        .collect();
    let (other, _) = scope.claim("#other", "Other".to_owned());
    let other = ident(&other);
    let base_variant = &variants[0].0;
    let decls = variants.iter().map(|(v, t, cfg)| {
        let ty = ident(&t.name.rust);
        let doc = if t.name == base.name {
            format!(
                " A [`{}`](super::{}) itself, also when `@odata.type` is missing.",
                t.name.rust, t.name.rust
            )
        } else {
            format!(" A [`{}`](super::{}).", t.name.rust, t.name.rust)
        };
        quote!(#[doc = #doc] #cfg #v(Box<super::#ty>),)
    });
    let odata_arms = variants
        .iter()
        .map(|(v, _, cfg)| quote!(#cfg Self::#v(value) => value.odata_type.as_deref(),));
    let write_arms = variants
        .iter()
        .map(|(v, _, cfg)| quote!(#cfg Self::#v(value) => value.serialize(serializer),));
    let read_arms = variants.iter().skip(1).map(|(v, t, cfg)| {
        let wire = format!("microsoft.graph.{}", t.name.api);
        quote!(#cfg Some(#wire) => Deserialize::deserialize(object).map(Self::#v),)
    });
    let base_wire = format!("microsoft.graph.{}", base.name.api);
    let doc = enum_docs(base);
    quote! {
        use serde::{Deserialize, Deserializer, Serialize, Serializer};

        #doc
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum #enum_name {
            #(#decls)*
            /// Any other type, as JSON.
            #other(serde_json::Value),
        }

        impl #enum_name {
            /// The `@odata.type` the value was sent with, if any.
            pub fn odata_type(&self) -> Option<&str> {
                match self {
                    #(#odata_arms)*
                    Self::#other(value) => value.get("@odata.type").and_then(serde_json::Value::as_str),
                }
            }
        }

        impl Serialize for #enum_name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(#write_arms)*
                    Self::#other(value) => value.serialize(serializer),
                }
            }
        }

        // One pass where `@odata.type` comes first, as Graph writes it
        // (see `runtime::read_tagged`).
        impl<'de> Deserialize<'de> for #enum_name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                crate::runtime::read_tagged(deserializer)
            }
        }

        impl crate::runtime::Tagged for #enum_name {
            fn decode<'de, D: Deserializer<'de>>(
                odata_type: Option<&str>,
                object: D,
            ) -> Result<Self, D::Error> {
                match odata_type {
                    None | Some(#base_wire) => Deserialize::deserialize(object).map(Self::#base_variant),
                    #(#read_arms)*
                    _ => serde_json::Value::deserialize(object).map(Self::#other),
                }
            }
        }
    }
}
