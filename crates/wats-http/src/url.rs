//! Base URL normalisation, path-segment and query-string encoding.

use http::Uri;
use http::uri::{Authority, Parts, PathAndQuery, Scheme};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use wats_core::{Error, Result};

/// Everything except RFC 3986 "unreserved" characters is percent-encoded, both in
/// path segments and in query keys and values. So a `/`, `?` or `#` in a serial
/// number stays inside its segment, and OData's `$filter` goes out as `%24filter`
/// exactly like pyWATS (httpx) sends it.
const STRICT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The parsed, normalised base URL of the server; parsed once per client.
#[derive(Clone)]
pub(crate) struct BaseUrl {
    scheme: Scheme,
    authority: Authority,
    /// Path prefix without a trailing `/` (empty for a server at the root).
    prefix: String,
    /// The normalised URL as a string, for `Debug` and `Client::base_url`.
    display: String,
}

impl BaseUrl {
    /// Parse and normalise: surrounding whitespace, trailing `/` and one trailing
    /// `/api` are removed (`https://h/api/` becomes `https://h`). Only `http` and
    /// `https` are accepted; user info, query and fragment are rejected.
    pub(crate) fn parse(raw: &str) -> Result<Self> {
        let mut s = raw.trim().trim_end_matches('/');
        // `get` instead of slicing: the cut may fall inside a multi-byte character.
        if let Some(head) = s
            .len()
            .checked_sub(4)
            .filter(|&cut| s.get(cut..).is_some_and(|t| t.eq_ignore_ascii_case("/api")))
            .and_then(|cut| s.get(..cut))
            // Only a path's `/api`: in `http://api` it is the host.
            .filter(|head| head.find("://").is_some_and(|i| head.len() > i + 3))
        {
            s = head.trim_end_matches('/');
        }
        if s.is_empty() {
            return Err(Error::InvalidConfig("base URL is empty".to_owned()));
        }
        if !s.is_ascii() {
            // `http::Uri` takes raw UTF-8 in a path and would send it as is; browsers would
            // percent-encode it. Ask for the encoded form instead of guessing.
            return Err(Error::InvalidConfig(format!(
                "base URL `{s}` contains non-ASCII characters: percent-encode them \
                 (and use the punycode form of an international host name)"
            )));
        }
        if s.contains(['?', '#']) {
            return Err(Error::InvalidConfig(format!(
                "base URL `{s}` must not contain a query or fragment"
            )));
        }
        let uri: Uri = s
            .parse()
            .map_err(|e| Error::InvalidConfig(format!("invalid base URL `{s}`: {e}")))?;
        let scheme = match uri.scheme_str() {
            Some(sch) if sch.eq_ignore_ascii_case("http") => Scheme::HTTP,
            Some(sch) if sch.eq_ignore_ascii_case("https") => Scheme::HTTPS,
            _ => {
                return Err(Error::InvalidConfig(format!(
                    "base URL `{s}` must start with http:// or https://"
                )));
            }
        };
        let authority = uri
            .authority()
            .cloned()
            .ok_or_else(|| Error::InvalidConfig(format!("base URL `{s}` has no host")))?;
        if authority.as_str().contains('@') {
            return Err(Error::InvalidConfig(
                "base URL must not contain user info; pass credentials with `token`".to_owned(),
            ));
        }
        if authority.host().is_empty() {
            return Err(Error::InvalidConfig(format!("base URL `{s}` has no host")));
        }
        let prefix = uri.path().trim_end_matches('/').to_owned();
        let display = format!("{scheme}://{authority}{prefix}");
        Ok(BaseUrl {
            scheme,
            authority,
            prefix,
            display,
        })
    }

    /// The normalised base URL.
    pub(crate) fn as_str(&self) -> &str {
        &self.display
    }

    /// The `Host` header value for requests to this base URL: the host, and the port when
    /// it is not the scheme's default (what hyper-util would insert itself).
    pub(crate) fn host_header(&self) -> Option<http::HeaderValue> {
        let default_port = if self.is_https() { 443 } else { 80 };
        let host = self.authority.host();
        let text = match self.authority.port_u16() {
            Some(port) if port != default_port => format!("{host}:{port}"),
            _ => host.to_owned(),
        };
        http::HeaderValue::from_str(&text).ok()
    }

    /// Whether the base URL uses `https`.
    pub(crate) fn is_https(&self) -> bool {
        self.scheme == Scheme::HTTPS
    }

    /// Build the absolute URI of `path` (already encoded, starting with `/`) and an
    /// optional encoded query string (without `?`).
    pub(crate) fn uri(&self, path: &str, query: &str) -> Result<Uri> {
        let mut pq = String::with_capacity(self.prefix.len() + path.len() + query.len() + 1);
        pq.push_str(&self.prefix);
        pq.push_str(path);
        if !query.is_empty() {
            pq.push('?');
            pq.push_str(query);
        }
        let pq = PathAndQuery::try_from(pq).map_err(|e| Error::InvalidInput {
            field: "path".to_owned(),
            message: e.to_string(),
        })?;
        let mut parts = Parts::default();
        parts.scheme = Some(self.scheme.clone());
        parts.authority = Some(self.authority.clone());
        parts.path_and_query = Some(pq);
        Uri::from_parts(parts).map_err(|e| Error::InvalidInput {
            field: "path".to_owned(),
            message: e.to_string(),
        })
    }
}

/// Parse and normalise a base URL as [`ClientBuilder::base_url`](crate::ClientBuilder::base_url)
/// does at `build()`, returning the normalised form; for the fuzz targets and property
/// tests.
///
/// # Errors
/// [`Error::InvalidConfig`] when the URL is not usable.
#[doc(hidden)]
pub fn parse_base_url(raw: &str) -> Result<String> {
    BaseUrl::parse(raw).map(|b| b.display)
}

/// Append `/` and the percent-encoded `segment` to `out`.
///
/// An empty segment, or one that is only whitespace, is rejected as
/// [`Error::InvalidInput`] naming `field`. The dot segments `.` and `..` are fully
/// encoded so no proxy or server normalises them away.
pub(crate) fn push_segment(out: &mut String, segment: &str, field: &str) -> Result<()> {
    if segment.trim().is_empty() {
        return Err(Error::InvalidInput {
            field: field.to_owned(),
            message: "must not be empty".to_owned(),
        });
    }
    out.push('/');
    if segment == "." || segment == ".." {
        for _ in 0..segment.len() {
            out.push_str("%2E");
        }
    } else {
        out.extend(utf8_percent_encode(segment, STRICT));
    }
    Ok(())
}

/// A query string under construction; keys and values are percent-encoded.
#[derive(Debug, Default)]
pub(crate) struct Query {
    buf: String,
}

impl Query {
    /// Append `key=value`.
    pub(crate) fn push(&mut self, key: &str, value: &str) -> &mut Self {
        if !self.buf.is_empty() {
            self.buf.push('&');
        }
        self.buf.extend(utf8_percent_encode(key, STRICT));
        self.buf.push('=');
        self.buf.extend(utf8_percent_encode(value, STRICT));
        self
    }

    /// Append `key=value` when `value` is `Some`.
    pub(crate) fn push_opt(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        if let Some(v) = value {
            self.push(key, v);
        }
        self
    }

    /// The encoded query string, without a leading `?`.
    pub(crate) fn as_str(&self) -> &str {
        &self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_header_drops_only_the_default_port() {
        for (raw, want) in [
            ("https://wats.example.com", "wats.example.com"),
            ("https://wats.example.com:443/wats", "wats.example.com"),
            ("https://wats.example.com:8443", "wats.example.com:8443"),
            ("http://127.0.0.1:8080/", "127.0.0.1:8080"),
            ("http://wats.local:80", "wats.local"),
            ("http://wats.local:443", "wats.local:443"),
            ("http://[::1]:9000", "[::1]:9000"),
        ] {
            let base = BaseUrl::parse(raw).unwrap();
            assert_eq!(base.host_header().unwrap(), want, "{raw}");
        }
    }

    #[test]
    fn base_url_normalisation() {
        for (raw, want) in [
            ("https://h.example/api/", "https://h.example"),
            ("https://h.example/api", "https://h.example"),
            ("https://h.example/", "https://h.example"),
            (
                "  http://h.example:8080/wats/API//  ",
                "http://h.example:8080/wats",
            ),
            ("http://127.0.0.1:1234", "http://127.0.0.1:1234"),
            // Found by fuzz/base_url: a host named `api` was cut to `http:/`.
            ("http://api/API//", "http://api"),
            ("http://api", "http://api"),
            ("https://API:8443/api", "https://API:8443"),
        ] {
            assert_eq!(BaseUrl::parse(raw).unwrap().as_str(), want, "{raw}");
        }
        assert!(BaseUrl::parse("https://h/api").unwrap().is_https());
    }

    #[test]
    fn bad_base_urls_are_config_errors() {
        for raw in [
            "",
            "/api",
            "h.example",
            "ftp://h.example",
            "https://user:pw@h.example",
            "https://h.example/?x=1",
            "https://h.example/#f",
            "not a url",
        ] {
            assert!(
                matches!(BaseUrl::parse(raw), Err(Error::InvalidConfig(_))),
                "{raw:?} accepted"
            );
        }
    }

    #[test]
    fn non_ascii_tails_do_not_panic() {
        // Issue 15: a byte slice of the last 4 bytes cut inside `€` and panicked.
        for raw in [
            "€",
            "é",
            "/api€",
            "é/api",
            "https://h/é€",
            "https://h/ap€",
            "https://h/é€/api",
            // Found by fuzz/base_url: a trailing NEL (Unicode whitespace) made the
            // normalised form normalise differently again.
            "http://a/A1PI\u{a3}/\u{85}/",
        ] {
            assert!(
                matches!(BaseUrl::parse(raw), Err(Error::InvalidConfig(_))),
                "{raw:?} accepted"
            );
        }
        assert_eq!(
            BaseUrl::parse("https://h/%C3%A9%E2%82%AC/api")
                .unwrap()
                .as_str(),
            "https://h/%C3%A9%E2%82%AC"
        );
    }

    #[test]
    fn uri_keeps_prefix_and_query() {
        let base = BaseUrl::parse("https://h.example/wats/api").unwrap();
        let uri = base.uri("/api/App/Version", "a=1").unwrap();
        assert_eq!(
            uri.to_string(),
            "https://h.example/wats/api/App/Version?a=1"
        );
    }

    #[test]
    fn segments_cannot_escape() {
        let mut p = String::from("/api/Production/Unit");
        push_segment(&mut p, "A/B?C#D E%", "serialNumber").unwrap();
        push_segment(&mut p, "..", "partNumber").unwrap();
        assert_eq!(p, "/api/Production/Unit/A%2FB%3FC%23D%20E%25/%2E%2E");
        assert!(matches!(
            push_segment(&mut p, " ", "serialNumber"),
            Err(Error::InvalidInput { field, .. }) if field == "serialNumber"
        ));
    }

    #[test]
    fn query_encoding() {
        let mut q = Query::default();
        q.push("$filter", "serialNumber eq 'A''B'")
            .push_opt("$top", Some("5"))
            .push_opt("$skip", None);
        assert_eq!(
            q.as_str(),
            "%24filter=serialNumber%20eq%20%27A%27%27B%27&%24top=5"
        );
    }
}
