//! Building one call's request from its declaration: path segments, query values, body.

use bytes::Bytes;
use http::HeaderValue;
use wats_core::{Error, Result};

use super::Route;
use crate::url::{Query, push_segment};

/// A value that can fill one `{...}` segment of a path template. Text is percent-encoded
/// (so `/`, `?`, `#` and spaces stay inside the segment); an empty or blank value is
/// [`Error::InvalidInput`] and nothing is sent.
pub(crate) trait PathValue {
    /// Append `/` and the encoded segment to `out`; `field` names the parameter in errors.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty or blank value.
    fn push_segment(&self, out: &mut String, field: &str) -> Result<()>;
}

impl PathValue for str {
    fn push_segment(&self, out: &mut String, field: &str) -> Result<()> {
        push_segment(out, self, field)
    }
}

impl PathValue for String {
    fn push_segment(&self, out: &mut String, field: &str) -> Result<()> {
        push_segment(out, self, field)
    }
}

impl<T: PathValue + ?Sized> PathValue for &T {
    fn push_segment(&self, out: &mut String, field: &str) -> Result<()> {
        (**self).push_segment(out, field)
    }
}

macro_rules! int_path_value {
    ($($t:ty),*) => {$(
        impl PathValue for $t {
            fn push_segment(&self, out: &mut String, _field: &str) -> Result<()> {
                out.push('/');
                out.push_str(&self.to_string());
                Ok(())
            }
        }
        impl QueryValue for $t {
            fn push_query(&self, q: &mut Query, key: &str) {
                q.push(key, &self.to_string());
            }
        }
    )*};
}

int_path_value!(i32, i64, u32, u64, usize, u16, u8);

/// A value of one query parameter. `None` is not sent; `bool` is `true`/`false`; text is
/// percent-encoded (OData's `$filter` goes out as `%24filter`, as the server expects).
#[allow(dead_code)] // used by the `query [..]` lines of the domain tables
pub(crate) trait QueryValue {
    /// Append `key=value` to `q` (or nothing, for an absent value).
    fn push_query(&self, q: &mut Query, key: &str);
}

impl QueryValue for str {
    fn push_query(&self, q: &mut Query, key: &str) {
        q.push(key, self);
    }
}

impl QueryValue for String {
    fn push_query(&self, q: &mut Query, key: &str) {
        q.push(key, self);
    }
}

impl QueryValue for bool {
    fn push_query(&self, q: &mut Query, key: &str) {
        q.push(key, if *self { "true" } else { "false" });
    }
}

impl<T: QueryValue + ?Sized> QueryValue for &T {
    fn push_query(&self, q: &mut Query, key: &str) {
        (**self).push_query(q, key);
    }
}

impl<T: QueryValue> QueryValue for Option<T> {
    fn push_query(&self, q: &mut Query, key: &str) {
        if let Some(v) = self {
            v.push_query(q, key);
        }
    }
}

/// An options type that writes several query parameters (a filter, OData options).
pub(crate) trait QueryParams {
    /// Every parameter name it may send, as the server names them.
    const NAMES: &'static [&'static str];
    /// Append the parameters that are set.
    fn write_query(&self, q: &mut Query);
}

impl<T: QueryParams + ?Sized> QueryParams for &T {
    const NAMES: &'static [&'static str] = T::NAMES;

    fn write_query(&self, q: &mut Query) {
        (**self).write_query(q);
    }
}

/// A request body.
#[derive(Debug)]
pub(crate) struct Body {
    bytes: Result<Bytes>,
    content_type: Option<HeaderValue>,
}

impl Body {
    /// `value` serialised as JSON (`Content-Type: application/json`). A value that cannot
    /// be serialised (a NaN, a map with non-string keys) makes the call fail before sending.
    #[allow(dead_code)] // used by the domains' write calls
    pub(crate) fn json<T: serde::Serialize + ?Sized>(value: &T) -> Body {
        Body {
            bytes: serde_json::to_vec(value)
                .map(Bytes::from)
                .map_err(|e| Error::Encode {
                    target: "request body",
                    message: e.to_string(),
                }),
            content_type: None,
        }
    }

    /// Bytes sent verbatim with `Content-Type: application/json`.
    pub(crate) fn raw_json(bytes: impl Into<Bytes>) -> Body {
        Body {
            bytes: Ok(bytes.into()),
            content_type: None,
        }
    }

    /// No body can be built: the call fails with `error` and sends nothing (a filter
    /// whose builder recorded an invalid value).
    #[allow(dead_code)] // used by the domains whose bodies are checked builders
    pub(crate) fn invalid(error: Error) -> Body {
        Body {
            bytes: Err(error),
            content_type: None,
        }
    }

    /// Bytes sent verbatim with the given content type.
    #[allow(dead_code)] // used by the domains that send XML, CSV and zip bodies
    pub(crate) fn raw(bytes: impl Into<Bytes>, content_type: &'static str) -> Body {
        Body {
            bytes: Ok(bytes.into()),
            content_type: Some(HeaderValue::from_static(content_type)),
        }
    }
}

impl Body {
    /// A `multipart/form-data` body of one file part, as browsers and .NET's
    /// `IFormFile` binding expect it: `name="{field}"; filename="{file_name}"` with the part's
    /// content type. Hand-written (about 30 lines) rather than pulling in a multipart crate:
    /// the encoder is the one part the stack lacks, and hyper has none.
    ///
    /// The boundary is derived from the content (FNV-1a), so the same file gives the same
    /// body (tests can compare bytes), and a candidate found inside the content is replaced
    /// by the next one. `"`, CR and LF in the file name are percent-encoded (as the HTML
    /// standard's form encoding does), so a name cannot break out of its header.
    #[allow(dead_code)] // used by the domains' upload calls
    pub(crate) fn multipart_file(
        field: &str,
        file_name: &str,
        content_type: &str,
        bytes: impl Into<Bytes>,
    ) -> Body {
        let bytes: Bytes = bytes.into();
        let boundary = pick_boundary(&bytes, fnv1a(&bytes) ^ fnv1a(file_name.as_bytes()));
        match Body::multipart_frame(field, file_name, content_type, &boundary) {
            Ok((head, tail, ct)) => {
                let mut body = Vec::with_capacity(head.len() + bytes.len() + tail.len());
                body.extend_from_slice(&head);
                body.extend_from_slice(&bytes);
                body.extend_from_slice(&tail);
                Body {
                    bytes: Ok(Bytes::from(body)),
                    content_type: Some(ct),
                }
            }
            Err(e) => Body {
                bytes: Err(e),
                content_type: None,
            },
        }
    }

    /// What goes around the content of a one-file `multipart/form-data` body (see
    /// [`multipart_file`](Self::multipart_file)): the part's header, the closing delimiter
    /// and the body's content type, for a `boundary` chosen by the caller. A file streamed
    /// from disk is sent between the two.
    ///
    /// # Errors
    /// [`Error::Encode`] when the boundary cannot be a header value.
    pub(crate) fn multipart_frame(
        field: &str,
        file_name: &str,
        content_type: &str,
        boundary: &str,
    ) -> Result<(Bytes, Bytes, HeaderValue)> {
        let escape = |s: &str| {
            s.replace('"', "%22")
                .replace('\r', "%0D")
                .replace('\n', "%0A")
        };
        let head = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\n\
             Content-Type: {}\r\n\r\n",
            escape(field),
            escape(file_name),
            escape(content_type).replace(['\r', '\n'], "")
        );
        let tail = format!("\r\n--{boundary}--\r\n");
        let content_type = HeaderValue::from_str(&format!(
            "multipart/form-data; boundary={boundary}"
        ))
        .map_err(|e| Error::Encode {
            target: "multipart content type",
            message: e.to_string(),
        })?;
        Ok((Bytes::from(head), Bytes::from(tail), content_type))
    }

    /// The boundary of a file streamed from disk: derived from its length and name, as the
    /// content is not read before it is sent. The same file gives the same body; a 64-bit
    /// boundary occurring by chance inside the file is as unlikely as a random one doing so
    /// (the uploader chooses the file, so a crafted one gains them nothing).
    pub(crate) fn file_boundary(len: u64, file_name: &str) -> String {
        format!(
            "----wats-{:016x}",
            fnv1a(&len.to_le_bytes()) ^ fnv1a(file_name.as_bytes())
        )
    }
}

/// FNV-1a, 64 bits: a cheap, stable hash for the multipart boundary.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The first boundary from `seed` on that does not occur in `content`.
fn pick_boundary(content: &[u8], mut seed: u64) -> String {
    loop {
        let b = format!("----wats-{seed:016x}");
        if !contains(content, b.as_bytes()) {
            return b;
        }
        seed = seed.wrapping_add(1);
    }
}

/// Whether `needle` occurs in `hay`.
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || hay.windows(needle.len()).any(|w| w == needle)
}

/// One call being built from its declaration.
#[derive(Debug)]
pub(crate) struct Request {
    pub(crate) route: &'static Route,
    pub(crate) path: String,
    pub(crate) query: Query,
    pub(crate) body: Option<Bytes>,
    pub(crate) content_type: Option<HeaderValue>,
    /// The first input error; the call fails with it and sends nothing.
    pub(crate) error: Option<Error>,
    /// The template not yet copied into `path`.
    rest: &'static str,
}

impl Request {
    /// Start a request for `route`.
    pub(crate) fn new(route: &'static Route) -> Request {
        Request {
            route,
            path: String::with_capacity(route.template.len() + 16),
            query: Query::default(),
            body: None,
            content_type: None,
            error: None,
            rest: route.template,
        }
    }

    /// Fill the next `{...}` parameter of the template with `value`.
    pub(crate) fn segment<V: PathValue + ?Sized>(&mut self, value: &V) {
        let rest = self.rest;
        let Some(open) = rest.find('{') else {
            self.fail(Error::InvalidInput {
                field: "path".to_owned(),
                message: format!("{} has no parameter left to fill", self.route.template),
            });
            return;
        };
        // A parameter is a whole segment (`/{id}`) or the end of one
        // (`/Users/userName={userName}`, as SCIM spells it).
        let whole = rest[..open].ends_with('/');
        let literal = if whole { open - 1 } else { open };
        self.path.push_str(&rest[..literal]);
        let after = &rest[open + 1..];
        let (name, tail) = after.split_once('}').unwrap_or((after, ""));
        self.rest = tail;
        if self.error.is_none() {
            let result = if whole {
                value.push_segment(&mut self.path, name)
            } else {
                let mut seg = String::new();
                value.push_segment(&mut seg, name).map(|()| {
                    self.path.push_str(seg.strip_prefix('/').unwrap_or(&seg));
                })
            };
            if let Err(e) = result {
                self.fail(e);
            }
        }
    }

    /// Add one query parameter.
    #[allow(dead_code)] // used by the `query [..]` lines of the domain tables
    pub(crate) fn query<V: QueryValue + ?Sized>(&mut self, key: &str, value: &V) {
        value.push_query(&mut self.query, key);
    }

    /// Add the parameters of an options type.
    pub(crate) fn options<P: QueryParams + ?Sized>(&mut self, params: &P) {
        params.write_query(&mut self.query);
    }

    /// Set the body.
    pub(crate) fn body(&mut self, body: Body) {
        match body.bytes {
            Ok(bytes) => self.body = Some(bytes),
            Err(e) => self.fail(e),
        }
        self.content_type = body.content_type;
    }

    fn fail(&mut self, e: Error) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }

    /// Finish the path: copy what is left of the template. A parameter left unfilled is
    /// an error (a declaration bug, caught by the registry test).
    pub(crate) fn finish(&mut self) -> Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if self.rest.contains('{') {
            return Err(Error::InvalidInput {
                field: "path".to_owned(),
                message: format!("{} has an unfilled parameter", self.route.template),
            });
        }
        self.path.push_str(self.rest);
        self.rest = "";
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static R: Route = Route {
        domain: "t",
        via: "t()",
        name: "t",
        opt_name: None,
        helpers: &[],
        method: "GET",
        template: "/api/A/{x}/B/{y}",
        path_args: &["x", "y"],
        query: &[],
        options: &[],
        body: "none",
        answer: "()",
        idempotent: true,
        pywats: "",
        summary: "",
    };

    #[test]
    fn segments_fill_the_template_in_order_and_encode() {
        let mut r = Request::new(&R);
        r.segment("a/b c");
        r.segment(&7_u32);
        r.finish().unwrap();
        assert_eq!(r.path, "/api/A/a%2Fb%20c/B/7");
    }

    #[test]
    fn a_parameter_may_end_a_segment() {
        static S: Route = Route {
            template: "/api/SCIM/v2/Users/userName={userName}",
            path_args: &["user_name"],
            ..R
        };
        let mut r = Request::new(&S);
        r.segment("ola/n ord");
        r.finish().unwrap();
        assert_eq!(r.path, "/api/SCIM/v2/Users/userName=ola%2Fn%20ord");
        assert_eq!(S.template_params().collect::<Vec<_>>(), ["userName"]);
        let mut r = Request::new(&S);
        r.segment("");
        assert!(matches!(r.finish(), Err(Error::InvalidInput { .. })));
    }

    #[test]
    fn missing_and_extra_segments_are_errors_not_panics() {
        let mut r = Request::new(&R);
        r.segment("a");
        assert!(matches!(r.finish(), Err(Error::InvalidInput { .. })));
        let mut r = Request::new(&R);
        r.segment("a");
        r.segment("b");
        r.segment("c");
        assert!(matches!(r.finish(), Err(Error::InvalidInput { .. })));
        let mut r = Request::new(&R);
        r.segment(" ");
        r.segment("b");
        match r.finish() {
            Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "x"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_invalid_body_fails_the_request() {
        let mut r = Request::new(&R);
        r.segment("a");
        r.segment("b");
        r.body(Body::invalid(Error::InvalidInput {
            field: "dateFrom".to_owned(),
            message: "naive".to_owned(),
        }));
        match r.finish() {
            Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "dateFrom"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn multipart_file_body() {
        let body = Body::multipart_file("file", "a\"b\r\n.txt", "text/plain", &b"hello"[..]);
        let ct = body.content_type.clone().unwrap();
        let ct = ct.to_str().unwrap();
        let boundary = ct.strip_prefix("multipart/form-data; boundary=").unwrap();
        let bytes = body.bytes.unwrap();
        let want = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; \
             filename=\"a%22b%0D%0A.txt\"\r\nContent-Type: text/plain\r\n\r\nhello\r\n\
             --{boundary}--\r\n"
        );
        assert_eq!(std::str::from_utf8(&bytes).unwrap(), want);
        // Same input, same body; a boundary never occurs in the content.
        let again = Body::multipart_file("file", "a\"b\r\n.txt", "text/plain", &b"hello"[..]);
        assert_eq!(again.bytes.unwrap(), bytes);
        let sneaky = b"x------wats-0000000000000007x";
        assert_eq!(pick_boundary(sneaky, 6), "----wats-0000000000000006");
        assert_eq!(pick_boundary(sneaky, 7), "----wats-0000000000000008");
        let mut r = Request::new(&R);
        r.body(Body::multipart_file(
            "f",
            "n",
            "application/octet-stream",
            Bytes::new(),
        ));
        assert!(r.body.is_some() && r.content_type.is_some());
    }

    #[test]
    fn query_values() {
        let mut r = Request::new(&R);
        r.query("a", &true);
        r.query("b", &None::<&str>);
        r.query("c", &Some("x y"));
        r.query("$top", &5_u32);
        assert_eq!(r.query.as_str(), "a=true&c=x%20y&%24top=5");
    }
}
