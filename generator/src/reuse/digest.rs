//! The model's shape and each item's text, hashed: what decides whether a
//! file made by an earlier run can be reused (see [`super`]).

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::codec;
use crate::model::Api;
use crate::output::EmitOptions;
use crate::output::Owner;

/// The hash of the model's shape, and of each item's text by API name.
#[derive(Debug)]
pub(crate) struct Digests<'a> {
    /// The shape of every endpoint and type, in order, with the emit
    /// options and the generator's fingerprint.
    pub(crate) shape: [u8; 32],
    /// What the API surface record's files but its provenance are made
    /// from: the shape, and the page of each endpoint and type (text that
    /// the record names).
    pub(crate) surface: [u8; 32],
    types: BTreeMap<&'a str, u64>,
    endpoints: BTreeMap<&'a str, u64>,
}

impl Digests<'_> {
    /// The hash of the owners' text, or `None` if one is not in the model.
    pub(crate) fn text_of(&self, owners: &[Owner]) -> Option<u64> {
        let mut hasher = blake3::Hasher::new();
        for owner in owners {
            let (kind, text) = match owner {
                Owner::Type(name) => (0u8, self.types.get(name.as_str())?),
                Owner::Endpoint(name) => (1u8, self.endpoints.get(name.as_str())?),
            };
            hasher.update(&[kind]);
            hasher.update(&text.to_le_bytes());
        }
        Some(short(hasher.finalize()))
    }
}

/// Hashes `api` for a run with `options` by the generator whose fingerprint
/// is `generator` (see [`super::record`]), on every thread.
pub(crate) fn digests<'a>(
    api: &'a Api,
    options: &EmitOptions,
    generator: &[u8; 32],
) -> Digests<'a> {
    // Each thread splits into buffers of its own, grown once.
    let endpoints: Vec<([u8; 32], u64)> = api
        .endpoints
        .par_iter()
        .map_init(Buffers::default, halves)
        .collect();
    let types: Vec<([u8; 32], u64)> = api
        .types
        .par_iter()
        .map_init(Buffers::default, halves)
        .collect();
    let mut hasher = blake3::Hasher::new();
    hasher.update(generator);
    hasher.update(format!("{options:?}").as_bytes());
    for (list, len) in [(&endpoints, endpoints.len()), (&types, types.len())] {
        hasher.update(&(len as u64).to_le_bytes());
        for (shape, _) in list {
            hasher.update(shape);
        }
    }
    let shape = *hasher.finalize().as_bytes();
    let mut surface = blake3::Hasher::new();
    surface.update(&shape);
    let pages = api.endpoints.iter().map(|e| &e.source.file);
    for page in pages.chain(api.types.iter().map(|t| &t.source.file)) {
        surface.update(&(page.len() as u64).to_le_bytes());
        surface.update(page.as_bytes());
    }
    Digests {
        shape,
        surface: *surface.finalize().as_bytes(),
        endpoints: api
            .endpoints
            .iter()
            .zip(&endpoints)
            .map(|(e, (_, text))| (e.name.api.as_str(), *text))
            .collect(),
        types: api
            .types
            .iter()
            .zip(&types)
            .map(|(t, (_, text))| (t.name.api.as_str(), *text))
            .collect(),
    }
}

/// A thread's buffers for [`codec::split_into`]: a shape and a text.
type Buffers = (Vec<u8>, Vec<u8>);

/// `value`'s shape's hash and its text's short hash, split in `buffers`.
fn halves<T: codec::Codec>(buffers: &mut Buffers, value: &T) -> ([u8; 32], u64) {
    *buffers = codec::split_into(value, std::mem::take(buffers));
    let (shape, text) = &*buffers;
    (*blake3::hash(shape).as_bytes(), short(blake3::hash(text)))
}

/// The short hash of a file's text.
pub(crate) fn text_hash(text: &str) -> u64 {
    short(blake3::hash(text.as_bytes()))
}

fn short(hash: blake3::Hash) -> u64 {
    let bytes: [u8; 8] = hash.as_bytes()[..8].try_into().expect("8 bytes");
    u64::from_le_bytes(bytes)
}
