//! The type graph of a model, indexed once: each type's ancestry, the types
//! derived from it, and its properties with inheritance flattened by one
//! rule. Resolution's names, the example checks, the models, the dispatch
//! enums and the features all read it, so they cannot disagree.
//!
//! The rule for a property that a derived type declares again: the base's
//! declaration wins, at the base's place (OData does not let a derived type
//! redeclare a property, so the base's row is the schema's; the derived
//! page only repeats it). `@odata.type` is never a field: it is the type's
//! name on the wire.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde::Serialize;

use crate::model::api::{Property, TypeDef};

/// The types of a model, sorted by API name. It can only be made sorted
/// and only be changed through [`edit`](Self::edit), which sorts again, so
/// lookups by name (a binary search) and the type graph built from it are
/// always right.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(transparent)]
pub struct SortedTypes {
    list: Vec<TypeDef>,
    #[serde(skip)]
    graph: OnceLock<Index>,
}

impl PartialEq for SortedTypes {
    fn eq(&self, other: &Self) -> bool {
        self.list == other.list
    }
}

impl SortedTypes {
    /// The types, sorted by API name (a stable sort: equal names keep their
    /// order).
    pub fn new(mut list: Vec<TypeDef>) -> SortedTypes {
        list.sort_by(|a, b| a.name.api.cmp(&b.name.api));
        SortedTypes {
            list,
            graph: OnceLock::new(),
        }
    }

    /// Changes the types in place; they are sorted again afterwards and the
    /// type graph is rebuilt when next asked for.
    pub fn edit(&mut self, change: impl FnOnce(&mut Vec<TypeDef>)) {
        change(&mut self.list);
        self.list.sort_by(|a, b| a.name.api.cmp(&b.name.api));
        self.graph = OnceLock::new();
    }

    /// The type with API name `name`.
    pub fn named(&self, name: &str) -> Option<&TypeDef> {
        self.position(name).map(|i| &self.list[i])
    }

    fn position(&self, name: &str) -> Option<usize> {
        self.list
            .binary_search_by(|t| t.name.api.as_str().cmp(name))
            .ok()
    }

    /// The type graph, built on first use.
    pub fn graph(&self) -> TypeGraph<'_> {
        TypeGraph {
            types: self,
            index: self
                .graph
                .get_or_init(|| Index::build(&self.list, |n| self.position(n))),
        }
    }
}

impl std::ops::Deref for SortedTypes {
    type Target = [TypeDef];

    fn deref(&self) -> &[TypeDef] {
        &self.list
    }
}

impl<'a> IntoIterator for &'a SortedTypes {
    type Item = &'a TypeDef;
    type IntoIter = std::slice::Iter<'a, TypeDef>;

    fn into_iter(self) -> Self::IntoIter {
        self.list.iter()
    }
}

/// A property as it appears on a type, inheritance flattened.
#[derive(Debug, Clone, Copy)]
pub struct Field<'a> {
    /// The property.
    pub prop: &'a Property,
    /// The type that declares it.
    pub owner: &'a TypeDef,
}

/// The index, by position in the sorted list.
#[derive(Debug, Clone, Default)]
struct Index {
    /// Each type and its bases, nearest first; a cycle stops it.
    ancestry: Vec<Vec<usize>>,
    /// The types derived from each, directly or not, in name order.
    derived: Vec<Vec<usize>>,
    /// Each type's fields: (owner, property index), base-most first.
    fields: Vec<Vec<(usize, usize)>>,
    /// Each type's fields in API name order (positions in `fields`), made
    /// on a type's first look-up by name.
    by_name: Vec<std::sync::OnceLock<Vec<u32>>>,
}

impl Index {
    fn build(types: &[TypeDef], position: impl Fn(&str) -> Option<usize>) -> Index {
        let ancestry: Vec<Vec<usize>> = (0..types.len())
            .map(|i| {
                let mut chain = vec![i];
                let mut next = types[i].base.as_deref();
                while let Some(base) = next.and_then(&position) {
                    if chain.contains(&base) {
                        break;
                    }
                    chain.push(base);
                    next = types[base].base.as_deref();
                }
                chain
            })
            .collect();
        let mut derived = vec![Vec::new(); types.len()];
        for (i, chain) in ancestry.iter().enumerate() {
            for &base in &chain[1..] {
                derived[base].push(i);
            }
        }
        let fields = ancestry
            .iter()
            .map(|chain| {
                let mut seen = BTreeSet::new();
                let mut out = Vec::new();
                for &owner in chain.iter().rev() {
                    for (p, prop) in types[owner].properties.iter().enumerate() {
                        if prop.name.api != "@odata.type" && seen.insert(prop.name.api.as_str()) {
                            out.push((owner, p));
                        }
                    }
                }
                out
            })
            .collect();
        Index {
            by_name: (0..types.len())
                .map(|_| std::sync::OnceLock::new())
                .collect(),
            ancestry,
            derived,
            fields,
        }
    }
}

/// The type graph of a [`SortedTypes`]: answers about one type, by the one
/// rule of this module.
#[derive(Debug, Clone, Copy)]
pub struct TypeGraph<'a> {
    types: &'a SortedTypes,
    index: &'a Index,
}

impl<'a> TypeGraph<'a> {
    /// The position of `ty`: found by address when it is one of the
    /// graph's own types (as nearly every caller's is), else by name.
    fn at(&self, ty: &TypeDef) -> Option<usize> {
        let list = &self.types.list;
        let size = std::mem::size_of::<TypeDef>().max(1);
        let offset = (ty as *const TypeDef as usize).wrapping_sub(list.as_ptr() as usize);
        let i = offset / size;
        if offset % size == 0 && i < list.len() {
            return Some(i);
        }
        self.types.position(&ty.name.api)
    }

    fn list(&self, at: &[usize]) -> Vec<&'a TypeDef> {
        at.iter().map(|&i| &self.types.list[i]).collect()
    }

    /// `ty` and its base types, nearest first; stops at a cycle.
    pub fn ancestry(&self, ty: &'a TypeDef) -> Vec<&'a TypeDef> {
        match self.at(ty) {
            Some(i) => self.list(&self.index.ancestry[i]),
            None => vec![ty],
        }
    }

    /// Each type's ancestry by position in the sorted list, nearest first:
    /// for changing the types (through [`SortedTypes::edit`]) by the graph.
    pub(crate) fn ancestry_positions(&self) -> Vec<Vec<usize>> {
        self.index.ancestry.clone()
    }

    /// Whether `ty` is `base` or derives from it.
    pub fn is_a(&self, ty: &TypeDef, base: &TypeDef) -> bool {
        match (self.at(ty), self.at(base)) {
            (Some(t), Some(b)) => self.index.ancestry[t].contains(&b),
            _ => ty.name == base.name,
        }
    }

    /// The types derived from `ty`, directly or not, in name order.
    pub fn derived(&self, ty: &TypeDef) -> Vec<&'a TypeDef> {
        self.at(ty)
            .map(|i| self.list(&self.index.derived[i]))
            .unwrap_or_default()
    }

    /// Whether any type derives from `ty`.
    pub fn has_derived(&self, ty: &TypeDef) -> bool {
        self.at(ty)
            .is_some_and(|i| !self.index.derived[i].is_empty())
    }

    /// The fields of `ty`: its bases' first (base-most first), then its own;
    /// a property declared again lower down is the base's, at its place.
    pub fn fields(&self, ty: &'a TypeDef) -> Vec<Field<'a>> {
        let Some(i) = self.at(ty) else {
            return ty
                .properties
                .iter()
                .filter(|p| p.name.api != "@odata.type")
                .map(|prop| Field { prop, owner: ty })
                .collect();
        };
        self.index.fields[i]
            .iter()
            .map(|&(owner, p)| {
                let owner = &self.types.list[owner];
                Field {
                    prop: &owner.properties[p],
                    owner,
                }
            })
            .collect()
    }

    /// The field of `ty` with API name `name`, by the same rule as
    /// [`fields`](Self::fields).
    pub fn field(&self, ty: &'a TypeDef, name: &str) -> Option<Field<'a>> {
        let Some(i) = self.at(ty) else {
            return self
                .fields(ty)
                .into_iter()
                .find(|f| f.prop.name.api == name);
        };
        // Field names are unique within a type (see `Index::build`), so
        // the one found by name is the one a scan would find.
        let fields = &self.index.fields[i];
        let field_at = |k: u32| {
            let (owner, p) = fields[k as usize];
            let owner = &self.types.list[owner];
            Field {
                prop: &owner.properties[p],
                owner,
            }
        };
        let order = self.index.by_name[i].get_or_init(|| {
            let mut order: Vec<u32> = (0..fields.len() as u32).collect();
            order.sort_unstable_by(|&a, &b| {
                field_at(a).prop.name.api.cmp(&field_at(b).prop.name.api)
            });
            order
        });
        order
            .binary_search_by(|&k| field_at(k).prop.name.api.as_str().cmp(name))
            .ok()
            .map(|at| field_at(order[at]))
    }
}
