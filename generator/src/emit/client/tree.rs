//! The path tree: every endpoint path, one node per segment, merged where
//! two paths reach the same resource (`/me` and `/users/{id}`), and named
//! (ARCHITECTURE.md gives the naming rule). Pure: no tokens.

use std::collections::{BTreeMap, BTreeSet};

use heck::{ToSnakeCase, ToUpperCamelCase};

use crate::base::Method;
use crate::base::ident::{Scope, snake_ident};
use crate::model::{Api, Area, Endpoint, PathTemplate, RequestBody, Segment, TypeRef};
use crate::names::NameOverrides;

/// How a node is reached from its parent.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Step {
    Literal(String),
    Key,
    Cast(String),
    Function(String, Vec<String>),
    Keyed(String),
    ItemPath(String),
}

/// An endpoint reached at a node, through one of its paths.
pub(super) struct Op<'a> {
    pub(super) endpoint: &'a Endpoint,
    pub(super) path: &'a PathTemplate,
    /// The last segment when it names the operation (`$ref`, `delta`, `assign(...)`).
    pub(super) tail: Option<&'a Segment>,
    pub(super) method: String,
}

#[derive(Default)]
pub(super) struct Node<'a> {
    /// The segment that leads here (a representative, for parameters).
    pub(super) segment: Option<&'a Segment>,
    pub(super) children: BTreeMap<Step, Node<'a>>,
    pub(super) ops: Vec<Op<'a>>,
    pub(super) type_name: String,
    pub(super) label: String,
    /// The name of the parent's method that leads here.
    pub(super) accessor: String,
    /// What the subtree offers: its steps and endpoints, without names.
    pub(super) signature: String,
    /// Whether an earlier node offers exactly the same subtree, so this one
    /// uses that node's builder types instead of its own.
    pub(super) shared: bool,
    /// The builder name it wants (`UserCollection`), and the one made from
    /// its path that it takes when another node has a stronger claim.
    pub(super) wanted: String,
    /// See `wanted`: first its parent's name and its segment
    /// (`ThingChildren`), then the whole path's (`ThingsItemChildren`).
    pub(super) fallbacks: Vec<String>,
    /// The areas of the endpoints at and below this node.
    pub(super) areas: BTreeSet<&'a Area>,
}

pub(super) fn step(segment: &Segment) -> Step {
    match segment {
        Segment::Literal { name } => Step::Literal(name.clone()),
        Segment::Key { .. } => Step::Key,
        Segment::Cast { type_name } => Step::Cast(type_name.clone()),
        Segment::Function { name, args } => {
            Step::Function(name.clone(), args.iter().map(|a| a.name.clone()).collect())
        }
        Segment::KeyedLiteral { name, .. } => Step::Keyed(name.clone()),
        Segment::ItemPath { base, .. } => Step::ItemPath(base.clone()),
        Segment::Ref => Step::Literal("$ref".into()),
        Segment::Value => Step::Literal("$value".into()),
        Segment::Count => Step::Literal("$count".into()),
    }
}

pub(super) fn action(endpoint: &Endpoint) -> &str {
    endpoint
        .name
        .api
        .rsplit('.')
        .next()
        .unwrap_or(&endpoint.name.api)
}

/// Whether the last segment names the operation rather than a resource.
pub(super) fn is_tail(segment: &Segment, endpoint: &Endpoint, len: usize) -> bool {
    match segment {
        Segment::Ref | Segment::Value | Segment::Count | Segment::Function { .. } => true,
        Segment::Literal { name } => {
            len > 1
                && name.eq_ignore_ascii_case(action(endpoint).trim_end_matches(char::is_numeric))
        }
        _ => false,
    }
}

pub(super) fn short_type(type_name: &str) -> &str {
    type_name.rsplit('.').next().unwrap_or(type_name)
}

pub(super) fn step_part(step: &Step) -> String {
    match step {
        Step::Literal(n) => n.trim_start_matches('$').to_upper_camel_case(),
        Step::Key => "Item".into(),
        Step::Cast(t) => format!("As{}", short_type(t).to_upper_camel_case()),
        Step::Function(n, _) => n.to_upper_camel_case(),
        Step::Keyed(n) => format!("{}Item", n.to_upper_camel_case()),
        Step::ItemPath(b) => format!("{}Path", b.to_upper_camel_case()),
    }
}

pub(super) fn step_method(step: &Step) -> String {
    match step {
        Step::Literal(n) => snake_ident(n.trim_start_matches('$')),
        Step::Key => "item".into(),
        Step::Cast(t) => snake_ident(&format!("as_{}", short_type(t).to_snake_case())),
        Step::Function(n, _) | Step::Keyed(n) => snake_ident(n),
        Step::ItemPath(b) => snake_ident(&format!("{}_path", b.to_snake_case())),
    }
}

/// The path tree, named: the root's children hang off `Client`.
pub(super) struct Tree<'a> {
    pub(super) root: Node<'a>,
    /// The builder type `/me` shares with `/users/{id}`, when both exist.
    pub(super) me: Option<String>,
    /// The other paths each shared builder type serves, by type name.
    pub(super) shared: BTreeMap<String, Vec<String>>,
}

pub(super) fn build_tree<'a>(api: &'a Api, names: &NameOverrides) -> Tree<'a> {
    let mut root = Node {
        type_name: "Client".into(),
        ..Node::default()
    };
    for endpoint in &api.endpoints {
        let mut seen = BTreeSet::new();
        for path in std::iter::once(&endpoint.path).chain(&endpoint.alternate_paths) {
            if !seen.insert(path.shape()) {
                continue;
            }
            let n = path.segments.len();
            let tail = path.segments.last().filter(|s| is_tail(s, endpoint, n));
            let node_segments = &path.segments[..n - usize::from(tail.is_some())];
            let mut node = &mut root;
            for seg in node_segments {
                node = node.children.entry(step(seg)).or_insert_with(|| Node {
                    segment: Some(seg),
                    ..Node::default()
                });
            }
            node.ops.push(Op {
                endpoint,
                path,
                tail,
                method: String::new(),
            });
        }
    }
    let merged_me = merge_me_into_users(&mut root);
    sink_tails(&mut root);
    gather_areas(&mut root);
    sign(&mut root, false);
    let mut seen = BTreeSet::new();
    for child in root.children.values_mut() {
        seen.insert(child.signature.clone());
        mark_shared(child, &mut seen);
    }
    name_nodes(api, &mut root, &Naming::default(), names);
    assign_builder_names(&mut root, names);
    let mut names = BTreeMap::new();
    own_names(&root, &mut names);
    name_shared(&mut root, &names, false);
    let me = merged_me
        .then(|| users_item(&root).map(|n| n.type_name.clone()))
        .flatten();
    let mut shared = BTreeMap::new();
    shared_paths(&root, false, &mut shared);
    Tree { root, me, shared }
}

/// An operation named by its last segment (`range(address=...)`) whose
/// segment also leads to a node of its own (other paths go on below
/// `range(address=...)`) belongs to that node: it is the node's own GET,
/// reached as `.range_with_address(a).get()`, not a method of the parent
/// beside the accessor that leads there.
fn sink_tails(node: &mut Node<'_>) {
    let ops = std::mem::take(&mut node.ops);
    for mut op in ops {
        let target = op
            .tail
            .filter(|t| matches!(t, Segment::Function { .. } | Segment::Literal { .. }))
            .map(step)
            .filter(|s| node.children.contains_key(s));
        match target.and_then(|s| node.children.get_mut(&s)) {
            Some(child) => {
                op.tail = None;
                child.ops.push(op);
            }
            None => node.ops.push(op),
        }
    }
    for child in node.children.values_mut() {
        sink_tails(child);
    }
}

/// A builder named from its whole path, because a shorter path has the name
/// it wanted.
pub(crate) struct InventedName {
    /// Its path, as the docs write it.
    pub(crate) path: String,
    /// The name it has.
    pub(crate) name: String,
    /// The name it wanted.
    pub(crate) wanted: String,
    /// Where an endpoint it sends is documented.
    pub(crate) source: crate::model::Source,
}

/// The path key (see [`crate::names::path_key`]) of every builder, and the
/// builders named from their whole path because a shorter path has the
/// name they wanted.
pub(crate) type BuilderNames = (BTreeSet<String>, Vec<InventedName>);

/// The [`BuilderNames`] of the client made from `api` with `names`.
pub(crate) fn builder_names(api: &Api, names: &NameOverrides) -> BuilderNames {
    builder_names_of(&build_tree(api, names))
}

/// The [`BuilderNames`] of a named tree.
pub(super) fn builder_names_of(tree: &Tree<'_>) -> BuilderNames {
    fn first_source<'n>(node: &'n Node<'_>) -> Option<&'n crate::model::Source> {
        node.ops
            .first()
            .map(|o| &o.endpoint.source)
            .or_else(|| node.children.values().find_map(first_source))
    }
    fn walk(node: &Node<'_>, keys: &mut BTreeSet<String>, invented: &mut Vec<InventedName>) {
        for child in node.children.values().filter(|c| !c.shared) {
            keys.insert(crate::names::path_key(&child.label));
            if child.fallbacks.last() == Some(&child.type_name)
                && child.wanted != child.type_name
                && let Some(source) = first_source(child)
            {
                invented.push(InventedName {
                    path: child.label.clone(),
                    name: child.type_name.clone(),
                    wanted: child.wanted.clone(),
                    source: source.clone(),
                });
            }
            walk(child, keys, invented);
        }
    }
    let (mut keys, mut invented) = (BTreeSet::new(), Vec::new());
    walk(&tree.root, &mut keys, &mut invented);
    (keys, invented)
}

/// Gives every builder its name. A name several nodes want goes to the
/// one whose path is shortest, then first in order, so it depends only on
/// the nodes that want it, never on which other pages exist or the order
/// the tree is walked: a page about `/directory/administrativeUnits/{id}/users`
/// does not take `UserCollection` from `/users`. The others take the name
/// made from their path (`DirectoryAdministrativeUnitsItemUsers`), with a
/// number only where two paths make one name. `Client` is reserved.
fn assign_builder_names(root: &mut Node<'_>, overrides: &NameOverrides) {
    /// What each node wants, in walk order: name, depth, path, fallbacks.
    type Want<'n> = (&'n str, usize, &'n str, &'n [String]);
    fn gather<'n>(node: &'n Node<'_>, out: &mut Vec<Want<'n>>) {
        for child in node.children.values().filter(|c| !c.shared) {
            let depth = child.label.matches('/').count();
            out.push((&child.wanted, depth, &child.label, &child.fallbacks));
            gather(child, out);
        }
    }
    let names: Vec<String> = {
        let mut wants = Vec::new();
        gather(root, &mut wants);
        // The claim of each name: the shortest path, then the first.
        let mut winners: BTreeMap<&str, (usize, &str, usize)> = BTreeMap::new();
        for (i, &(wanted, depth, label, _)) in wants.iter().enumerate() {
            let slot = winners.entry(wanted).or_insert((depth, label, i));
            if (depth, label, i) < *slot {
                *slot = (depth, label, i);
            }
        }
        let mut types = Scope::with_reserved(&["Client"]);
        let mut names = vec![String::new(); wants.len()];
        // The names file first: its names are taken before any is derived.
        let mut pinned = vec![false; wants.len()];
        for (i, &(_, _, label, _)) in wants.iter().enumerate() {
            if let Some(entry) = overrides.builders.get(&crate::names::path_key(label))
                && !types.is_taken(&entry.name)
            {
                names[i] = types.claim(label, entry.name.clone()).0;
                pinned[i] = true;
            }
        }
        for (wanted, &(_, label, i)) in &winners {
            if !pinned[i] && !types.is_taken(wanted) {
                names[i] = types.claim(label, (*wanted).to_owned()).0;
            }
        }
        // The others, in the order of their paths: the first fallback that
        // is free.
        let mut losers: Vec<(&str, &[String], usize)> = wants
            .iter()
            .enumerate()
            .filter(|(i, _)| names[*i].is_empty())
            .map(|(i, &(_, _, label, fallbacks))| (label, fallbacks, i))
            .collect();
        losers.sort();
        for (label, fallbacks, i) in losers {
            let free = fallbacks
                .iter()
                .find(|f| !types.is_taken(f) && !winners.contains_key(f.as_str()))
                .or(fallbacks.last());
            names[i] = types.claim(label, free.cloned().unwrap_or_default()).0;
        }
        names
    };
    fn set(node: &mut Node<'_>, names: &mut std::vec::IntoIter<String>) {
        for child in node.children.values_mut().filter(|c| !c.shared) {
            if let Some(name) = names.next() {
                child.type_name = name;
            }
            set(child, names);
        }
    }
    set(root, &mut names.into_iter());
}

/// Computes every node's areas: those of its endpoints and its children's.
fn gather_areas(node: &mut Node<'_>) {
    let mut areas: BTreeSet<_> = node.ops.iter().map(|o| &o.endpoint.area).collect();
    for child in node.children.values_mut() {
        gather_areas(child);
        areas.extend(child.areas.iter().copied());
    }
    node.areas = areas;
}

/// Computes every node's signature: its operations (endpoint, method, how
/// the last segment names it, area) and its children's steps and signatures. Two
/// nodes with one signature offer the same requests: other paths to the
/// same resource, such as `/drives/{id}/root` and `/groups/{id}/drive/root`.
fn sign(node: &mut Node<'_>, under_path: bool) {
    let under_path = under_path
        || matches!(node.segment, Some(Segment::ItemPath { base, .. }) if crate::model::path::braced(base).is_some());
    let mut parts: Vec<String> = node
        .ops
        .iter()
        .map(|o| {
            format!(
                "{} {} {:?} @{}",
                o.endpoint.name.api,
                o.endpoint.method.as_str(),
                o.tail.map(step),
                o.endpoint.area
            )
        })
        .collect();
    parts.sort();
    for (step, child) in &mut node.children {
        sign(child, under_path);
        let placeholder = match child.segment {
            Some(Segment::Key { param }) => param.name.as_str(),
            _ => "",
        };
        parts.push(format!("{step:?}{placeholder}({})", child.signature));
    }
    // A node reached through an item path from a key
    // (`{parent-id}:/{filename}:`), and all below it, share types only with
    // others reached so: whether one could share with a keyed node's
    // (`{item-id}`) would hang on what other pages add below either. (Paths
    // from `root:` share as before: the workbook below them is large.)
    let prefix = if under_path { "item path:" } else { "" };
    node.signature = format!("{prefix}{}", parts.join(";"));
}

/// Marks, depth first in sorted order, every node whose signature an earlier
/// node already has; the subtree below a shared node is not visited.
fn mark_shared(node: &mut Node<'_>, seen: &mut BTreeSet<String>) {
    for child in node.children.values_mut() {
        if seen.insert(child.signature.clone()) {
            mark_shared(child, seen);
        } else {
            child.shared = true;
        }
    }
}

/// The builder type of every node that has its own, by signature.
fn own_names(node: &Node<'_>, out: &mut BTreeMap<String, String>) {
    for child in node.children.values().filter(|c| !c.shared) {
        out.entry(child.signature.clone())
            .or_insert_with(|| child.type_name.clone());
        own_names(child, out);
    }
}

/// Gives shared nodes, and everything below them, the builder types of the
/// nodes they repeat.
fn name_shared(node: &mut Node<'_>, names: &BTreeMap<String, String>, inside: bool) {
    for child in node.children.values_mut() {
        let shared = inside || child.shared;
        if shared {
            if let Some(name) = names.get(&child.signature) {
                child.type_name = name.clone();
            }
            if child.label.is_empty() {
                child.label = format!("{}/{}", node.label, segment_label(child.segment));
            }
        }
        name_shared(child, names, shared);
    }
}

/// The other paths each shared builder type serves, by type name.
fn shared_paths(node: &Node<'_>, inside: bool, out: &mut BTreeMap<String, Vec<String>>) {
    for child in node.children.values() {
        let shared = inside || child.shared;
        if shared {
            out.entry(child.type_name.clone())
                .or_default()
                .push(child.label.clone());
        }
        shared_paths(child, shared, out);
    }
}

/// `/users/{id}`, if the tree has it.
pub(super) fn users_item<'t, 'a>(root: &'t Node<'a>) -> Option<&'t Node<'a>> {
    root.children
        .get(&Step::Literal("users".into()))?
        .children
        .get(&Step::Key)
}

/// `/me` is `/users/{id}` for the signed-in user, as in the Graph SDKs: its
/// subtree is merged into that of `/users/{id}`, so both share one builder
/// type per resource. Returns whether it was merged.
pub(super) fn merge_me_into_users(root: &mut Node<'_>) -> bool {
    if users_item(root).is_none() {
        return false;
    }
    let Some(me) = root.children.remove(&Step::Literal("me".into())) else {
        return false;
    };
    let Some(item) = root
        .children
        .get_mut(&Step::Literal("users".into()))
        .and_then(|users| users.children.get_mut(&Step::Key))
    else {
        return false;
    };
    merge_node(item, me);
    true
}

/// Adds `from`'s operations and children to `into`. An operation `into`
/// already has (the same endpoint, reached the same way) is not repeated.
pub(super) fn merge_node<'a>(into: &mut Node<'a>, from: Node<'a>) {
    for op in from.ops {
        let same = |o: &Op<'_>| {
            o.endpoint.name == op.endpoint.name && o.tail.map(step) == op.tail.map(step)
        };
        if !into.ops.iter().any(same) {
            into.ops.push(op);
        }
    }
    for (step, child) in from.children {
        match into.children.entry(step) {
            std::collections::btree_map::Entry::Occupied(mut slot) => {
                merge_node(slot.get_mut(), child);
            }
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(child);
            }
        }
    }
}

/// What naming a node's children needs to know about the node.
#[derive(Default, Clone)]
pub(super) struct Naming {
    /// The path-derived name, the fallback on a clash (`DeviceManagementHardwareConfigurations`).
    pub(super) path_name: String,
    /// What children's names start with (`User` under `/users/{id}`).
    pub(super) base: String,
    /// The path so far, for docs.
    pub(super) label: String,
    /// The API type this node addresses, when the type graph says (a
    /// navigation property of its parent's type), for its children.
    pub(super) api_type: Option<String>,
    /// The API element type of the collection this node is, likewise.
    pub(super) api_element: Option<String>,
}

/// The type of the navigation (or structural) property `segment` of the
/// API type `owner`, inherited ones included: its API name and whether it
/// is a collection. The resource pages decide it, whichever api pages exist.
fn property_type(api: &Api, owner: &str, segment: &str) -> Option<(String, bool)> {
    let p = api
        .ancestry(api.type_named(owner)?)
        .into_iter()
        .find_map(|def| {
            def.properties
                .iter()
                .find(|p| p.name.api.eq_ignore_ascii_case(segment))
        })?;
    match &p.ty {
        TypeRef::Named(n) if api.type_named(n).is_some() => Some((n.clone(), p.collection)),
        _ => None,
    }
}

/// The Rust name of an API type.
fn rust_type<'a>(api: &'a Api, name: &str) -> Option<&'a str> {
    api.type_named(name).map(|d| d.name.rust.as_str())
}

/// The API name of the model type an endpoint at `node` reads or writes.
fn addressed_api_type<'a>(api: &'a Api, node: &Node<'a>) -> Option<&'a str> {
    let named = |t: &'a TypeRef| match t {
        TypeRef::Named(n) if api.type_named(n).is_some() => Some(n.as_str()),
        _ => None,
    };
    let untailed = || {
        node.ops
            .iter()
            .filter(|o| o.tail.is_none())
            .map(|o| o.endpoint)
    };
    untailed()
        .filter(|e| e.method == Method::Get)
        .find_map(|e| e.response.body.as_ref().and_then(named))
        .or_else(|| {
            untailed().find_map(|e| match &e.request_body {
                RequestBody::Resource { ty } => named(ty),
                _ => None,
            })
        })
}

/// Whether a node is a collection: it has a key below it, or lists.
pub(super) fn is_collection(node: &Node<'_>) -> bool {
    node.children.contains_key(&Step::Key)
        || node.ops.iter().any(|o| {
            o.tail.is_none() && o.endpoint.method == Method::Get && o.endpoint.response.collection
        })
}

/// Names every builder after what it addresses (see ARCHITECTURE.md): a key
/// is `{Type}Item`, a collection `{Type}Collection`, anything else its
/// parent's base plus its segment (`UserManager`, `DeviceManagement`). A
/// name already taken falls back to the path-derived name.
pub(super) fn name_nodes(api: &Api, node: &mut Node<'_>, parent: &Naming, names: &NameOverrides) {
    let mut methods = Scope::default();
    for (step, child) in &mut node.children {
        name_child(api, step, child, parent, names, &mut methods);
    }
    name_operations(node, &mut methods, names);
}

/// Names one child of a node: its label, its accessor among the parent's
/// `methods` and the builder names it wants; then its subtree.
fn name_child(
    api: &Api,
    step: &Step,
    child: &mut Node<'_>,
    parent: &Naming,
    names: &NameOverrides,
    methods: &mut Scope,
) {
    let part = step_part(step);
    let path_name = format!("{}{part}", parent.path_name);
    child.label = format!("{}/{}", parent.label, segment_label(child.segment));
    if child.shared {
        // It takes the builder type of the node it repeats (`name_shared`).
        child.accessor = methods.claim(&path_name, step_method(step)).0;
        return;
    }
    let (wanted, base, api_type, api_element) = addressed_names(api, step, child, parent, &part);
    // The name is given out once every node has said what it wants
    // (`assign_builder_names`).
    let short = match step {
        Step::Key => format!("{}Item", parent.base),
        _ => format!("{}{part}", parent.base),
    };
    child.fallbacks = if short == wanted || short == path_name {
        vec![path_name.clone()]
    } else {
        vec![short, path_name.clone()]
    };
    child.wanted = wanted;
    // `range()` and `range(address=...)` on one node need two names.
    let preferred = step_method(step);
    child.accessor = match step {
        Step::Function(name, args) if !args.is_empty() && methods.is_taken(&preferred) => {
            methods
                .claim(
                    &child.label,
                    snake_ident(&format!("{name}_with_{}", args.join("_"))),
                )
                .0
        }
        _ => methods.claim(&child.label, preferred).0,
    };
    let naming = Naming {
        path_name,
        base,
        label: child.label.clone(),
        api_type,
        api_element,
    };
    name_nodes(api, child, &naming, names);
}

/// What a child (reached by `step`, whose name part is `part`) addresses:
/// the builder name it wants, the base of its children's names, and the API
/// type and collection element type it addresses, when known.
fn addressed_names(
    api: &Api,
    step: &Step,
    child: &Node<'_>,
    parent: &Naming,
    part: &str,
) -> (String, String, Option<String>, Option<String>) {
    // What the node addresses: first as the type graph says (the
    // parent's property of that name), which no api page can move; then
    // as its operations say.
    let property = match step {
        Step::Literal(segment) => parent
            .api_type
            .as_deref()
            .and_then(|owner| property_type(api, owner, segment)),
        _ => None,
    };
    let own_api = addressed_api_type(api, child).map(str::to_owned);
    match step {
        Step::Key => {
            let ty = parent.api_element.clone().or(own_api);
            match ty.as_deref().and_then(|t| rust_type(api, t)) {
                Some(t) => (format!("{t}Item"), t.to_owned(), ty, None),
                None => {
                    let name = format!("{}Item", parent.base);
                    (name.clone(), name, None, None)
                }
            }
        }
        Step::Literal(_)
            if property.as_ref().is_some_and(|(_, many)| *many)
                || (property.is_none() && is_collection(child)) =>
        {
            let key_type = child
                .children
                .get(&Step::Key)
                .and_then(|k| addressed_api_type(api, k))
                .map(str::to_owned);
            let element_api = match &property {
                Some((t, _)) => Some(t.clone()),
                None => own_api.or(key_type),
            };
            let element = element_api
                .as_deref()
                .and_then(|t| rust_type(api, t))
                .map(str::to_owned);
            let fallback = format!("{}{part}", parent.base);
            let name = element
                .as_ref()
                .map_or_else(|| fallback.clone(), |t| format!("{t}Collection"));
            (name, fallback, None, element_api)
        }
        _ => {
            let name = format!("{}{part}", parent.base);
            let api_type = property.map(|(t, _)| t).or(own_api);
            (name.clone(), name, api_type, None)
        }
    }
}

/// Names a node's operations among its `methods`: its own (get, list,
/// create, ...) first, then those named by a last segment; on a clash, a
/// name that says what tells the operation apart (see `method_candidates`).
fn name_operations(node: &mut Node<'_>, methods: &mut Scope, names: &NameOverrides) {
    let mut order: Vec<usize> = (0..node.ops.len()).collect();
    order.sort_by_key(|&i| node.ops[i].tail.is_some());
    for i in order {
        let op = &node.ops[i];
        let api = op.endpoint.name.api.clone();
        // A names file entry comes before every derived name; the others
        // are made only when the preferred one is taken.
        let entry = names.methods.get(&api).map(|e| e.name.clone());
        let first = entry.unwrap_or_else(|| preferred_method(op));
        let name = if methods.is_taken(&first) {
            method_candidates(op)
                .into_iter()
                .find(|c| !methods.is_taken(c))
                .unwrap_or(first)
        } else {
            first
        };
        node.ops[i].method = methods.claim(&api, name).0;
    }
}

/// The names an operation's method may take, best first: the preferred
/// name (`get`, `list`, `range`); for a function with arguments, the name
/// with them (`range_with_address`); the preferred name with the resource
/// (`get_worksheet`); the endpoint's action (`get_range`).
fn method_candidates(op: &Op<'_>) -> Vec<String> {
    let preferred = preferred_method(op);
    let mut out = vec![preferred.clone()];
    if let Some(Segment::Function { name, args }) = op.tail
        && !args.is_empty()
    {
        let args: Vec<&str> = args.iter().map(|a| a.name.as_str()).collect();
        out.push(snake_ident(&format!("{name}_with_{}", args.join("_"))));
    }
    let resource = op.endpoint.name.api.split('.').next().unwrap_or_default();
    out.push(snake_ident(&format!(
        "{}_{}",
        preferred.trim_start_matches("r#"),
        resource.to_snake_case()
    )));
    out.push(snake_ident(&format!(
        "{}_{}",
        action(op.endpoint).to_snake_case(),
        resource.to_snake_case()
    )));
    out.dedup();
    out
}

pub(super) fn segment_label(segment: Option<&Segment>) -> String {
    let Some(segment) = segment else {
        return String::new();
    };
    match segment {
        Segment::Literal { name } => name.clone(),
        Segment::Key { param } => format!("{{{}}}", param.written.join(" | ")),
        Segment::Cast { type_name } => type_name.clone(),
        Segment::Function { name, args } => {
            format!(
                "{name}({})",
                args.iter()
                    .map(|a| a.name.clone())
                    .collect::<Vec<_>>()
                    .join(",")
            )
        }
        Segment::KeyedLiteral { name, param } => format!("{name}('{{{}}}')", param.name),
        Segment::ItemPath { base, param } => format!("{base}:/{{{}}}:", param.name),
        Segment::Ref => "$ref".into(),
        Segment::Value => "$value".into(),
        Segment::Count => "$count".into(),
    }
}

pub(super) fn preferred_method(op: &Op<'_>) -> String {
    let e = op.endpoint;
    match op.tail {
        Some(Segment::Ref) => match e.method {
            Method::Post => "add_ref".into(),
            Method::Delete => "delete_ref".into(),
            Method::Put => "set_ref".into(),
            _ => "get_ref".into(),
        },
        Some(Segment::Value) => match e.method {
            Method::Put => "put_content".into(),
            _ => "get_content".into(),
        },
        Some(Segment::Count) => "count".into(),
        Some(Segment::Function { name, .. }) | Some(Segment::Literal { name }) => snake_ident(name),
        _ => match e.method {
            Method::Get if e.response.collection => "list".into(),
            Method::Get => "get".into(),
            Method::Post => "create".into(),
            Method::Patch => "update".into(),
            Method::Put => "replace".into(),
            Method::Delete => "delete".into(),
            Method::Head => "head".into(),
            Method::Options => "options".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(name: &str) -> String {
        format!(
            "---\ntitle: \"{name} resource type\"\ndoc_type: resourcePageType\n---\n# {name} resource type\n\n## Properties\n|Property|Type|Description|\n|:---|:---|:---|\n|id|String|The key.|\n"
        )
    }

    fn endpoint(title: &str, lines: &str, response: &str) -> String {
        format!(
            "---\ntitle: \"{title}\"\ndoc_type: apiPageType\n---\n# {title}\n\n## HTTP request\n```http\n{lines}\n```\n\n## Response\nIf successful, this method returns a `200 OK` response code and {response} in the response body.\n"
        )
    }

    fn api() -> Api {
        let pages = [
            ("resources/user.md", resource("user")),
            (
                "resources/state.md",
                resource("hardwareConfigurationUserState"),
            ),
            (
                "api/user-get.md",
                endpoint(
                    "Get user",
                    "GET /users/{id}\nGET /me",
                    "a [user](../resources/user.md) object",
                ),
            ),
            (
                "api/user-list.md",
                endpoint(
                    "List users",
                    "GET /users",
                    "a collection of [user](../resources/user.md) objects",
                ),
            ),
            (
                "api/manager-get.md",
                endpoint(
                    "Get manager",
                    "GET /me/manager",
                    "a [user](../resources/user.md) object",
                ),
            ),
            (
                "api/state-get.md",
                endpoint(
                    "Get hardwareConfigurationUserState",
                    "GET /deviceManagement/hardwareConfigurations/{id}/userRunStates/{stateId}",
                    "a [hardwareConfigurationUserState](../resources/state.md) object",
                ),
            ),
            (
                "api/driveitem-list-children.md",
                endpoint(
                    "List children",
                    "GET /drives/{drive-id}/root/children\nGET /groups/{group-id}/drive/root/children",
                    "a collection of driveItem objects",
                ),
            ),
        ];
        let sources: Vec<crate::input::SourcePage<'_>> = pages
            .iter()
            .map(|(path, text)| crate::input::SourcePage { path, text })
            .collect();
        let (read, _) = crate::parse_pages(&sources, &crate::Includes::new());
        crate::build_model(&read).0
    }

    fn at<'t, 'a>(node: &'t Node<'a>, steps: &[Step]) -> &'t Node<'a> {
        steps.iter().fold(node, |n, s| &n.children[s])
    }

    fn lit(name: &str) -> Step {
        Step::Literal(name.to_owned())
    }

    #[test]
    fn me_shares_the_users_item_builders() {
        let api = api();
        let tree = build_tree(&api, &NameOverrides::default());
        assert!(!tree.root.children.contains_key(&lit("me")));
        assert_eq!(tree.me.as_deref(), Some("UserItem"));
        let item = at(&tree.root, &[lit("users"), Step::Key]);
        // `GET /users/{id}` and `GET /me` are one operation, listed once.
        assert_eq!(item.ops.len(), 1);
        // `/me/manager` is now reachable under `/users/{id}` too.
        assert_eq!(item.children[&lit("manager")].type_name, "UserManager");
    }

    #[test]
    fn builders_are_named_after_what_they_address() {
        let api = api();
        let tree = build_tree(&api, &NameOverrides::default());
        let name = |steps: &[Step]| at(&tree.root, steps).type_name.clone();
        assert_eq!(name(&[lit("users")]), "UserCollection");
        assert_eq!(name(&[lit("users"), Step::Key]), "UserItem");
        assert_eq!(name(&[lit("deviceManagement")]), "DeviceManagement");
        let states = [
            lit("deviceManagement"),
            lit("hardwareConfigurations"),
            Step::Key,
            lit("userRunStates"),
        ];
        assert_eq!(name(&states), "HardwareConfigurationUserStateCollection");
        let mut item = states.to_vec();
        item.push(Step::Key);
        assert_eq!(name(&item), "HardwareConfigurationUserStateItem");
        // No type is known for the configurations themselves: the segment names them.
        assert_eq!(
            name(&states[..3]),
            "DeviceManagementHardwareConfigurationsItem"
        );
    }

    #[test]
    fn other_paths_to_the_same_resource_share_builders() {
        let api = api();
        let tree = build_tree(&api, &NameOverrides::default());
        // `/groups/{id}/drive` offers what `/drives/{id}` offers: one builder type.
        let drive = at(&tree.root, &[lit("drives"), Step::Key]);
        let group_drive = at(&tree.root, &[lit("groups"), Step::Key, lit("drive")]);
        assert!(!drive.shared);
        assert!(group_drive.shared);
        assert_eq!(drive.type_name, group_drive.type_name);
        let root = |n: &Node<'_>| n.children[&lit("root")].type_name.clone();
        assert_eq!(root(drive), root(group_drive));
        assert_eq!(tree.shared[&drive.type_name], ["/groups/{group-id}/drive"]);
    }
}
