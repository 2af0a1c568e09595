//! Examples as checks of the docs: every example JSON body is read against
//! the model, as the generated crate would decode it.
//!
//! - A request body against the endpoint's body type or action parameters.
//! - A response body against the response type: each item of `value` for a
//!   collection, the `value` of a wrapped primitive or enum, else the body.
//!
//! Each mismatch is a diagnostic at the example's block: an unknown property,
//! the wrong JSON kind, a value not in the enum, a malformed date, time,
//! GUID or duration, a placeholder where a value belongs (`"datetime-value"`;
//! type names such as `"String"` are reported while reading the page), and a
//! property of a derived type sent without `@odata.type`. One diagnostic per
//! example and code names the first case and counts the rest.
//!
//! The help says which side is probably wrong: when every example that sends
//! a property disagrees with the table in the same way, the table is.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::base::diagnostics::{Code, Diagnostic, Fix, Suggester};
use crate::base::placeholders::PLACEHOLDER_VALUES;
use crate::model::api::{Api, Primitive, RequestBody, Source, TypeDef, TypeKind, TypeRef};
use crate::model::graph::TypeGraph;
use crate::model::resolve::diag_at_source;

/// Checks every example of `api`; diagnostics go to `diags`. Returns the
/// examples that disagree with the model, as (endpoint, example) indices.
pub fn check_examples(api: &Api, diags: &mut Vec<Diagnostic>) -> BTreeSet<(usize, usize)> {
    use rayon::prelude::*;
    let shared = Shared {
        suggesters: api
            .types
            .iter()
            .map(|t| (t.name.api.as_str(), std::sync::OnceLock::new()))
            .collect(),
    };
    // Endpoints are checked in runs, on every thread, each by a checker of
    // its own; their findings join in order, as one checker's would.
    let indices: Vec<usize> = (0..api.endpoints.len()).collect();
    // Small runs, so that no thread is left with a long one at the end.
    let runs_per_thread = 16;
    let run = indices
        .len()
        .div_ceil(rayon::current_num_threads() * runs_per_thread)
        .max(1);
    let runs: Vec<Run<'_>> = indices
        .par_chunks(run)
        .map(|chunk| {
            let mut checker = Checker::new(api, &shared);
            let mut found = Vec::new();
            let mut disagreeing = BTreeSet::new();
            for &i in chunk {
                checker.endpoint(i, &mut found, &mut disagreeing);
            }
            Run {
                diags: found,
                disagreeing,
                kinds: checker.kinds,
                sent: checker.sent,
            }
        })
        .collect();
    let mut checker = Checker::new(api, &shared);
    let mut disagreeing = BTreeSet::new();
    for run in runs {
        diags.extend(run.diags);
        disagreeing.extend(run.disagreeing);
        checker.kinds.extend(run.kinds);
        for (key, (total, wrong)) in run.sent {
            let entry = checker.sent.entry(key).or_default();
            entry.0 += total;
            for (kind, n) in wrong {
                *entry.1.entry(kind).or_default() += n;
            }
        }
    }
    // Resource pages' JSON representations against their own tables. They
    // write type names where values go (`"String"`), so only their shape is
    // checked: the property names and which values are collections. In runs
    // on every thread too; nothing is counted of them (see `observe`), so
    // their findings join in order.
    let represented: Vec<&TypeDef> = api
        .types
        .iter()
        .filter(|ty| {
            ty.representation
                .as_ref()
                .is_some_and(|rep| rep.json.is_object())
        })
        .collect();
    let run = represented
        .len()
        .div_ceil(rayon::current_num_threads() * runs_per_thread)
        .max(1);
    let found: Vec<(Vec<Diagnostic>, Vec<Kind>)> = represented
        .par_chunks(run)
        .map(|chunk| {
            let mut checker = Checker::new(api, &shared);
            checker.representation = true;
            let mut found = Vec::new();
            for ty in chunk {
                let Some(rep) = &ty.representation else {
                    continue;
                };
                if let Value::Object(map) = &rep.json {
                    checker.object(
                        map,
                        ty,
                        &JsonPath::Root,
                        (&rep.source, "the JSON representation"),
                    );
                    checker.flush(&mut found);
                }
            }
            (found, checker.kinds)
        })
        .collect();
    for (found, kinds) in found {
        diags.extend(found);
        checker.kinds.extend(kinds);
    }
    checker.finish(diags);
    disagreeing
}

/// What the checkers of every thread share.
struct Shared<'a> {
    /// Suggestions for unknown property names, by type, made on first use.
    suggesters: BTreeMap<&'a str, std::sync::OnceLock<Suggester>>,
}

/// A kind mismatch waiting for its help: where, which side, what, and how
/// many more in the same body.
type Kind = (Source, &'static str, Found, usize);

/// What a checker found in a run of endpoints.
struct Run<'a> {
    diags: Vec<Diagnostic>,
    disagreeing: BTreeSet<(usize, usize)>,
    kinds: Vec<Kind>,
    sent: BTreeMap<(&'a str, &'a str), Sent>,
}

/// Where a body is: its block, and what it is (`example request`).
type Place<'a> = (&'a Source, &'static str);

/// Where a value is in a body (`value[0].manager.id`): made into text only
/// when a finding names it.
#[derive(Debug, Clone, Copy)]
enum JsonPath<'p> {
    /// The body itself.
    Root,
    /// A property of the object at the path.
    Key(&'p JsonPath<'p>, &'p str),
    /// An item of the array at the path.
    Index(&'p JsonPath<'p>, usize),
}

impl JsonPath<'_> {
    /// Whether it reads as nothing: the body, or properties named `""`.
    fn is_empty(&self) -> bool {
        match self {
            JsonPath::Root => true,
            JsonPath::Key(parent, key) => key.is_empty() && parent.is_empty(),
            JsonPath::Index(..) => false,
        }
    }
}

impl std::fmt::Display for JsonPath<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JsonPath::Root => Ok(()),
            JsonPath::Key(parent, key) if parent.is_empty() => f.write_str(key),
            JsonPath::Key(parent, key) => write!(f, "{parent}.{key}"),
            JsonPath::Index(parent, i) => write!(f, "{parent}[{i}]"),
        }
    }
}

/// A mismatch found, before its help is written.
struct Found {
    code: Code,
    message: String,
    help: String,
    /// The property it concerns, for the "which side is wrong" help.
    property: Option<(String, String)>,
    /// The JSON kind sent, for kind mismatches.
    kind: Option<&'static str>,
    /// A mechanical fix, where there is one.
    fix: Option<Fix>,
}

/// How many values were sent for a property, and how many of each wrong kind.
type Sent = (usize, BTreeMap<&'static str, usize>);

struct Checker<'a> {
    api: &'a Api,
    /// The type graph: ancestry, derived types, inherited properties.
    graph: TypeGraph<'a>,
    /// Mismatches of the current example, by place.
    pending: Vec<(Source, &'static str, Found)>,
    /// Kind mismatches waiting for their help, with the example's place.
    kinds: Vec<Kind>,
    /// For each (type, property): how many values were sent, and how many of
    /// each wrong kind.
    sent: BTreeMap<(&'a str, &'a str), Sent>,
    /// Suggestions for unknown property names, by type, made at most once
    /// and shared by the checkers of every thread.
    suggesters: &'a BTreeMap<&'a str, std::sync::OnceLock<Suggester>>,
    /// Whether a JSON representation is being read: a string stands for any
    /// single value there.
    representation: bool,
    /// Whether the current example holds a fault that was reported while
    /// reading the page (a type name where a value belongs).
    reported_earlier: bool,
}

impl<'a> Checker<'a> {
    fn new(api: &'a Api, shared: &'a Shared<'a>) -> Self {
        Checker {
            api,
            graph: api.graph(),
            pending: Vec::new(),
            kinds: Vec::new(),
            sent: BTreeMap::new(),
            suggesters: &shared.suggesters,
            representation: false,
            reported_earlier: false,
        }
    }

    /// Checks the examples of endpoint `i`: findings go to `diags`, and
    /// examples that disagree with the model to `disagreeing`.
    fn endpoint(
        &mut self,
        i: usize,
        diags: &mut Vec<Diagnostic>,
        disagreeing: &mut BTreeSet<(usize, usize)>,
    ) {
        let api = self.api;
        let e = &api.endpoints[i];
        for (j, x) in e.examples.iter().enumerate() {
            if let Some(body) = &x.request_body {
                let place = (&x.source, "example request");
                match &e.request_body {
                    RequestBody::Resource { ty } => {
                        self.value(body, ty, false, &JsonPath::Root, None, place);
                    }
                    RequestBody::Parameters { parameters } => {
                        if let Value::Object(map) = body {
                            for p in parameters.iter().filter(|p| !p.optional) {
                                let (message, help) = match map.get(&p.name.api) {
                                    None => (
                                        format!(
                                            "the example request leaves out the required parameter `{}`",
                                            p.name.api
                                        ),
                                        "mark the parameter optional in the Request body table, or send it in the example",
                                    ),
                                    Some(Value::Null) => (
                                        format!(
                                            "the example request sends null for the required parameter `{}`",
                                            p.name.api
                                        ),
                                        "mark the parameter optional in the Request body table, or send a value in the example",
                                    ),
                                    Some(_) => continue,
                                };
                                self.found(
                                    place,
                                    Code::ExampleParameterMissing,
                                    message,
                                    help.to_owned(),
                                );
                            }
                            for (key, value) in map {
                                match parameters.iter().find(|p| p.name.api == *key) {
                                    Some(p) => self.value(
                                        value,
                                        &p.ty,
                                        p.collection,
                                        &JsonPath::Key(&JsonPath::Root, key),
                                        None,
                                        place,
                                    ),
                                    None if key.contains('@') => {}
                                    None => self.found(
                                        place,
                                        Code::ExamplePropertyUnknown,
                                        format!("`{}` takes no parameter `{key}`", e.name.api),
                                        "add the parameter to the Request body table, or remove it from the example"
                                            .to_owned(),
                                    ),
                                }
                            }
                        }
                    }
                    RequestBody::None | RequestBody::Stream => {}
                }
            }
            if let (Some(body), Some(ty)) = (&x.response_body, &e.response.body) {
                let source = x.response_source.as_ref().unwrap_or(&x.source);
                let place = (source, "example response");
                self.response(body, ty, e.response.collection, place);
            }
            if self.flush(diags) {
                disagreeing.insert((i, j));
            }
        }
    }

    fn found(&mut self, place: Place<'_>, code: Code, message: String, help: String) {
        self.pending.push((
            place.0.clone(),
            place.1,
            Found {
                code,
                message,
                help,
                property: None,
                kind: None,
                fix: None,
            },
        ));
    }

    fn response(&mut self, body: &Value, ty: &TypeRef, collection: bool, place: Place<'_>) {
        let simple = matches!(ty, TypeRef::Primitive(_))
            || matches!(ty, TypeRef::Named(n) if self.api.type_named(n).is_some_and(|t| t.kind == TypeKind::Enum));
        match body {
            Value::Object(map) if collection || simple => {
                // `{"value": [...]}` for a page; `{"value": x}` for a single
                // primitive or enum. Bodies without `value` are shown
                // shortened; they are not checked.
                if let Some(value) = map.get("value") {
                    let path = JsonPath::Key(&JsonPath::Root, "value");
                    self.value(value, ty, collection, &path, None, place);
                }
            }
            _ if collection => {}
            Value::Object(map) if is_wrapped(map) && !self.declares_value(ty) => {
                // Some pages wrap a single object in `value`, as if it were
                // a collection; Graph sends the object itself.
                self.found(
                    place,
                    Code::ExamplePropertyUnknown,
                    format!(
                        "example response wraps the `{}` object in `value`",
                        describe(self.api, ty).trim_end_matches(" object").trim_matches('`')
                    ),
                    "Graph returns a single object unwrapped: remove the `value` wrapper from the example"
                        .to_owned(),
                );
                if let Some(inner) = map.get("value") {
                    self.value(inner, ty, false, &JsonPath::Root, None, place);
                }
            }
            _ => self.value(body, ty, false, &JsonPath::Root, None, place),
        }
    }

    /// Whether `ty` has a property called `value` of its own.
    fn declares_value(&self, ty: &TypeRef) -> bool {
        let TypeRef::Named(n) = ty else { return false };
        self.api.type_named(n).is_some_and(|t| {
            self.api
                .ancestry(t)
                .iter()
                .any(|a| a.properties.iter().any(|p| p.name.api == "value"))
        })
    }

    /// Checks `value` against `ty` (a collection of it when `collection`).
    /// `property` names the (type, property) the value is sent for.
    fn value(
        &mut self,
        value: &Value,
        ty: &TypeRef,
        collection: bool,
        path: &JsonPath<'_>,
        property: Option<(&'a str, &'a str)>,
        place: Place<'_>,
    ) {
        if value.is_null() {
            return;
        }
        if collection {
            match value {
                Value::Array(items) => {
                    for (i, item) in items.iter().enumerate() {
                        self.value(item, ty, false, &JsonPath::Index(path, i), None, place);
                    }
                    self.observe(property, None);
                }
                other => self.kind_mismatch(
                    other,
                    &format!("a collection of {}", describe(self.api, ty)),
                    path,
                    property,
                    place,
                ),
            }
            return;
        }
        if let Value::String(s) = value {
            if self.representation || PLACEHOLDER_VALUES.contains(&s.as_str()) {
                // A type name in a representation; a placeholder in an
                // example is reported while reading the page.
                self.reported_earlier |= !self.representation;
                return;
            }
        }
        // What the table says, for a finding: made only for one.
        let expected = || describe(self.api, ty);
        match ty {
            TypeRef::Unresolved(_) | TypeRef::Primitive(Primitive::Json | Primitive::Stream) => {}
            TypeRef::Primitive(p) => self.primitive(value, *p, ty, path, property, place),
            TypeRef::Named(name) => match self.api.type_named(name) {
                None => {}
                Some(def) if def.kind == TypeKind::Enum => match value {
                    Value::String(s) => {
                        self.observe(property, None);
                        let members: Vec<&str> =
                            def.members.iter().map(|m| m.name.api.as_str()).collect();
                        // Flags enums are written `a,b`.
                        let unknown = s.split(',').map(str::trim).find(|v| !members.contains(v));
                        if let Some(v) = unknown {
                            if looks_like_placeholder(v) {
                                self.placeholder(s, &expected(), path, place);
                            } else {
                                let help = match crate::base::diagnostics::did_you_mean(
                                    v,
                                    members.iter().copied(),
                                ) {
                                    Some(m) => format!(
                                        "did you mean `{m}`? the members are in the `{name}` table"
                                    ),
                                    None => format!(
                                        "use a member of `{name}`, or add `{v}` to its table"
                                    ),
                                };
                                self.found(
                                    place,
                                    Code::ExampleEnumValue,
                                    format!("{} sends `{v}` for `{path}`, which is not a member of `{name}`", place.1),
                                    help,
                                );
                            }
                        }
                    }
                    other => {
                        self.kind_mismatch(other, &with_article(&expected()), path, property, place)
                    }
                },
                Some(def) => match value {
                    Value::Object(map) => {
                        self.observe(property, None);
                        self.object(map, def, path, place);
                    }
                    other => {
                        self.kind_mismatch(other, &with_article(&expected()), path, property, place)
                    }
                },
            },
        }
    }

    fn primitive(
        &mut self,
        value: &Value,
        p: Primitive,
        ty: &TypeRef,
        path: &JsonPath<'_>,
        property: Option<(&'a str, &'a str)>,
        place: Place<'_>,
    ) {
        use Primitive::*;
        let kind_ok = match (p, value) {
            (Boolean, Value::Bool(_)) => true,
            (Byte | SByte | Int16 | Int32 | Int64, Value::Number(n)) => n.is_i64() || n.is_u64(),
            (Single | Double | Decimal, Value::Number(_)) => true,
            (Single | Double, Value::String(s)) => matches!(s.as_str(), "NaN" | "INF" | "-INF"),
            (
                String | Guid | Date | DateTimeOffset | TimeOfDay | Duration | Binary,
                Value::String(_),
            ) => true,
            _ => false,
        };
        // What the table says, for a finding: made only for one.
        let expected = || describe(self.api, ty);
        if !kind_ok {
            if let Value::String(s) = value {
                if looks_like_placeholder(s) {
                    self.placeholder(s, &expected(), path, place);
                    return;
                }
            }
            self.kind_mismatch(value, &with_article(&expected()), path, property, place);
            return;
        }
        self.observe(property, None);
        let Value::String(s) = value else { return };
        let well_formed = match p {
            Guid => is_guid(s),
            Date => is_date(s),
            DateTimeOffset => is_date_time(s),
            TimeOfDay => is_time(s),
            Duration => is_duration(s),
            _ => true,
        };
        if !well_formed {
            let expected = expected();
            if looks_like_placeholder(s) {
                self.placeholder(s, &expected, path, place);
            } else {
                self.found(
                    place,
                    Code::ExampleValueMalformed,
                    format!(
                        "{} sends \"{s}\" for `{path}`, which is not a valid {expected}",
                        place.1
                    ),
                    format!("write {}", format_hint(p)),
                );
            }
        }
    }

    fn placeholder(&mut self, s: &str, expected: &str, path: &JsonPath<'_>, place: Place<'_>) {
        self.found(
            place,
            Code::PlaceholderValue,
            format!("{} sends the placeholder \"{s}\" for `{path}`", place.1),
            format!("replace it with a real {expected} value; the SDK cannot decode a placeholder"),
        );
    }

    fn object(
        &mut self,
        map: &serde_json::Map<String, Value>,
        declared: &'a TypeDef,
        path: &JsonPath<'_>,
        place: Place<'_>,
    ) {
        // `@odata.type` may name a derived type, whose properties apply.
        let named = map.get("@odata.type").and_then(Value::as_str).map(|t| {
            t.trim_start_matches('#')
                .trim_start_matches("microsoft.graph.")
        });
        let ty = named
            .and_then(|n| self.api.type_named(n))
            .filter(|t| self.graph.is_a(t, declared))
            .unwrap_or(declared);
        let ancestry = self.graph.ancestry(ty);
        let open = ancestry.iter().any(|t| t.open);
        for (key, value) in map {
            if key.contains('@') {
                continue;
            }
            let here = JsonPath::Key(path, key);
            // The field as the emitted struct has it (the graph's rule: a
            // property declared again is the base's).
            let declared_prop = self.graph.field(ty, key).map(|f| (f.owner, f.prop));
            match declared_prop {
                Some((owner, prop)) => {
                    let owner = owner.name.api.as_str();
                    self.value(
                        value,
                        &prop.ty,
                        prop.collection,
                        &here,
                        Some((owner, prop.name.api.as_str())),
                        place,
                    );
                }
                None if open => {}
                None => self.undeclared(ty, &ancestry, named.is_some(), key, &here, place),
            }
        }
    }

    /// Reports `key`, sent at `here` in an object read as `ty` (whose
    /// ancestry is `ancestry`), which `ty` does not declare: as a derived
    /// type's property sent without `@odata.type` when the object names no
    /// type (`named`) and a derived type declares it, else as unknown.
    fn undeclared(
        &mut self,
        ty: &'a TypeDef,
        ancestry: &[&'a TypeDef],
        named: bool,
        key: &str,
        here: &JsonPath<'_>,
        place: Place<'_>,
    ) {
        let carrier = if named {
            None
        } else {
            self.graph
                .derived(ty)
                .into_iter()
                .find(|d| d.properties.iter().any(|p| p.name.api == *key))
        };
        match carrier {
            Some(d) => self.found(
                place,
                Code::ExampleODataTypeMissing,
                format!(
                    "{} sends `{here}`, a property of `{}`, without `@odata.type`",
                    place.1, d.name.api
                ),
                format!(
                    "add \"@odata.type\": \"#microsoft.graph.{}\" to the object; without it the value is read as `{}`",
                    d.name.api, ty.name.api
                ),
            ),
            None => {
                let suggester = self.suggesters.get(ty.name.api.as_str()).map(|cell| {
                    cell.get_or_init(|| {
                        Suggester::new(
                            ancestry
                                .iter()
                                .flat_map(|t| t.properties.iter().map(|p| p.name.api.as_str())),
                        )
                    })
                });
                let suggestion = suggester.and_then(|s| s.suggest(key));
                // A near-miss key is renamed in the example, where it is
                // written once.
                let fix = suggestion
                    .filter(|s| crate::model::resolve::near_miss(key, s))
                    .map(|s| {
                        Fix::one(
                            format!("rename `{key}` to `{s}`"),
                            place.0.span,
                            format!("\"{key}\""),
                            format!("\"{s}\""),
                        )
                    });
                let help = match suggestion {
                    Some(s) => format!("did you mean `{s}`? `{}` declares it", ty.name.api),
                    None => format!(
                        "add `{key}` to the properties of `{}`, or remove it from {}",
                        ty.name.api,
                        if place.1.starts_with("example") {
                            "the example"
                        } else {
                            place.1
                        }
                    ),
                };
                self.found(
                    place,
                    Code::ExamplePropertyUnknown,
                    format!(
                        "{} sends `{here}`, which `{}` does not declare",
                        place.1, ty.name.api
                    ),
                    help,
                );
                if let (Some(fix), Some(last)) = (fix, self.pending.last_mut()) {
                    last.2.fix = Some(fix);
                }
            }
        }
    }

    fn kind_mismatch(
        &mut self,
        value: &Value,
        expected: &str,
        path: &JsonPath<'_>,
        property: Option<(&'a str, &'a str)>,
        place: Place<'_>,
    ) {
        let kind = kind_of(value);
        self.observe(property, Some(kind));
        let found = Found {
            code: Code::ExampleKindMismatch,
            message: format!(
                "{} sends {} for `{path}`; the table says {expected}",
                place.1,
                article(kind)
            ),
            help: format!(
                "the table says {expected}; {} is probably wrong",
                if self.representation {
                    "the JSON representation"
                } else {
                    "this example"
                }
            ),
            property: property.map(|(t, p)| (t.to_owned(), p.to_owned())),
            kind: Some(kind),
            fix: None,
        };
        self.pending.push((place.0.clone(), place.1, found));
    }

    /// Counts a value sent for a property: well-typed, or of a wrong kind.
    fn observe(&mut self, property: Option<(&'a str, &'a str)>, wrong: Option<&'static str>) {
        if self.representation {
            return;
        }
        if let Some((t, p)) = property {
            let entry = self.sent.entry((t, p)).or_default();
            entry.0 += 1;
            if let Some(kind) = wrong {
                *entry.1.entry(kind).or_default() += 1;
            }
        }
    }

    /// Turns the current example's mismatches into diagnostics: one per
    /// code, naming the first and counting the rest. Kind mismatches wait
    /// until every example was seen, for their help.
    /// Reports what the last body gave; returns whether it gave anything.
    fn flush(&mut self, diags: &mut Vec<Diagnostic>) -> bool {
        let pending = std::mem::take(&mut self.pending);
        let found = !pending.is_empty() || std::mem::take(&mut self.reported_earlier);
        let mut by_code: BTreeMap<(Code, &'static str), Vec<(Source, Found)>> = BTreeMap::new();
        for (source, side, found) in pending {
            by_code
                .entry((found.code, side))
                .or_default()
                .push((source, found));
        }
        for ((code, side), list) in by_code {
            let more = list.len() - 1;
            let mut list = list.into_iter();
            let Some((source, first)) = list.next() else {
                continue;
            };
            if code == Code::ExampleKindMismatch {
                self.kinds.push((source, side, first, more));
            } else {
                // The group's one diagnostic has a fix when each of its
                // findings has one: applied, it removes the diagnostic.
                let fixes: Option<Vec<Fix>> = std::iter::once(first.fix)
                    .chain(list.map(|(_, f)| f.fix))
                    .collect();
                let fix = fixes.and_then(|fixes| {
                    let mut fixes = fixes.into_iter();
                    let mut fix = fixes.next()?;
                    for more in fixes {
                        fix.description = format!("{}; {}", fix.description, more.description);
                        fix.edits.extend(more.edits);
                    }
                    Some(fix)
                });
                let mut d =
                    diag_at_source(&source, code, with_more(first.message, more), first.help);
                d.fix = fix;
                diags.push(d);
            }
        }
        found
    }

    fn finish(self, diags: &mut Vec<Diagnostic>) {
        for (source, _, found, more) in self.kinds {
            let mut help = found.help;
            if let (Some(key), Some(kind)) = (&found.property, found.kind) {
                if let Some((total, wrong)) = self.sent.get(&(key.0.as_str(), key.1.as_str())) {
                    let same = wrong.get(kind).copied().unwrap_or(0);
                    if *total >= 2 && same == *total {
                        help = format!(
                            "every example ({total}) sends {} for `{}.{}`; the table is probably wrong",
                            article(kind),
                            key.0,
                            key.1
                        );
                    }
                }
            }
            diags.push(diag_at_source(
                &source,
                Code::ExampleKindMismatch,
                with_more(found.message, more),
                help,
            ));
        }
    }
}

/// `{"value": {...}}`, with nothing else but `@` annotations.
fn is_wrapped(map: &serde_json::Map<String, Value>) -> bool {
    map.get("value").is_some_and(Value::is_object)
        && map.keys().all(|k| k == "value" || k.starts_with('@'))
}

fn with_more(message: String, more: usize) -> String {
    match more {
        0 => message,
        1 => format!("{message}, and 1 more"),
        n => format!("{message}, and {n} more"),
    }
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn article(kind: &str) -> String {
    match kind {
        "array" | "object" => format!("an {kind}"),
        "null" => "null".to_owned(),
        _ => format!("a {kind}"),
    }
}

/// What a type expects, in words, without an article: `String`,
/// `` `calendarColor` member ``, `` `user` object ``.
fn describe(api: &Api, ty: &TypeRef) -> String {
    match ty {
        TypeRef::Primitive(p) => p.edm_name().trim_start_matches("Edm.").to_owned(),
        TypeRef::Named(n) => match api.type_named(n).map(|t| t.kind) {
            Some(TypeKind::Enum) => format!("`{n}` member"),
            _ => format!("`{n}` object"),
        },
        TypeRef::Unresolved(w) => format!("`{w}`"),
    }
}

/// `what` with `a` or `an`.
fn with_article(what: &str) -> String {
    let vowel = what
        .trim_start_matches('`')
        .starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']);
    format!("{} {what}", if vowel { "an" } else { "a" })
}

fn format_hint(p: Primitive) -> &'static str {
    match p {
        Primitive::Guid => "a GUID such as `b0e8b4a2-5f2d-4a1e-9c43-3e8d1a6c2f10`",
        Primitive::Date => "a date such as `2024-05-17`",
        Primitive::DateTimeOffset => {
            "an RFC 3339 date and time with an offset, such as `2024-05-17T08:30:00Z`"
        }
        Primitive::TimeOfDay => "a time of day such as `08:30:00`",
        Primitive::Duration => "an ISO 8601 duration such as `PT1H30M`",
        _ => "a value of the documented type",
    }
}

/// Values the docs use in place of a real one: `datetime-value`,
/// `unique-id`, `String (identifier)`.
fn looks_like_placeholder(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    PLACEHOLDER_VALUES.contains(&s)
        || lower == "unique-id"
        || lower == "string (identifier)"
        || (lower.ends_with("-value")
            && lower
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `s` is a GUID (`8-4-4-4-12` hex digits).
pub(crate) fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whether `s` is a date (`YYYY-MM-DD`).
pub(crate) fn is_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 3 && digits(parts[0], 4) && digits(parts[1], 2) && digits(parts[2], 2)
}

fn is_time(s: &str) -> bool {
    let (main, fraction) = s.split_once('.').unwrap_or((s, "0"));
    let parts: Vec<&str> = main.split(':').collect();
    (parts.len() == 2 || parts.len() == 3)
        && parts.iter().all(|p| digits(p, 2))
        && !fraction.is_empty()
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// RFC 3339 with an offset (`Z` or `+01:00`), as the SDK decodes it.
pub(crate) fn is_date_time(s: &str) -> bool {
    let Some((date, rest)) = s.split_once(['T', 't']) else {
        return false;
    };
    let (time, offset_ok) = if let Some(t) = rest.strip_suffix(['Z', 'z']) {
        (t, true)
    } else if let Some(i) = rest.rfind(['+', '-']) {
        let offset = &rest[i + 1..];
        // `get`, not slicing: the text may hold any character.
        let ok = offset.len() == 5
            && offset.get(..2).is_some_and(|h| digits(h, 2))
            && offset.get(2..3) == Some(":")
            && offset.get(3..).is_some_and(|m| digits(m, 2));
        (&rest[..i], ok)
    } else {
        (rest, false)
    };
    offset_ok && is_date(date) && is_time(time) && time.matches(':').count() == 2
}

/// ISO 8601: `P1D`, `PT1H30M`, `-P2W`, `PT0.5S`.
fn is_duration(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let Some(rest) = s.strip_prefix('P') else {
        return false;
    };
    let (date, time) = match rest.split_once('T') {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return false,
        None => (rest, None),
    };
    let units = |text: &str, allowed: &str| -> Option<usize> {
        let mut count = 0;
        let mut number = String::new();
        let mut last = 0;
        for c in text.chars() {
            if c.is_ascii_digit() || c == '.' {
                number.push(c);
            } else {
                let at = allowed.find(c)?;
                if number.is_empty() || at < last {
                    return None;
                }
                last = at + 1;
                number.clear();
                count += 1;
            }
        }
        number.is_empty().then_some(count)
    };
    match (units(date, "YMWD"), time.map(|t| units(t, "HMS"))) {
        (Some(d), None) => d > 0,
        (Some(_), Some(Some(t))) => t > 0,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert!(is_guid("b0e8b4a2-5f2d-4a1e-9c43-3e8d1a6c2f10"));
        assert!(!is_guid("unique-id"));
        assert!(is_date("2024-05-17"));
        assert!(!is_date("2024-5-17"));
        assert!(is_date_time("2016-03-21T20:01:37.4067719Z"));
        assert!(is_date_time("2016-03-21T20:01:37+01:00"));
        assert!(!is_date_time("2016-03-21T20:01:37"));
        assert!(!is_date_time("2016-03-21"));
        assert!(!is_date_time("datetime-value"));
        assert!(is_time("08:30:00.0000000"));
        assert!(is_time("08:30"));
        assert!(!is_time("8:30"));
        assert!(is_duration("PT1H30M"));
        assert!(is_duration("P1D"));
        assert!(is_duration("-P2W"));
        assert!(is_duration("PT0.5S"));
        assert!(!is_duration("P"));
        assert!(!is_duration("PT"));
        assert!(!is_duration("1 hour"));
        assert!(!is_duration("PT1M1H"));
        assert!(!is_date_time("2020-01-01T00:00:00+0\u{e9}00"));
        assert!(is_date_time("2020-01-01T00:00:00+01:00"));
        assert!(looks_like_placeholder("datetime-value"));
        assert!(looks_like_placeholder("unique-id"));
        assert!(looks_like_placeholder("Boolean"));
        assert!(!looks_like_placeholder("Display Name value"));
    }
}
