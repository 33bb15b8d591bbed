//! Typed OData query builders for report headers and units.

use chrono::{DateTime, TimeZone, Utc};

use wats_core::ReportType;

use crate::endpoint::QueryParams;
use crate::url::Query;

/// Quote an OData string literal: wrap in `'` and double every `'` inside.
///
/// ```
/// assert_eq!(wats_http::odata_quote("O'Brien"), "'O''Brien'");
/// ```
pub fn odata_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if c == '\'' {
            out.push('\'');
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// Format an instant as the OData UTC literal WATS expects: `YYYY-MM-DDTHH:MM:SSZ`.
/// The value is converted to UTC first, so a local time is never mislabelled as UTC.
pub fn odata_utc<Tz: TimeZone>(at: &DateTime<Tz>) -> String {
    at.with_timezone(&Utc)
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// The `reportType` code of a header query: `U` for test (UUT), `R` for repair (UUR).
fn report_type_code(kind: ReportType) -> &'static str {
    match kind {
        ReportType::Uur => "R",
        // `ReportType` is non-exhaustive in spirit: anything else queries test reports.
        _ => "U",
    }
}

/// Common OData options: `$filter` terms (joined with `and`), `$top`, `$skip`,
/// `$orderby`, `$expand`.
#[derive(Debug, Clone, Default)]
pub(crate) struct OData {
    pub(crate) filters: Vec<String>,
    pub(crate) top: Option<u32>,
    pub(crate) skip: Option<u32>,
    pub(crate) order_by: Option<String>,
    pub(crate) expand: Vec<String>,
}

impl OData {
    pub(crate) fn filter(&self) -> Option<String> {
        match self.filters.len() {
            0 => None,
            1 => Some(self.filters[0].clone()),
            _ => Some(
                self.filters
                    .iter()
                    .map(|f| format!("({f})"))
                    .collect::<Vec<_>>()
                    .join(" and "),
            ),
        }
    }

    pub(crate) fn write(&self, q: &mut Query) {
        if let Some(f) = self.filter() {
            q.push("$filter", &f);
        }
        if let Some(top) = self.top {
            q.push("$top", &top.to_string());
        }
        if let Some(skip) = self.skip {
            q.push("$skip", &skip.to_string());
        }
        q.push_opt("$orderby", self.order_by.as_deref());
        if !self.expand.is_empty() {
            q.push("$expand", &self.expand.join(","));
        }
    }
}

/// A query of report headers (`GET /api/Report/Query/Header`).
///
/// String values are quoted with [`odata_quote`], so a `'` in a serial number cannot
/// break the filter. Dates are real instants ([`DateTime`] in any zone), sent in UTC.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use wats_http::HeaderQuery;
/// let q = HeaderQuery::uut()
///     .serial_number("SN'1")
///     .started_between(
///         &Utc.with_ymd_and_hms(2024, 5, 1, 0, 0, 0).unwrap(),
///         &Utc.with_ymd_and_hms(2024, 5, 2, 0, 0, 0).unwrap(),
///     )
///     .top(50);
/// assert_eq!(
///     q.filter().unwrap(),
///     "(serialNumber eq 'SN''1') and (start ge 2024-05-01T00:00:00Z and start le 2024-05-02T00:00:00Z)"
/// );
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct HeaderQuery {
    kind: ReportType,
    odata: OData,
}

impl HeaderQuery {
    /// Query test (UUT) report headers.
    pub fn uut() -> Self {
        Self::new(ReportType::Uut)
    }

    /// Query repair (UUR) report headers.
    pub fn uur() -> Self {
        Self::new(ReportType::Uur)
    }

    /// Query headers of the given kind.
    pub fn new(kind: ReportType) -> Self {
        HeaderQuery {
            kind,
            odata: OData::default(),
        }
    }

    /// The kind queried.
    pub fn kind(&self) -> ReportType {
        self.kind
    }

    /// Only reports of this serial number.
    pub fn serial_number(self, sn: &str) -> Self {
        self.filter_raw(format!("serialNumber eq {}", odata_quote(sn)))
    }

    /// Only reports of this part number.
    pub fn part_number(self, pn: &str) -> Self {
        self.filter_raw(format!("partNumber eq {}", odata_quote(pn)))
    }

    /// Only reports of this revision.
    pub fn revision(self, rev: &str) -> Self {
        self.filter_raw(format!("revision eq {}", odata_quote(rev)))
    }

    /// Only reports from this station.
    pub fn station_name(self, station: &str) -> Self {
        self.filter_raw(format!("stationName eq {}", odata_quote(station)))
    }

    /// Only reports started in `[from, to]` (inclusive), compared in UTC.
    pub fn started_between<Tz: TimeZone>(self, from: &DateTime<Tz>, to: &DateTime<Tz>) -> Self {
        self.filter_raw(format!(
            "start ge {} and start le {}",
            odata_utc(from),
            odata_utc(to)
        ))
    }

    /// Only reports started at or after `from`.
    pub fn started_since<Tz: TimeZone>(self, from: &DateTime<Tz>) -> Self {
        self.filter_raw(format!("start ge {}", odata_utc(from)))
    }

    fn sub_units(&self) -> &'static str {
        match self.kind {
            ReportType::Uur => "uurSubUnits",
            _ => "subUnits",
        }
    }

    /// Only reports with a sub-unit of this part number
    /// (`subUnits/any(s: s/partNumber eq '..')`, `uurSubUnits` for UUR).
    pub fn sub_unit_part_number(self, pn: &str) -> Self {
        let expr = format!(
            "{}/any(s: s/partNumber eq {})",
            self.sub_units(),
            odata_quote(pn)
        );
        self.filter_raw(expr)
    }

    /// Only reports with a sub-unit of this serial number.
    pub fn sub_unit_serial_number(self, sn: &str) -> Self {
        let expr = format!(
            "{}/any(s: s/serialNumber eq {})",
            self.sub_units(),
            odata_quote(sn)
        );
        self.filter_raw(expr)
    }

    /// Expand a relation (`$expand`), for example `subUnits` or `miscInfo`.
    pub fn expand(mut self, name: impl Into<String>) -> Self {
        self.odata.expand.push(name.into());
        self
    }

    #[cfg(test)]
    pub(crate) fn to_query(&self) -> Query {
        let mut q = Query::default();
        self.write_query(&mut q);
        q
    }
}

/// A query of production units (`GET /api/Production/Unit/Query`).
///
/// ```
/// let q = wats_http::UnitQuery::new().part_number("PCB-1").top(10);
/// assert_eq!(q.filter().unwrap(), "partNumber eq 'PCB-1'");
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct UnitQuery {
    odata: OData,
}

impl UnitQuery {
    /// An empty query (all units, server default page).
    pub fn new() -> Self {
        Self::default()
    }

    /// Only units with this serial number.
    pub fn serial_number(self, sn: &str) -> Self {
        self.filter_raw(format!("serialNumber eq {}", odata_quote(sn)))
    }

    /// Only units of this part number.
    pub fn part_number(self, pn: &str) -> Self {
        self.filter_raw(format!("partNumber eq {}", odata_quote(pn)))
    }
}

/// A product's `state` in a [`ProductQuery`]: WATS writes 1 for active, 0 for inactive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProductState {
    /// `state eq 0`.
    Inactive,
    /// `state eq 1`.
    Active,
}

/// A query of products (`GET /api/Product/Query`, `ProductView` rows).
///
/// Text values are quoted with [`odata_quote`]. Part-number patterns use OData's string
/// functions (`startswith`, `endswith`, `contains`). Without `$filter` the server answers at
/// most 1000 rows; [`Products::query_iter`](crate::Products::query_iter) and
/// [`Products::query_stream`](crate::Products::query_stream) page through everything with
/// `$top`/`$skip`.
///
/// ```
/// use wats_http::{ProductQuery, ProductState};
/// let q = ProductQuery::new()
///     .state(ProductState::Active)
///     .category("PCB")
///     .part_number_starts_with("PCBA-'1");
/// assert_eq!(
///     q.filter().unwrap(),
///     "(state eq 1) and (category eq 'PCB') and (startswith(partNumber, 'PCBA-''1'))"
/// );
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ProductQuery {
    odata: OData,
}

impl ProductQuery {
    /// An empty query: every product (the server's first 1000 without `$filter`).
    pub fn new() -> Self {
        Self::default()
    }

    /// Only products in this state.
    pub fn state(self, state: ProductState) -> Self {
        let n = match state {
            ProductState::Inactive => 0,
            ProductState::Active => 1,
        };
        self.filter_raw(format!("state eq {n}"))
    }

    /// Only products of this category.
    pub fn category(self, category: &str) -> Self {
        self.filter_raw(format!("category eq {}", odata_quote(category)))
    }

    /// Only this part number.
    pub fn part_number(self, pn: &str) -> Self {
        self.filter_raw(format!("partNumber eq {}", odata_quote(pn)))
    }

    /// Part numbers starting with `prefix`.
    pub fn part_number_starts_with(self, prefix: &str) -> Self {
        self.filter_raw(format!("startswith(partNumber, {})", odata_quote(prefix)))
    }

    /// Part numbers ending with `suffix`.
    pub fn part_number_ends_with(self, suffix: &str) -> Self {
        self.filter_raw(format!("endswith(partNumber, {})", odata_quote(suffix)))
    }

    /// Part numbers containing `text`.
    pub fn part_number_contains(self, text: &str) -> Self {
        self.filter_raw(format!("contains(partNumber, {})", odata_quote(text)))
    }

    /// Names containing `text`.
    pub fn name_contains(self, text: &str) -> Self {
        self.filter_raw(format!("contains(name, {})", odata_quote(text)))
    }

    /// Only serialized (`false`) or non-serialized (`true`) products.
    pub fn non_serial(self, non_serial: bool) -> Self {
        self.filter_raw(format!("nonSerial eq {non_serial}"))
    }
}

/// The OData options every paged query type shares (`filter_raw`, `top`, `skip`,
/// `order_by`, `filter`), written once for the types that hold an `odata: OData` field.
macro_rules! odata_options {
    ($($ty:ty),* $(,)?) => {$(
        impl $ty {
            /// Add a raw OData filter term, ANDed with the others. The caller is responsible
            /// for quoting (see [`odata_quote`](crate::odata_quote)).
            pub fn filter_raw(mut self, expr: impl Into<String>) -> Self {
                self.odata.filters.push(expr.into());
                self
            }

            /// At most `n` rows (`$top`); also the page size when paging.
            pub fn top(mut self, n: u32) -> Self {
                self.odata.top = Some(n);
                self
            }

            /// Skip the first `n` rows (`$skip`).
            pub fn skip(mut self, n: u32) -> Self {
                self.odata.skip = Some(n);
                self
            }

            /// Sort order (`$orderby`).
            pub fn order_by(mut self, expr: impl Into<String>) -> Self {
                self.odata.order_by = Some(expr.into());
                self
            }

            /// The combined `$filter` expression, if any.
            pub fn filter(&self) -> Option<String> {
                self.odata.filter()
            }
        }
    )*};
}
pub(crate) use odata_options;

odata_options!(HeaderQuery, ProductQuery, UnitQuery);

impl QueryParams for ProductQuery {
    const NAMES: &'static [&'static str] = &["$filter", "$top", "$skip", "$orderby"];

    fn write_query(&self, q: &mut Query) {
        self.odata.write(q);
    }
}

/// A query that can be paged with `$top`/`$skip`.
pub(crate) trait Paged: Clone + Send + Sync + 'static {
    /// `$top` and `$skip` as set by the caller.
    fn window(&self) -> (Option<u32>, Option<u32>);
    /// The query for one page.
    fn page(&self, top: u32, skip: u32) -> Self;
}

/// `Paged` for query types whose `$top`/`$skip` live in an `odata` field (the
/// `odata_options!` block): the window is the caller's, a page sets both.
macro_rules! paged_by_odata {
    ($($query:ty),* $(,)?) => {$(
        impl $crate::api::query::Paged for $query {
            fn window(&self) -> (Option<u32>, Option<u32>) {
                (self.odata.top, self.odata.skip)
            }

            fn page(&self, top: u32, skip: u32) -> Self {
                let mut q = self.clone();
                q.odata.top = Some(top);
                q.odata.skip = Some(skip);
                q
            }
        }
    )*};
}

paged_by_odata!(ProductQuery, UnitQuery, HeaderQuery,);
pub(crate) use paged_by_odata;

/// The OData system query options, as the server names them.
pub(crate) const ODATA_NAMES: &[&str] = &["$filter", "$top", "$skip", "$orderby", "$expand"];

impl QueryParams for HeaderQuery {
    const NAMES: &'static [&'static str] = &[
        "reportType",
        "$filter",
        "$top",
        "$skip",
        "$orderby",
        "$expand",
    ];

    fn write_query(&self, q: &mut Query) {
        q.push("reportType", report_type_code(self.kind));
        self.odata.write(q);
    }
}

impl QueryParams for UnitQuery {
    const NAMES: &'static [&'static str] = ODATA_NAMES;

    fn write_query(&self, q: &mut Query) {
        self.odata.write(q);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    #[test]
    fn quotes_are_doubled() {
        assert_eq!(odata_quote("a'b''c"), "'a''b''''c'");
        let q = HeaderQuery::uut().part_number("X' or 1 eq 1 or 'a");
        assert_eq!(q.filter().unwrap(), "partNumber eq 'X'' or 1 eq 1 or ''a'");
    }

    #[test]
    fn dates_are_converted_to_utc() {
        let tz = FixedOffset::east_opt(2 * 3600).unwrap();
        let local = tz.with_ymd_and_hms(2024, 3, 10, 12, 30, 5).unwrap();
        assert_eq!(odata_utc(&local), "2024-03-10T10:30:05Z");
    }

    #[test]
    fn sub_unit_filters_follow_the_kind() {
        assert_eq!(
            HeaderQuery::uut()
                .sub_unit_part_number("P")
                .filter()
                .unwrap(),
            "subUnits/any(s: s/partNumber eq 'P')"
        );
        assert_eq!(
            HeaderQuery::uur()
                .sub_unit_serial_number("S")
                .filter()
                .unwrap(),
            "uurSubUnits/any(s: s/serialNumber eq 'S')"
        );
    }

    #[test]
    fn query_string_always_has_report_type() {
        assert_eq!(HeaderQuery::uur().to_query().as_str(), "reportType=R");
        let q = HeaderQuery::uut()
            .serial_number("A")
            .top(5)
            .skip(10)
            .order_by("start desc")
            .expand("subUnits")
            .expand("miscInfo");
        assert_eq!(
            q.to_query().as_str(),
            "reportType=U&%24filter=serialNumber%20eq%20%27A%27&%24top=5&%24skip=10\
             &%24orderby=start%20desc&%24expand=subUnits%2CmiscInfo"
        );
    }
}
