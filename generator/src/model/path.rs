//! Typed path templates: `/users/{id | userPrincipalName}/events/{id}/attachments/{id}`.

use std::fmt;

use serde::Serialize;

/// A placeholder in a path, such as `{id | userPrincipalName}`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Placeholder {
    /// A name unique within the path (`eventId`, `attachmentId`).
    pub name: String,
    /// The placeholder's names as written (`["id", "userPrincipalName"]`).
    pub written: Vec<String>,
}

/// One argument of a function segment: `address='{address}'`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct FunctionArg {
    /// The argument name.
    pub name: String,
    /// The value: a placeholder, or a literal as written.
    pub value: ArgValue,
    /// Whether the value is written in single quotes (a string literal).
    pub quoted: bool,
}

/// A function argument's value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArgValue {
    /// A placeholder.
    Placeholder(Placeholder),
    /// A literal value.
    Literal(String),
}

/// One segment of a path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Segment {
    /// A fixed name: `users`, `deviceManagement`.
    Literal {
        /// The name.
        name: String,
    },
    /// A key placeholder: `{id}`, `{id | userPrincipalName}`.
    Key {
        /// The placeholder.
        param: Placeholder,
    },
    /// A type cast: `microsoft.graph.user`.
    Cast {
        /// The full type name.
        type_name: String,
    },
    /// A function or action with arguments: `range(address='{address}')`.
    Function {
        /// The function name.
        name: String,
        /// Its arguments, in order.
        args: Vec<FunctionArg>,
    },
    /// A key given inside parentheses: `items('{id}')`.
    KeyedLiteral {
        /// The collection name.
        name: String,
        /// The key placeholder.
        param: Placeholder,
    },
    /// A drive item path: `root:/{item-path}:`.
    ItemPath {
        /// The item the path starts from (`root`, or a placeholder's name).
        base: String,
        /// The path placeholder.
        param: Placeholder,
    },
    /// `$ref`.
    Ref,
    /// `$value`.
    Value,
    /// `$count`.
    Count,
}

/// A path as a typed template.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PathTemplate {
    /// The path as written, without host, version or query.
    pub written: String,
    /// Its segments.
    pub segments: Vec<Segment>,
}

impl Serialize for PathTemplate {
    /// Serialised as written, which is how people read paths.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.written)
    }
}

impl fmt::Display for PathTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.written)
    }
}

impl PathTemplate {
    /// Spells the first segment as `root` when it differs from it only in
    /// case (Graph reads paths case-insensitively), in the segments and in
    /// the written path.
    pub fn respell_root(&mut self, root: &str) {
        let Some(Segment::Literal { name }) = self.segments.first_mut() else {
            return;
        };
        if name == root || !name.eq_ignore_ascii_case(root) {
            return;
        }
        let start = usize::from(self.written.starts_with('/'));
        if self
            .written
            .get(start..start + name.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(root))
        {
            self.written.replace_range(start..start + name.len(), root);
        }
        root.clone_into(name);
    }

    /// Parses a path as the reader normalised it (starting with `/`).
    pub fn parse(written: &str) -> PathTemplate {
        let mut segments = Vec::new();
        for raw in split_segments(written) {
            segments.push(parse_segment(&raw));
        }
        let mut path = PathTemplate {
            written: written.to_owned(),
            segments,
        };
        path.make_param_names_unique();
        path
    }

    /// Every placeholder, in order.
    pub fn params(&self) -> Vec<&Placeholder> {
        let mut out = Vec::new();
        for segment in &self.segments {
            match segment {
                Segment::Key { param }
                | Segment::KeyedLiteral { param, .. }
                | Segment::ItemPath { param, .. } => out.push(param),
                Segment::Function { args, .. } => {
                    out.extend(args.iter().filter_map(|a| match &a.value {
                        ArgValue::Placeholder(p) => Some(p),
                        ArgValue::Literal(_) => None,
                    }))
                }
                _ => {}
            }
        }
        out
    }

    /// The path with every placeholder replaced by `{}`: two paths with the
    /// same shape address the same thing.
    pub fn shape(&self) -> String {
        let mut out = String::new();
        for segment in &self.segments {
            out.push('/');
            match segment {
                Segment::Literal { name } => out.push_str(name),
                Segment::Key { .. } => out.push_str("{}"),
                Segment::Cast { type_name } => out.push_str(type_name),
                Segment::Function { name, args } => {
                    out.push_str(name);
                    out.push('(');
                    out.push_str(
                        &args
                            .iter()
                            .map(|a| a.name.as_str())
                            .collect::<Vec<_>>()
                            .join(","),
                    );
                    out.push(')');
                }
                Segment::KeyedLiteral { name, .. } => {
                    out.push_str(name);
                    out.push_str("({})");
                }
                Segment::ItemPath { base, .. } => {
                    out.push_str(base);
                    out.push_str(":{}:");
                }
                Segment::Ref => out.push_str("$ref"),
                Segment::Value => out.push_str("$value"),
                Segment::Count => out.push_str("$count"),
            }
        }
        out
    }

    /// Gives placeholders that share a name (`/events/{id}/attachments/{id}`)
    /// distinct names derived from the collection before them (`eventId`,
    /// `attachmentId`).
    fn make_param_names_unique(&mut self) {
        let mut counts = std::collections::BTreeMap::<String, usize>::new();
        for p in self.params() {
            *counts.entry(p.name.to_ascii_lowercase()).or_default() += 1;
        }
        if counts.values().all(|c| *c == 1) {
            return;
        }
        let mut previous_literal: Option<String> = None;
        let mut used = std::collections::BTreeSet::new();
        for segment in &mut self.segments {
            let (param, context) = match segment {
                Segment::Literal { name } => {
                    previous_literal = Some(name.clone());
                    continue;
                }
                Segment::Key { param } => (param, previous_literal.clone()),
                Segment::KeyedLiteral { name, param } => (param, Some(name.clone())),
                _ => continue,
            };
            if counts
                .get(&param.name.to_ascii_lowercase())
                .copied()
                .unwrap_or(0)
                > 1
            {
                let base = context.map_or_else(|| "item".to_owned(), |c| singular(&c));
                let mut candidate = format!("{base}{}", upper_first(&param.name));
                let mut n = 2;
                while used.contains(&candidate) {
                    candidate = format!("{base}{}{n}", upper_first(&param.name));
                    n += 1;
                }
                param.name = candidate;
            }
            used.insert(param.name.clone());
        }
    }
}

fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `events` -> `event`, `policies` -> `policy`: good enough for naming keys.
pub fn singular(word: &str) -> String {
    match word {
        "children" => return "child".to_owned(),
        "people" => return "person".to_owned(),
        _ => {}
    }
    if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if word.ends_with("ss") || word.ends_with("us") {
        word.to_owned()
    } else if let Some(stem) = word.strip_suffix('s') {
        stem.to_owned()
    } else {
        word.to_owned()
    }
}

/// Splits a path at `/`, keeping `/` inside braces, parentheses and quotes,
/// Why a path, as written, cannot become a method: the first segment that
/// is no path name, with what is wrong with it. A placeholder (`{id}`,
/// `{id | userPrincipalName}`), a function call and an item path are
/// names; `{user-id} | user-principal-name`, `...`, words with spaces, a
/// GUID and a sample id from an example URL are not.
pub fn broken_segment(written: &str) -> Option<(String, &'static str)> {
    split_segments(written).into_iter().find_map(|raw| {
        let why = segment_problem(&raw)?;
        Some((raw, why))
    })
}

fn segment_problem(raw: &str) -> Option<&'static str> {
    // What is outside `{...}`, `(...)` and quotes.
    let mut outside = String::new();
    let (mut depth, mut quoted) = (0usize, false);
    for c in raw.chars() {
        match c {
            '\'' => quoted = !quoted,
            '{' | '(' if !quoted => {
                depth += 1;
                continue;
            }
            '}' | ')' if !quoted => {
                depth = depth.saturating_sub(1);
                continue;
            }
            _ => {}
        }
        if depth == 0 && !quoted {
            outside.push(c);
        }
    }
    let braces = raw.matches('{').count();
    if braces > 1
        && raw.starts_with('{')
        && raw.ends_with('}')
        && !raw[1..raw.len() - 1].contains('{')
    {
        return None;
    }
    if outside.contains("...") || outside.contains('\u{2026}') {
        return Some("it elides segments (`...`)");
    }
    if outside.contains('|') {
        return Some("it has a `|` outside a placeholder");
    }
    if outside.chars().any(char::is_whitespace) {
        return Some("it has spaces");
    }
    if braces > 0
        && !raw.starts_with('{')
        && !raw.contains('(')
        && !raw.contains(':')
        && !raw.contains('=')
    {
        return Some("a placeholder stands inside a name");
    }
    if raw.contains(['{', '(', '\'', ':', '=', '$', '@', '.']) {
        return None;
    }
    if is_guid(raw) {
        return Some("it is a GUID, a value from an example URL");
    }
    if looks_like_sample_id(raw) {
        return Some("it is an id from an example URL");
    }
    None
}

fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

/// An opaque id (`GDbc8U7hGwAddZocJgAaaa`, `AAMkAGI2THVSAAA=`): long, with
/// digits, and with its letters changing case more often than words do.
fn looks_like_sample_id(s: &str) -> bool {
    if s.len() < 16 || !s.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    let letters: Vec<char> = s.chars().filter(char::is_ascii_alphabetic).collect();
    let changes = letters
        .windows(2)
        .filter(|w| w[0].is_ascii_uppercase() != w[1].is_ascii_uppercase())
        .count();
    changes * 2 > s.len()
}

/// and keeping a drive item path (`root:/a/b:`) as one segment.
pub(crate) fn split_segments(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    let mut quoted = false;
    let mut in_item_path = false;
    for c in path.chars() {
        match c {
            '\'' => quoted = !quoted,
            '{' | '(' if !quoted => depth += 1,
            '}' | ')' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
        if c == '/' && depth == 0 && !quoted {
            if current.ends_with(':') && !in_item_path && !current.is_empty() {
                // `root:` opens an item path that runs to the next `:`.
                in_item_path = true;
                current.push('/');
                continue;
            }
            if in_item_path && !current.ends_with(':') {
                current.push('/');
                continue;
            }
            in_item_path = false;
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        current.push(c);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn parse_param(inner: &str) -> Placeholder {
    let written: Vec<String> = inner
        .split('|')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect();
    let written = if written.is_empty() {
        vec!["id".to_owned()]
    } else {
        written
    };
    Placeholder {
        name: written[0].clone(),
        written,
    }
}

pub(crate) fn braced(s: &str) -> Option<&str> {
    s.strip_prefix('{').and_then(|r| r.strip_suffix('}'))
}

fn parse_segment(raw: &str) -> Segment {
    match raw {
        "$ref" => return Segment::Ref,
        "$value" => return Segment::Value,
        "$count" => return Segment::Count,
        _ => {}
    }
    if let Some(inner) = braced(raw) {
        return Segment::Key {
            param: parse_param(inner),
        };
    }
    if let Some((base, rest)) = raw.split_once(":/") {
        let inner = rest.trim_end_matches(':').trim_end_matches('/');
        let inner = braced(inner).unwrap_or(inner);
        return Segment::ItemPath {
            base: base.to_owned(),
            param: parse_param(inner),
        };
    }
    if let Some(open) = raw.find('(') {
        if raw.ends_with(')') {
            let name = raw[..open].to_owned();
            let inner = &raw[open + 1..raw.len() - 1];
            let trimmed = inner.trim().trim_matches('\'');
            // `items('{id}')` / `users('{upn}')`: a key in parentheses.
            if !inner.contains('=') {
                if let Some(p) = braced(trimmed) {
                    return Segment::KeyedLiteral {
                        name,
                        param: parse_param(p),
                    };
                }
                if trimmed.is_empty() {
                    return Segment::Function {
                        name,
                        args: Vec::new(),
                    };
                }
            }
            let args = split_args(inner)
                .into_iter()
                .filter_map(|arg| {
                    // A positional argument (`range(<address>)`) is named after its placeholder.
                    let (n, v) = match arg.split_once('=') {
                        Some(pair) => pair,
                        None => {
                            let v = arg.trim();
                            let name = v
                                .trim_matches(|c| matches!(c, '<' | '>' | '{' | '}' | '\''))
                                .trim();
                            if name.is_empty() {
                                return None;
                            }
                            (name, v)
                        }
                    };
                    let v = v.trim();
                    let quoted = v.starts_with('\'') && v.ends_with('\'') && v.len() >= 2;
                    let unquoted = if quoted { &v[1..v.len() - 1] } else { v };
                    let placeholder = braced(unquoted)
                        .or_else(|| unquoted.strip_prefix('<').and_then(|r| r.strip_suffix('>')));
                    let value = match placeholder {
                        Some(p) => ArgValue::Placeholder(parse_param(p)),
                        None => ArgValue::Literal(unquoted.to_owned()),
                    };
                    Some(FunctionArg {
                        name: n.trim().to_owned(),
                        value,
                        quoted,
                    })
                })
                .collect();
            return Segment::Function { name, args };
        }
    }
    if raw.starts_with("microsoft.graph.") || raw.starts_with("graph.") {
        return Segment::Cast {
            type_name: raw.to_owned(),
        };
    }
    Segment::Literal {
        name: raw.to_owned(),
    }
}

fn split_args(inner: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in inner.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '{' | '(' if !quoted => depth += 1,
            '}' | ')' if !quoted => depth = depth.saturating_sub(1),
            ',' if depth == 0 && !quoted => {
                out.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < inner.len() {
        out.push(&inner[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_segments_are_named() {
        for (path, bad) in [
            (
                "/users/{user-id} | user-principal-name/chats",
                "{user-id} | user-principal-name",
            ),
            (
                "/me/mailFolders/{id}/childFolders/{id}/.../messages/{id}",
                "...",
            ),
            (
                "/education/classes/acdefc6b-2dc6-4e71-b1e9-6d9810ab1793/assignments",
                "acdefc6b-2dc6-4e71-b1e9-6d9810ab1793",
            ),
            (
                "/me/todo/lists/AAMkADIyAAAhrbPXAAA=/tasks",
                "AAMkADIyAAAhrbPXAAA=",
            ),
            (
                "/me/todo/lists/GDbc8U7hGwAddZocJgAaaa/tasks",
                "GDbc8U7hGwAddZocJgAaaa",
            ),
            ("/sites/{site id}/lists", "{site id}"),
            ("/users/x{id}/photo", "x{id}"),
        ] {
            let found = broken_segment(path).map(|(s, _)| s);
            if bad == "{site id}" {
                // A placeholder may have spaces inside its braces.
                assert_eq!(found, None, "{path}");
            } else if bad == "AAMkADIyAAAhrbPXAAA=" {
                // `=` makes it a key segment's value, read elsewhere.
                assert_eq!(found, None, "{path}");
            } else {
                assert_eq!(found.as_deref(), Some(bad), "{path}");
            }
        }
        for good in [
            "/users/{id | userPrincipalName}/chats",
            "/reports/getOffice365ActiveUserDetail(period='{period_value}')",
            "/me/drive/root:/{item-path}:/children",
            "/me/drive/items/{id}/workbook/worksheets/{id|name}/range(address='A1:B2')",
            "/policies/identitySecurityDefaultsEnforcementPolicy",
            "/me/outlook/supportedTimeZones(TimeZoneStandard=microsoft.graph.timeZoneStandard'{timezone_format}')",
            "/users/{id}/photos/{size}/$value",
            "/deviceManagement/windowsAutopilotDeviceIdentities/{id}/assignUserToDevice",
        ] {
            assert_eq!(broken_segment(good), None, "{good}");
        }
    }

    fn kinds(path: &str) -> Vec<String> {
        PathTemplate::parse(path)
            .segments
            .iter()
            .map(|s| serde_json::to_string(s).unwrap_or_default())
            .collect()
    }

    #[test]
    fn alternate_keys_and_repeated_names() {
        let p = PathTemplate::parse("/users/{id | userPrincipalName}");
        assert_eq!(p.params()[0].written, vec!["id", "userPrincipalName"]);
        let p = PathTemplate::parse("/me/events/{id}/attachments/{id}");
        let names: Vec<_> = p.params().iter().map(|p| p.name.clone()).collect();
        assert_eq!(names, vec!["eventId", "attachmentId"]);
        assert_eq!(p.shape(), "/me/events/{}/attachments/{}");
    }

    #[test]
    fn every_segment_shape() {
        assert_eq!(
            kinds("/me/drive/root:/{item-path}:/content"),
            vec![
                r#"{"kind":"literal","name":"me"}"#,
                r#"{"kind":"literal","name":"drive"}"#,
                r#"{"kind":"item_path","base":"root","param":{"name":"item-path","written":["item-path"]}}"#,
                r#"{"kind":"literal","name":"content"}"#,
            ]
        );
        let p = PathTemplate::parse(
            "/me/drive/items/{id}/workbook/worksheets/{id|name}/range(address='{address}')",
        );
        assert!(
            matches!(&p.segments[7], Segment::Function { name, args } if name == "range" && args[0].quoted)
        );
        assert_eq!(p.params().len(), 3);
        let p = PathTemplate::parse("/groups/{id}/members/microsoft.graph.user/$count");
        assert!(matches!(p.segments[3], Segment::Cast { .. }));
        assert_eq!(p.segments[4], Segment::Count);
        let p = PathTemplate::parse("/groups/{id}/members/{id}/$ref");
        assert_eq!(p.segments[4], Segment::Ref);
        let p = PathTemplate::parse("/reports/getOffice365ActiveUserDetail(period='D7')");
        assert!(
            matches!(&p.segments[1], Segment::Function { args, .. } if args[0].value == ArgValue::Literal("D7".into()))
        );
        let p = PathTemplate::parse("/sites/{site-id}/lists('{list-id}')");
        assert!(matches!(&p.segments[2], Segment::KeyedLiteral { name, .. } if name == "lists"));
        let p = PathTemplate::parse(
            "/me/reminderView(startDateTime={startDateTime-value},endDateTime={endDateTime-value})",
        );
        assert!(
            matches!(&p.segments[1], Segment::Function { args, .. } if args.len() == 2 && !args[0].quoted)
        );
        let p = PathTemplate::parse(
            "/me/drive/items/{id}/workbook/worksheets/{id|name}/range(<address>)/format",
        );
        assert!(
            matches!(&p.segments[7], Segment::Function { args, .. } if args.len() == 1 && args[0].name == "address" && matches!(args[0].value, ArgValue::Placeholder(_)))
        );
        let p = PathTemplate::parse("/x/range(address='<address>')");
        assert!(
            matches!(&p.segments[1], Segment::Function { args, .. } if matches!(args[0].value, ArgValue::Placeholder(_)) && args[0].quoted)
        );
        let p = PathTemplate::parse("/drives/{drive-id}/root/delta()");
        assert!(matches!(&p.segments[3], Segment::Function { args, .. } if args.is_empty()));
    }
}
