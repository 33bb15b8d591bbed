//! The routes the mock serves, matched by hand on path segments.
//!
//! Literal segments match ASCII case-insensitively (the real server is an
//! ASP.NET application, whose routing ignores case; pyWATS relies on it by
//! posting to `/api/Report/WSJF` and reading from `/api/Report/Wsjf/{id}`).

use std::borrow::Cow;

use http::Method;
use percent_encoding::percent_decode_str;

/// A served route (one method + one OpenAPI path template).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Route {
    Version,
    Processes,
    ProductQuery,
    Product,
    ProductRevision,
    Unit,
    ReportHeaderQuery,
    SubmitWsjf,
    GetWsjf,
}

impl Route {
    /// Every served route, in a fixed order (`index()` is the position here).
    pub(crate) const ALL: [Route; 9] = [
        Route::Version,
        Route::Processes,
        Route::ProductQuery,
        Route::Product,
        Route::ProductRevision,
        Route::Unit,
        Route::ReportHeaderQuery,
        Route::SubmitWsjf,
        Route::GetWsjf,
    ];

    /// Number of served routes.
    pub(crate) const COUNT: usize = Self::ALL.len();

    /// The OpenAPI path template, spelled as in `openapi_public_v3.json`.
    pub(crate) const fn template(self) -> &'static str {
        match self {
            Route::Version => "/api/App/Version",
            Route::Processes => "/api/App/Processes",
            Route::ProductQuery => "/api/Product/Query",
            Route::Product => "/api/Product/{partNumber}",
            Route::ProductRevision => "/api/Product/{partNumber}/{revision}",
            Route::Unit => "/api/Production/Unit/{serialNumber}/{partNumber}",
            Route::ReportHeaderQuery => "/api/Report/Query/Header",
            Route::SubmitWsjf => "/api/Report/WSJF",
            Route::GetWsjf => "/api/Report/Wsjf/{id}",
        }
    }

    /// The HTTP method of the route.
    pub(crate) fn method(self) -> Method {
        match self {
            Route::SubmitWsjf => Method::POST,
            _ => Method::GET,
        }
    }

    /// Position in [`Route::ALL`].
    pub(crate) const fn index(self) -> usize {
        self as usize
    }

    /// The route whose template is `template`, if any.
    pub(crate) fn from_template(template: &str) -> Option<Route> {
        Self::ALL.into_iter().find(|r| r.template() == template)
    }
}

/// The result of matching a request line.
#[derive(Debug)]
pub(crate) enum Matched<'a> {
    /// A served route, with its percent-decoded path parameters (in template order).
    Route(Route, Params<'a>),
    /// The path is served, but not with this method.
    MethodNotAllowed(Route),
    /// A path parameter is not valid UTF-8 after percent-decoding.
    BadPath,
    /// Nothing served here.
    NotFound,
}

/// Up to two decoded path parameters.
#[derive(Debug, Default)]
pub(crate) struct Params<'a> {
    pub(crate) first: Cow<'a, str>,
    pub(crate) second: Cow<'a, str>,
}

/// Literal segments under `/api/Product/` that are other (unserved) routes of
/// the real server, so they must not be taken for a part number.
const PRODUCT_LITERALS: [&str; 6] = [
    "Query",
    "BOM",
    "ProductGroupFilter",
    "ProductGroupsByProduct",
    "Revision",
    "Vendors",
];

fn is(seg: &str, lit: &str) -> bool {
    seg.eq_ignore_ascii_case(lit)
}

fn decode(seg: &str) -> Option<Cow<'_, str>> {
    percent_decode_str(seg).decode_utf8().ok()
}

/// Matches a raw (still percent-encoded) request path.
pub(crate) fn match_route<'a>(method: &Method, path: &'a str) -> Matched<'a> {
    let Some(rest) = path.strip_prefix('/') else {
        return Matched::NotFound;
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    let mut segs = [""; 6];
    let mut n = 0;
    for seg in rest.split('/') {
        if n == segs.len() {
            return Matched::NotFound;
        }
        segs[n] = seg;
        n += 1;
    }
    let segs = &segs[..n];
    if segs.is_empty() || !is(segs[0], "api") {
        return Matched::NotFound;
    }
    let (route, first, second) = match &segs[1..] {
        [a, b] if is(a, "App") && is(b, "Version") => (Route::Version, "", ""),
        [a, b] if is(a, "App") && is(b, "Processes") => (Route::Processes, "", ""),
        [a, b] if is(a, "Product") && is(b, "Query") => (Route::ProductQuery, "", ""),
        [a, pn] if is(a, "Product") && !pn.is_empty() => {
            if PRODUCT_LITERALS.iter().any(|l| is(pn, l)) {
                return Matched::NotFound;
            }
            (Route::Product, *pn, "")
        }
        [a, pn, rev] if is(a, "Product") && !pn.is_empty() && !rev.is_empty() => {
            if PRODUCT_LITERALS.iter().any(|l| is(pn, l)) {
                return Matched::NotFound;
            }
            (Route::ProductRevision, *pn, *rev)
        }
        [a, b, sn, pn]
            if is(a, "Production") && is(b, "Unit") && !sn.is_empty() && !pn.is_empty() =>
        {
            (Route::Unit, *sn, *pn)
        }
        [a, b, c] if is(a, "Report") && is(b, "Query") && is(c, "Header") => {
            (Route::ReportHeaderQuery, "", "")
        }
        [a, b] if is(a, "Report") && is(b, "WSJF") => (Route::SubmitWsjf, "", ""),
        [a, b, id] if is(a, "Report") && is(b, "Wsjf") && !id.is_empty() => {
            (Route::GetWsjf, *id, "")
        }
        _ => return Matched::NotFound,
    };
    if *method != route.method() {
        return Matched::MethodNotAllowed(route);
    }
    let (Some(first), Some(second)) = (decode(first), decode(second)) else {
        return Matched::BadPath;
    };
    Matched::Route(route, Params { first, second })
}

/// Iterates over `key=value` pairs of a raw query string, decoding `+` as a
/// space and percent-escapes (form encoding, as httpx and reqwest send it).
pub(crate) fn query_pairs(query: &str) -> impl Iterator<Item = (Cow<'_, str>, Cow<'_, str>)> {
    query.split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (form_decode(k), form_decode(v))
    })
}

fn form_decode(s: &str) -> Cow<'_, str> {
    if !s.contains(['+', '%']) {
        return Cow::Borrowed(s);
    }
    let spaced = s.replace('+', " ");
    let decoded = percent_decode_str(&spaced).decode_utf8_lossy().into_owned();
    Cow::Owned(decoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_templates_and_decodes_segments() {
        let m = match_route(&Method::GET, "/api/Production/Unit/SN%2F1%3F%23/PN%201");
        let Matched::Route(Route::Unit, p) = m else {
            panic!("{m:?}")
        };
        assert_eq!(p.first, "SN/1?#");
        assert_eq!(p.second, "PN 1");
        assert!(matches!(
            match_route(&Method::GET, "/api/product/query/"),
            Matched::Route(Route::ProductQuery, _)
        ));
        assert!(matches!(
            match_route(&Method::GET, "/api/Report/WSJF"),
            Matched::MethodNotAllowed(Route::SubmitWsjf)
        ));
        assert!(matches!(
            match_route(&Method::GET, "/api/Product/BOM"),
            Matched::NotFound
        ));
        assert!(matches!(
            match_route(&Method::GET, "/nope"),
            Matched::NotFound
        ));
        assert!(matches!(
            match_route(&Method::GET, "/api/Product/%FF"),
            Matched::BadPath
        ));
        for r in Route::ALL {
            assert_eq!(Route::ALL[r.index()], r);
            assert_eq!(Route::from_template(r.template()), Some(r));
        }
    }

    #[test]
    fn query_pairs_form_decode() {
        let pairs: Vec<_> = query_pairs("%24filter=serialNumber+eq+%27A%2BB%27&$top=5&x").collect();
        assert_eq!(pairs[0], ("$filter".into(), "serialNumber eq 'A+B'".into()));
        assert_eq!(pairs[1], ("$top".into(), "5".into()));
        assert_eq!(pairs[2], ("x".into(), "".into()));
    }
}
