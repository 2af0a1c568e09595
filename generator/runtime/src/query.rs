//! OData query options (`$select`, `$filter`, ...) and URL encoding helpers.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Characters escaped in query keys and values: everything but unreserved
/// characters and the OData punctuation Graph expects verbatim (`$ , ' ( ) : / @ ! *`).
const QUERY: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'$')
    .remove(b',')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b':')
    .remove(b'/')
    .remove(b'@')
    .remove(b'!')
    .remove(b'*');

/// Characters escaped inside a path segment: like [`QUERY`] but `/` is escaped too.
const SEGMENT: &AsciiSet = &QUERY.add(b'/');

/// A property name in `$select`, `$expand` or `$orderby`: a string, or a
/// generated field enum (`UserField::DisplayName`), so a misspelt name can
/// be a compile error while any string still works.
///
/// ```
/// use graph_sdk_runtime::FieldName;
///
/// assert_eq!(FieldName::from("displayName").as_str(), "displayName");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FieldName(String);

impl FieldName {
    /// The name (or sort expression) as sent.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<&str> for FieldName {
    fn from(name: &str) -> Self {
        FieldName(name.to_owned())
    }
}

impl From<String> for FieldName {
    fn from(name: String) -> Self {
        FieldName(name)
    }
}

impl From<&String> for FieldName {
    fn from(name: &String) -> Self {
        FieldName(name.clone())
    }
}

impl From<FieldName> for String {
    fn from(name: FieldName) -> Self {
        name.0
    }
}

/// Encodes a key for use as one path segment, e.g. `/users/{id}`: everything
/// that is not safe inside a segment (`/`, `?`, `#`, `%`, spaces, non-ASCII,
/// ...) is percent-encoded.
///
/// ```
/// use graph_sdk_runtime::encode_path_segment;
///
/// assert_eq!(encode_path_segment("o'neil@x.com"), "o'neil@x.com");
/// assert_eq!(encode_path_segment("a/b c"), "a%2Fb%20c");
/// ```
pub fn encode_path_segment(value: &str) -> String {
    utf8_percent_encode(value, SEGMENT).to_string()
}

/// Encodes a string argument of an OData function call, e.g.
/// `/range(address='{value}')`: single quotes are doubled as OData requires
/// inside string literals, then the value is encoded like a path segment.
///
/// ```
/// use graph_sdk_runtime::encode_function_arg;
///
/// assert_eq!(encode_function_arg("o'neil"), "o''neil");
/// ```
pub fn encode_function_arg(value: &str) -> String {
    encode_path_segment(&value.replace('\'', "''"))
}

/// Percent-encodes a query-string key or value.
fn encode_query(value: &str) -> String {
    utf8_percent_encode(value, QUERY).to_string()
}

/// OData system query options plus arbitrary extra `key=value` pairs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryOptions {
    /// `$select`: properties to return.
    pub select: Vec<String>,
    /// `$expand`: navigation properties to inline.
    pub expand: Vec<String>,
    /// `$filter`: OData filter expression, e.g. `startswith(displayName,'a')`.
    pub filter: Option<String>,
    /// `$orderby`: sort expressions, e.g. `displayName desc`.
    pub order_by: Vec<String>,
    /// `$top`: page size.
    pub top: Option<u32>,
    /// `$skip`: number of items to skip.
    pub skip: Option<u32>,
    /// `$count`: ask for `@odata.count`.
    pub count: Option<bool>,
    /// `$search`: search expression, e.g. `"displayName:x"` (quotes included).
    pub search: Option<String>,
    /// Extra pairs (function parameters, custom options), appended in order.
    pub extra: Vec<(String, String)>,
}

impl QueryOptions {
    /// Returns the (unencoded) key/value pairs in a stable order.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        let mut list = |key: &str, items: &[String]| {
            if !items.is_empty() {
                pairs.push((key.to_owned(), items.join(",")));
            }
        };
        list("$select", &self.select);
        list("$expand", &self.expand);
        list("$orderby", &self.order_by);
        let scalars = [
            ("$filter", self.filter.clone()),
            ("$search", self.search.clone()),
            ("$top", self.top.map(|v| v.to_string())),
            ("$skip", self.skip.map(|v| v.to_string())),
            ("$count", self.count.map(|v| v.to_string())),
        ];
        for (key, value) in scalars {
            if let Some(value) = value {
                pairs.push((key.to_owned(), value));
            }
        }
        pairs.extend(self.extra.iter().cloned());
        pairs
    }

    /// Encoded query string without the leading `?` (empty when no option is set).
    pub fn to_query_string(&self) -> String {
        self.pairs()
            .iter()
            .map(|(k, v)| format!("{}={}", encode_query(k), encode_query(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    /// Appends the options to `url`, using `?` or `&` as appropriate.
    pub fn append_to(&self, url: &mut String) {
        let query = self.to_query_string();
        if !query.is_empty() {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&query);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(encode_path_segment("o'neil@x.com"), "o'neil@x.com");
        assert_eq!(encode_function_arg("o'neil"), "o''neil");
        assert_eq!(encode_function_arg("A1:B2"), "A1:B2");
        assert_eq!(encode_path_segment("a/b c?d#e%"), "a%2Fb%20c%3Fd%23e%25");
        assert_eq!(encode_path_segment("A1:B2"), "A1:B2");
        assert_eq!(encode_path_segment("é"), "%C3%A9");
    }

    #[test]
    fn query_string_matches_graph_conventions() {
        let options = QueryOptions {
            select: vec!["id".into(), "displayName".into()],
            filter: Some("startswith(displayName,'a b')".into()),
            search: Some("\"displayName:x\"".into()),
            top: Some(5),
            count: Some(true),
            extra: vec![("a&b".into(), "c=d+e".into())],
            ..Default::default()
        };
        assert_eq!(
            options.to_query_string(),
            "$select=id,displayName&$filter=startswith(displayName,'a%20b')\
             &$search=%22displayName:x%22&$top=5&$count=true&a%26b=c%3Dd%2Be"
        );
        let mut url = "https://h/x?y=1".to_owned();
        QueryOptions::default().append_to(&mut url);
        assert_eq!(url, "https://h/x?y=1");
        options.append_to(&mut url);
        assert!(url.starts_with("https://h/x?y=1&$select="));
    }
}
