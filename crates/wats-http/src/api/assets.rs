//! Asset (fixture, instrument, test equipment) calls: `client.assets()`.
//!
//! Most asset calls name the asset by id **or** serial number in the query (`id=` /
//! `serialNumber=`): [`AssetKey`] says which. The station helpers (checking a fixture before
//! a run, counting one use after it) are in `assets_check.rs`.

use chrono::{DateTime, Utc};
use wats_core::{Asset, AssetLog, AssetMessage, AssetState, AssetStatus, AssetType};

use crate::api::query::{OData, odata_quote, odata_utc};
use crate::endpoint::macros::calls;
use crate::endpoint::{Body, QueryParams};
use crate::registry::{Exception, LeftToMockito};
use crate::url::Query;

#[path = "assets_check.rs"]
mod check;
#[path = "assets_pages.rs"]
mod pages;

pub use crate::api::assets_internal::AssetsInternal;
pub use check::{Blocker, FixtureCheck};

/// Which asset a call is about: by id (`id=`) or by serial number (`serialNumber=`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AssetKey {
    /// The asset's `assetId`.
    Id(String),
    /// The asset's `serialNumber`.
    Serial(String),
}

impl AssetKey {
    /// By `assetId`.
    pub fn id(id: impl Into<String>) -> Self {
        AssetKey::Id(id.into())
    }

    /// By `serialNumber`.
    pub fn serial(serial_number: impl Into<String>) -> Self {
        AssetKey::Serial(serial_number.into())
    }
}

impl QueryParams for AssetKey {
    const NAMES: &'static [&'static str] = &["id", "serialNumber"];

    fn write_query(&self, q: &mut Query) {
        match self {
            AssetKey::Id(id) => q.push("id", id),
            AssetKey::Serial(sn) => q.push("serialNumber", sn),
        };
    }
}

/// A query of assets (`GET /api/Asset`, OData). The server returns the first 1000 ordered
/// by `assetId` unless told otherwise.
///
/// ```
/// use wats_core::AssetState;
/// let q = wats_http::AssetQuery::new().type_id("FC48E41D").state(AssetState::InOperation);
/// assert_eq!(q.filter().unwrap(), "(typeId eq FC48E41D) and (state eq 1)");
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct AssetQuery {
    odata: OData,
}

impl AssetQuery {
    /// All assets (the server's first page).
    pub fn new() -> Self {
        Self::default()
    }

    /// Only the asset with this serial number.
    pub fn serial_number(self, sn: &str) -> Self {
        self.filter_raw(format!("serialNumber eq {}", odata_quote(sn)))
    }

    /// Only assets of this type (a GUID, sent unquoted as OData wants it).
    pub fn type_id(self, type_id: &str) -> Self {
        self.filter_raw(format!("typeId eq {type_id}"))
    }

    /// Only assets in this state.
    pub fn state(self, state: AssetState) -> Self {
        self.filter_raw(format!("state eq {}", state.code()))
    }

    /// Only children of this asset.
    pub fn parent_serial_number(self, sn: &str) -> Self {
        self.filter_raw(format!("parentSerialNumber eq {}", odata_quote(sn)))
    }
}

crate::api::query::odata_options!(AssetQuery, AssetLogQuery);

impl QueryParams for AssetQuery {
    const NAMES: &'static [&'static str] = &["$filter", "$top", "$skip", "$orderby"];

    fn write_query(&self, q: &mut Query) {
        self.odata.write(q);
    }
}

/// A query of asset log records (`GET /api/Asset/Log`, OData). The server returns the newest
/// 1000 unless told otherwise; [`Assets::log_all`] pages through everything.
///
/// ```
/// use wats_core::AssetLogType;
/// let q = wats_http::AssetLogQuery::new().asset_id("1").kind(AssetLogType::Update);
/// assert_eq!(q.filter().unwrap(), "(assetId eq '1') and (type eq 2)");
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct AssetLogQuery {
    odata: OData,
}

impl AssetLogQuery {
    /// Every log record (the server's first page).
    pub fn new() -> Self {
        Self::default()
    }

    /// Only records of this asset id.
    pub fn asset_id(self, id: &str) -> Self {
        self.filter_raw(format!("assetId eq {}", odata_quote(id)))
    }

    /// Only records of this asset serial number.
    pub fn serial_number(self, sn: &str) -> Self {
        self.filter_raw(format!("serialNumber eq {}", odata_quote(sn)))
    }

    /// Only records of this type.
    pub fn kind(self, kind: wats_core::AssetLogType) -> Self {
        self.filter_raw(format!("type eq {}", kind.code()))
    }

    /// Only records at or after `from` (compared in UTC).
    pub fn since<Tz: chrono::TimeZone>(self, from: &DateTime<Tz>) -> Self {
        self.filter_raw(format!("date ge {}", odata_utc(from)))
    }
}

impl QueryParams for AssetLogQuery {
    const NAMES: &'static [&'static str] = &["$filter", "$top", "$skip", "$orderby"];

    fn write_query(&self, q: &mut Query) {
        self.odata.write(q);
    }
}

/// `Some(true)` for a flag that is on, else not sent.
fn flag(on: bool) -> Option<bool> {
    on.then_some(true)
}

calls! {
    /// Asset (fixture, instrument, test equipment) calls, from `client.assets()`.
    handle Assets, domain "assets";

    /// Assets matching a query (`GET /api/Asset`), one page. An empty answer is an empty
    /// list. Page through all with [`list_all`](Self::list_all), `list_iter` (blocking) or
    /// `list_stream` (async).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn list(query: &AssetQuery) -> Vec<Asset> {
        GET "/api/Asset";
        pywats "asset.get_assets";
        options query: AssetQuery;
        answer list;
        helpers [list_all, list_iter, list_stream];
    }

    /// One asset by id (`GET /api/Asset/{assetId}`).
    ///
    /// # Errors
    /// [`wats_core::Error::NotFound`] (see [`get_opt`](Self::get_opt)); invalid input (an
    /// empty id, nothing sent); status, transport, timeout and decode errors.
    fn get(asset_id: &str) -> Asset {
        GET "/api/Asset/{assetId}";
        pywats "asset.get_asset(asset_id)";
        path [asset_id];
        answer json;
        opt get_opt;
    }

    /// One asset by serial number (`GET /api/Asset/{serialNumber}`; the server takes an id
    /// or a serial number in the same place).
    ///
    /// # Errors
    /// As [`get`](Self::get).
    fn get_by_serial(serial_number: &str) -> Asset {
        GET "/api/Asset/{serialNumber}";
        pywats "asset.get_asset_by_serial, asset.get_asset(serial_number)";
        path [serial_number];
        answer json;
        opt get_by_serial_opt;
    }

    /// Create or update an asset (`PUT /api/Asset`): `typeId` is required, `assetId` may be
    /// left out to create. Counts and calibration/maintenance dates are not changed this way.
    /// Returns the asset as saved.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn save(asset: &Asset) -> Asset {
        PUT "/api/Asset";
        pywats "asset.create_asset, asset.update_asset";
        body Body::json(asset);
        answer json;
    }

    /// Delete an asset and its log (`DELETE /api/Asset`); its children get another parent.
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn delete(key: &AssetKey) -> () {
        DELETE "/api/Asset";
        pywats "asset.delete_asset";
        options key: AssetKey;
        answer unit;
    }

    /// The asset's current status and alarm state (`GET /api/Asset/Status`). `translate`
    /// `false` asks for untranslated messages; `culture_code` (`"en-US"`) picks a language.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn status(key: &AssetKey, translate: Option<bool>, culture_code: Option<&str>) -> AssetStatus {
        GET "/api/Asset/Status";
        pywats "asset.get_status";
        query ["translate" = translate, "cultureCode" = culture_code];
        options key: AssetKey;
        answer json;
    }

    /// Set the asset's state (`PUT /api/Asset/State`).
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn set_state(key: &AssetKey, state: AssetState) -> () {
        PUT "/api/Asset/State";
        pywats "asset.set_asset_state";
        query ["state" = state.code()];
        options key: AssetKey;
        answer unit;
    }

    /// Add `by` uses to the running and total count (`PUT /api/Asset/Count`), and to every
    /// child asset's too when `children` is true. Not retried automatically: a repeated
    /// increment would count twice.
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn increment_count(key: &AssetKey, by: u32, children: bool) -> () {
        PUT "/api/Asset/Count";
        pywats "asset.increment_count";
        query ["incrementBy" = by, "incrementChildren" = flag(children)];
        options key: AssetKey;
        answer unit;
        helpers [count_use];
        idempotent false;
    }

    /// Set the running count to 0 (`POST /api/Asset/ResetRunningCount`), with a comment for
    /// the asset's log.
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn reset_running_count(key: &AssetKey, comment: Option<&str>) -> () {
        POST "/api/Asset/ResetRunningCount";
        pywats "asset.reset_running_count";
        query ["comment" = comment];
        options key: AssetKey;
        answer unit;
    }

    /// Set the running count to a value (`PUT /api/Asset/SetRunningCount`, WATS 25.3+).
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn set_running_count(key: &AssetKey, running_count: u32) -> () {
        PUT "/api/Asset/SetRunningCount";
        pywats "asset.set_running_count";
        query ["runningCount" = running_count];
        options key: AssetKey;
        answer unit;
    }

    /// Set the total count to a value (`PUT /api/Asset/SetTotalCount`, WATS 25.3+).
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn set_total_count(key: &AssetKey, total_count: u32) -> () {
        PUT "/api/Asset/SetTotalCount";
        pywats "asset.set_total_count";
        query ["totalCount" = total_count];
        options key: AssetKey;
        answer unit;
    }

    /// Record a calibration (`POST /api/Asset/Calibration`) done at `at` (the server's now
    /// when `None`); the next calibration date follows from the type's interval.
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn record_calibration(key: &AssetKey, at: Option<DateTime<Utc>>, comment: Option<&str>) -> () {
        POST "/api/Asset/Calibration";
        pywats "asset.record_calibration";
        query ["dateTime" = at.map(|t| odata_utc(&t)), "comment" = comment];
        options key: AssetKey;
        answer unit;
    }

    /// Record maintenance (`POST /api/Asset/Maintenance`) done at `at` (now when `None`).
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn record_maintenance(key: &AssetKey, at: Option<DateTime<Utc>>, comment: Option<&str>) -> () {
        POST "/api/Asset/Maintenance";
        pywats "asset.record_maintenance";
        query ["dateTime" = at.map(|t| odata_utc(&t)), "comment" = comment];
        options key: AssetKey;
        answer unit;
    }

    /// Record a calibration done by an external system, valid from `from` to `to`
    /// (`POST /api/Asset/Calibration/External`, WATS 25.3+): both dates are set as given.
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn record_calibration_external(
        key: &AssetKey,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        comment: Option<&str>
    ) -> () {
        POST "/api/Asset/Calibration/External";
        pywats "asset.record_calibration_external";
        query ["fromDate" = odata_utc(&from), "toDate" = odata_utc(&to), "comment" = comment];
        options key: AssetKey;
        answer unit;
    }

    /// Record maintenance done by an external system, valid from `from` to `to`
    /// (`POST /api/Asset/Maintenance/External`, WATS 25.3+).
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn record_maintenance_external(
        key: &AssetKey,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        comment: Option<&str>
    ) -> () {
        POST "/api/Asset/Maintenance/External";
        pywats "asset.record_maintenance_external";
        query ["fromDate" = odata_utc(&from), "toDate" = odata_utc(&to), "comment" = comment];
        options key: AssetKey;
        answer unit;
    }

    /// Asset log records matching a query (`GET /api/Asset/Log`), one page; see
    /// [`log_all`](Self::log_all), `log_iter` (blocking) or `log_stream` (async) for every
    /// page.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn log(query: &AssetLogQuery) -> Vec<AssetLog> {
        GET "/api/Asset/Log";
        pywats "asset.get_asset_log";
        options query: AssetLogQuery;
        answer list;
        helpers [log_all, log_iter, log_stream];
    }

    /// Add a message to an asset's log (`POST /api/Asset/Message`, body `{"content": ..}`).
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn add_message(key: &AssetKey, message: &AssetMessage) -> () {
        POST "/api/Asset/Message";
        pywats "asset.add_log_message";
        options key: AssetKey;
        body Body::json(message);
        answer unit;
    }

    /// Every asset type (`GET /api/Asset/Types`), ordered by name.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn types() -> Vec<AssetType> {
        GET "/api/Asset/Types";
        pywats "asset.get_asset_types";
        answer list;
    }

    /// Create or update an asset type (`PUT /api/Asset/Types`); returns it as saved.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn save_type(asset_type: &AssetType) -> AssetType {
        PUT "/api/Asset/Types";
        pywats "asset.create_asset_type";
        body Body::json(asset_type);
        answer json;
    }

    /// The children of an asset (`GET /api/Asset/SubAssets`), down to `level` levels (the
    /// server's default when `None`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn sub_assets(key: &AssetKey, level: Option<u32>) -> Vec<Asset> {
        GET "/api/Asset/SubAssets";
        pywats "asset.get_child_assets";
        query ["level" = level];
        options key: AssetKey;
        answer list;
    }
}

/// This domain's routes and query parameters outside the server's OpenAPI document.
pub(crate) static OUTSIDE_OPENAPI: &[Exception] = &[
    Exception {
        method: "PUT",
        template: "/api/Asset/SetRunningCount",
        query: None,
        reason: "WATS 25.3 route pyWATS `asset.set_running_count` calls; newer than the \
                 published document",
    },
    Exception {
        method: "PUT",
        template: "/api/Asset/SetTotalCount",
        query: None,
        reason: "WATS 25.3 route pyWATS `asset.set_total_count` calls; newer than the \
                 published document",
    },
    Exception {
        method: "POST",
        template: "/api/Asset/Calibration/External",
        query: None,
        reason: "WATS 25.3 route pyWATS `asset.record_calibration_external` calls; newer \
                 than the published document",
    },
    Exception {
        method: "POST",
        template: "/api/Asset/Maintenance/External",
        query: None,
        reason: "WATS 25.3 route pyWATS `asset.record_maintenance_external` calls; newer \
                 than the published document",
    },
];

/// This domain's routes the mock leaves to `mockito` tests.
pub(crate) static LEFT_TO_MOCKITO: &[LeftToMockito] = &[];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_queries_write_their_parameters() {
        let mut q = Query::default();
        AssetKey::serial("FX 1").write_query(&mut q);
        assert_eq!(q.as_str(), "serialNumber=FX%201");
        let mut q = Query::default();
        AssetQuery::new()
            .serial_number("O'B")
            .top(2)
            .skip(4)
            .order_by("assetId")
            .write_query(&mut q);
        assert_eq!(
            q.as_str(),
            "%24filter=serialNumber%20eq%20%27O%27%27B%27&%24top=2&%24skip=4&%24orderby=assetId"
        );
    }
}
