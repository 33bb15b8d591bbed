//! The server's internal production routes: `client.production().internal()`.
//!
//! **Undocumented by the server and liable to change without notice.** These routes are not
//! in WATS's published API; pyWATS uses them, and so may you, but a server upgrade may change
//! or remove any of them.

use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;
use wats_core::{
    Field, MesChildResult, MesChildUnitsCheck, Result, UnitContents, UnitInfo, UnitPhase,
    UnitProcess, UnitStateChange,
};

use super::production_phases::UnitPhaseCache;
use super::production_serials::{SerialCountFilter, SerialFilter};
use super::production_take::parse_serial_numbers;
use crate::endpoint::macros::calls;
use crate::endpoint::{Body, Caller, QueryParams};
use crate::registry::{Exception, LeftToMockito};
use crate::stack::Answer;
use crate::url::Query;

/// The body of the internal serial-number reservation. Unlike pyWATS it never carries the
/// auth token (pyWATS puts it in `tokenId`): the token travels in the `Authorization`
/// header only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ReserveRequest {
    /// The serial-number type.
    pub serial_number_type: String,
    /// How many numbers to reserve.
    pub batch_size: u32,
    /// Always `"Reserve"`.
    pub request_type: &'static str,
    /// Only a continuous run of numbers.
    pub only_in_sequence: bool,
    /// The station reserving them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub station_name: Option<String>,
    /// Start from this number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_serial_number: Option<String>,
}

impl ReserveRequest {
    /// Reserve `batch_size` numbers of a type.
    pub fn new(serial_number_type: impl Into<String>, batch_size: u32) -> Self {
        ReserveRequest {
            serial_number_type: serial_number_type.into(),
            batch_size,
            request_type: "Reserve",
            only_in_sequence: false,
            station_name: None,
            from_serial_number: None,
        }
    }

    /// Only a continuous run of numbers.
    #[must_use]
    pub fn only_in_sequence(mut self, on: bool) -> Self {
        self.only_in_sequence = on;
        self
    }

    /// The station reserving them.
    #[must_use]
    pub fn station_name(mut self, name: impl Into<String>) -> Self {
        self.station_name = Some(name.into());
        self
    }

    /// Start from this number.
    #[must_use]
    pub fn from_serial_number(mut self, sn: impl Into<String>) -> Self {
        self.from_serial_number = Some(sn.into());
        self
    }
}

/// How the internal `AddChildUnit` validates a child: the part number and revision to
/// check against, the culture of the messages (`en-US` by default) and whether to check
/// the child's phase (not sent unless set).
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub struct ChildValidation {
    check_part_number: String,
    check_revision: String,
    culture_code: String,
    check_phase: Option<bool>,
}

impl ChildValidation {
    /// Check the child against this part number and revision, messages in `en-US`.
    pub fn new(check_part_number: impl Into<String>, check_revision: impl Into<String>) -> Self {
        ChildValidation {
            check_part_number: check_part_number.into(),
            check_revision: check_revision.into(),
            culture_code: "en-US".to_owned(),
            check_phase: None,
        }
    }

    /// The culture of the server's messages (`cultureCode`).
    pub fn culture_code(mut self, code: impl Into<String>) -> Self {
        self.culture_code = code.into();
        self
    }

    /// Whether to check the child's phase (`checkPhase`).
    pub fn check_phase(mut self, on: bool) -> Self {
        self.check_phase = Some(on);
        self
    }
}

impl QueryParams for ChildValidation {
    const NAMES: &'static [&'static str] = &[
        "checkPartNumber",
        "checkRevision",
        "cultureCode",
        "checkPhase",
    ];

    fn write_query(&self, q: &mut Query) {
        q.push("checkPartNumber", &self.check_part_number);
        q.push("checkRevision", &self.check_revision);
        q.push("cultureCode", &self.culture_code);
        q.push_opt("checkPhase", self.check_phase.map(super::reports::bool_str));
    }
}

/// The request body: the server expects the reservation under `sn`.
#[derive(Serialize)]
struct ReserveBody<'a> {
    sn: &'a ReserveRequest,
}

calls! {
    /// Internal production calls, from `client.production().internal()`: **undocumented by
    /// the server, may change without notice**.
    handle ProductionInternal, domain "production_internal", via "production().internal()";

    /// Every unit phase the server defines (`GET /api/internal/Mes/GetUnitPhases`); see
    /// [`unit_phases`](Self::unit_phases) for the cached form.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn get_unit_phases() -> Vec<UnitPhase> {
        GET "/api/internal/Mes/GetUnitPhases";
        pywats "production.get_phases, production.get_all_unit_phases, production.get_phase, production.get_phase_id, production.get_phase_by_name (the lookups on UnitPhaseCache)";
        answer list;
        helpers [unit_phases];
    }

    /// A unit by serial number, part number optional (`GET /api/internal/Production/GetUnit`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn get_unit(serial_number: &str, part_number: Option<&str>) -> UnitInfo {
        GET "/api/internal/Production/GetUnit";
        pywats "production repository get_unit_by_serial";
        query ["serialNumber" = serial_number, "partNumber" = part_number];
        answer list;
    }

    /// Unit details (`GET /api/internal/Production/GetUnitInfo`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn get_unit_info(serial_number: &str, part_number: &str) -> UnitInfo {
        GET "/api/internal/Production/GetUnitInfo";
        pywats "production.get_unit_info";
        query ["serialNumber" = serial_number, "partNumber" = part_number];
        answer list;
    }

    /// The unit and its children, recursively (`GET /api/internal/Production/GetUnitHierarchy`):
    /// a [`UnitInfo`] tree ([`UnitInfo::walk`], [`UnitInfo::find`]).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn get_unit_hierarchy(serial_number: &str, part_number: &str) -> UnitInfo {
        GET "/api/internal/Production/GetUnitHierarchy";
        pywats "production.get_unit_hierarchy";
        query ["serialNumber" = serial_number, "partNumber" = part_number];
        answer list;
    }

    /// The unit's phase and process history (`GET /api/internal/Production/GetUnitStateHistory`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn get_unit_state_history(serial_number: &str, part_number: &str) -> Vec<UnitStateChange> {
        GET "/api/internal/Production/GetUnitStateHistory";
        pywats "production.get_unit_state_history, production.get_unit_history";
        query ["serialNumber" = serial_number, "partNumber" = part_number];
        answer list;
    }

    /// The unit's current phase (`GET /api/internal/Production/GetUnitPhase`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn get_unit_phase(serial_number: &str, part_number: &str) -> UnitPhase {
        GET "/api/internal/Production/GetUnitPhase";
        pywats "production repository get_unit_phase";
        query ["serialNumber" = serial_number, "partNumber" = part_number];
        answer list;
    }

    /// The unit's current process (`GET /api/internal/Production/GetUnitProcess`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn get_unit_process(serial_number: &str, part_number: &str) -> UnitProcess {
        GET "/api/internal/Production/GetUnitProcess";
        pywats "production repository get_unit_process";
        query ["serialNumber" = serial_number, "partNumber" = part_number];
        answer list;
    }

    /// What the unit's box build holds (`GET /api/internal/Production/GetUnitContents`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn get_unit_contents(serial_number: &str, part_number: &str, revision: &str) -> UnitContents {
        GET "/api/internal/Production/GetUnitContents";
        pywats "production.get_unit_contents";
        query ["serialNumber" = serial_number, "partNumber" = part_number, "revision" = revision];
        answer list;
    }

    /// Create a unit (`POST /api/internal/Production/CreateUnit`). Not retried. The answer
    /// is the created unit ([`Field::Value`]) when the server sends an object, kept as
    /// received otherwise, [`Field::Absent`] when empty.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn create_unit(
        serial_number: &str,
        part_number: &str,
        revision: &str,
        batch_number: Option<&str>,
        unit_phase: Option<i32>,
    ) -> Field<UnitInfo> {
        POST "/api/internal/Production/CreateUnit";
        pywats "production.create_unit";
        query [
            "serialNumber" = serial_number,
            "partNumber" = part_number,
            "revision" = revision,
            "batchNumber" = batch_number,
            "unitPhase" = unit_phase,
        ];
        answer list;
    }

    /// Add a child, validated as `check` says, with messages in a culture
    /// (`POST /api/internal/Production/AddChildUnit`). Not retried. A 2xx is success; the
    /// body is a [`MesChildResult`] when it is an object ([`Field::Value`]), kept as
    /// received otherwise, [`Field::Absent`] when empty.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn add_child_unit(
        serial_number: &str,
        part_number: &str,
        child_serial_number: &str,
        child_part_number: &str,
        check: &ChildValidation,
    ) -> Field<MesChildResult> {
        POST "/api/internal/Production/AddChildUnit";
        pywats "production.add_child_unit_validated";
        query [
            "serialNumber" = serial_number,
            "partNumber" = part_number,
            "childSerialNumber" = child_serial_number,
            "childPartNumber" = child_part_number,
        ];
        options check: ChildValidation;
        answer list;
    }

    /// Remove a child (`POST /api/internal/Production/RemoveChildUnit`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn remove_child_unit(
        serial_number: &str,
        part_number: &str,
        child_serial_number: &str,
        child_part_number: &str,
        culture_code: Option<&str>,
    ) -> Field<MesChildResult> {
        POST "/api/internal/Production/RemoveChildUnit";
        pywats "production.remove_child_unit_localized";
        query [
            "serialNumber" = serial_number,
            "partNumber" = part_number,
            "childSerialNumber" = child_serial_number,
            "childPartNumber" = child_part_number,
            "cultureCode" = culture_code,
        ];
        answer list;
    }

    /// Remove every child of a unit (`POST /api/internal/Production/RemoveAllChildUnits`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn remove_all_child_units(serial_number: &str, part_number: &str, culture_code: Option<&str>) -> Field<MesChildResult> {
        POST "/api/internal/Production/RemoveAllChildUnits";
        pywats "production.remove_all_child_units, production.remove_all_children_from_assembly";
        query ["serialNumber" = serial_number, "partNumber" = part_number, "cultureCode" = culture_code];
        answer list;
    }

    /// Check a unit's children, messages in a culture
    /// (`GET /api/internal/Production/CheckChildUnits`, PascalCase parameters).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn check_child_units(parent_serial_number: &str, parent_part_number: &str, culture_code: &str) -> MesChildUnitsCheck {
        GET "/api/internal/Production/CheckChildUnits";
        pywats "production.validate_child_units";
        query [
            "ParentSerialNumber" = parent_serial_number,
            "ParentPartNumber" = parent_part_number,
            "CultureCode" = culture_code,
        ];
        answer list;
    }

    /// Serial numbers of a type in a range (`GET /api/internal/Production/SerialNumbers`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn serial_numbers(serial_number_type: &str, start: &str, end: &str) -> Vec<Value> {
        GET "/api/internal/Production/SerialNumbers";
        pywats "production.find_serial_numbers";
        query ["serialNumberType" = serial_number_type, "startAddress" = start, "endAddress" = end];
        answer list;
    }

    /// Serial numbers of a type, filtered by number range and generation time
    /// (`GET /api/internal/Production/SerialNumbers` with any of `startAddress`,
    /// `endAddress`, `startDate`, `endDate`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn serial_numbers_with(serial_number_type: &str, filter: &SerialFilter) -> Vec<Value> {
        GET "/api/internal/Production/SerialNumbers";
        pywats "production.find_serial_numbers (with dates)";
        query ["serialNumberType" = serial_number_type];
        options filter: SerialFilter;
        answer list;
    }

    /// How many serial numbers of a type, filtered by number range and generation time
    /// (`GET /api/internal/Production/SerialNumbers/Count` with any of `startAddress`,
    /// `endAddress`, `fromDate`, `toDate`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn serial_number_count_with(serial_number_type: &str, filter: &SerialCountFilter) -> i64 {
        GET "/api/internal/Production/SerialNumbers/Count";
        pywats "production.get_serial_number_count (with dates)";
        query ["serialNumberType" = serial_number_type];
        options filter: SerialCountFilter;
        answer json;
    }

    /// How many serial numbers of a type (in a range)
    /// (`GET /api/internal/Production/SerialNumbers/Count`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn serial_number_count(serial_number_type: &str, start: Option<&str>, end: Option<&str>) -> i64 {
        GET "/api/internal/Production/SerialNumbers/Count";
        pywats "production.get_serial_number_count";
        query ["serialNumberType" = serial_number_type, "startAddress" = start, "endAddress" = end];
        answer json;
    }

    /// Free taken or reserved serial numbers, by ranges
    /// (`PUT /api/internal/Production/SerialNumbers/Free`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn free_serial_numbers(ranges: &[Value]) -> Value {
        PUT "/api/internal/Production/SerialNumbers/Free";
        pywats "production.free_serial_numbers";
        body Body::json(ranges);
        answer list;
    }

    /// Delete free serial numbers, by ranges
    /// (`DELETE /api/internal/Production/SerialNumbers/Free`). The ranges are sent in the
    /// body (pyWATS drops them).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn delete_free_serial_numbers(ranges: &[Value]) -> Value {
        DELETE "/api/internal/Production/SerialNumbers/Free";
        pywats "production repository delete_free_serial_numbers";
        body Body::json(ranges);
        answer list;
    }

    /// The ranges of serial numbers (`GET /api/internal/Production/SerialNumbers/Ranges`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn serial_number_ranges(serial_number_type: Option<&str>) -> Vec<Value> {
        GET "/api/internal/Production/SerialNumbers/Ranges";
        pywats "production.get_serial_number_ranges";
        query ["serialNumberType" = serial_number_type];
        answer list;
    }

    /// Free, taken and reserved counts
    /// (`GET /api/internal/Production/SerialNumbers/Statistics`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn serial_number_statistics(serial_number_type: Option<&str>) -> Value {
        GET "/api/internal/Production/SerialNumbers/Statistics";
        pywats "production.get_serial_number_statistics";
        query ["serialNumberType" = serial_number_type];
        answer list;
    }

    /// Reserve serial numbers
    /// (`POST /api/internal/Production/GetAndReserveNewSerialNumbers`): the reserved numbers,
    /// read from the `sn` XML of the answer. The auth token is never put in the body.
    ///
    /// # Errors
    /// Status, transport and timeout errors; [`wats_core::Error::Decode`] for an answer
    /// without serial numbers in a known form.
    fn reserve_serial_numbers(request: &ReserveRequest) -> Vec<String> {
        POST "/api/internal/Production/GetAndReserveNewSerialNumbers";
        pywats "production.reserve_serial_numbers";
        body Body::json(&ReserveBody { sn: request });
        answer with(reserved);
    }

    /// The sites (`GET /api/internal/Production/GetSites`).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn get_sites() -> Vec<Value> {
        GET "/api/internal/Production/GetSites";
        pywats "production.get_sites";
        answer list;
    }

    /// Whether the production service answers (`GET /api/internal/Production/isConnected`):
    /// any non-empty answer is `true`.
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn is_connected() -> bool {
        GET "/api/internal/Production/isConnected";
        pywats "production.is_connected";
        answer with(non_empty);
    }
}

const REASON: &str = "an internal route pyWATS relies on (production domain); undocumented by \
                      the server, reached only through production().internal()";

macro_rules! internal {
    ($($method:literal $template:literal),* $(,)?) => {
        &[$(Exception { method: $method, template: $template, query: None, reason: REASON }),*]
    };
}

/// This domain's routes and query parameters outside the server's OpenAPI document.
pub(crate) static OUTSIDE_OPENAPI: &[Exception] = internal![
    "GET" "/api/internal/Mes/GetUnitPhases",
    "GET" "/api/internal/Production/GetUnit",
    "GET" "/api/internal/Production/GetUnitInfo",
    "GET" "/api/internal/Production/GetUnitHierarchy",
    "GET" "/api/internal/Production/GetUnitStateHistory",
    "GET" "/api/internal/Production/GetUnitPhase",
    "GET" "/api/internal/Production/GetUnitProcess",
    "GET" "/api/internal/Production/GetUnitContents",
    "POST" "/api/internal/Production/CreateUnit",
    "POST" "/api/internal/Production/AddChildUnit",
    "POST" "/api/internal/Production/RemoveChildUnit",
    "POST" "/api/internal/Production/RemoveAllChildUnits",
    "GET" "/api/internal/Production/CheckChildUnits",
    "GET" "/api/internal/Production/SerialNumbers",
    "GET" "/api/internal/Production/SerialNumbers/Count",
    "PUT" "/api/internal/Production/SerialNumbers/Free",
    "DELETE" "/api/internal/Production/SerialNumbers/Free",
    "GET" "/api/internal/Production/SerialNumbers/Ranges",
    "GET" "/api/internal/Production/SerialNumbers/Statistics",
    "POST" "/api/internal/Production/GetAndReserveNewSerialNumbers",
    "GET" "/api/internal/Production/GetSites",
    "GET" "/api/internal/Production/isConnected",
];

/// This domain's routes the mock leaves to `mockito` tests.
pub(crate) static LEFT_TO_MOCKITO: &[LeftToMockito] = &[];

fn reserved(answer: Result<Answer>) -> Result<Vec<String>> {
    parse_serial_numbers(answer?.response.body())
}

fn non_empty(answer: Result<Answer>) -> Result<bool> {
    answer.map(|a| !a.response.body().iter().all(u8::is_ascii_whitespace))
}

impl<'c, C: Caller> ProductionInternal<'c, C> {
    /// The unit phases, from `cache` while fresh, else from
    /// [`get_unit_phases`](Self::get_unit_phases) (then cached). (pyWATS `get_phases`,
    /// whose `force_refresh` is [`UnitPhaseCache::refresh`] here.)
    pub fn unit_phases(&self, cache: &UnitPhaseCache) -> C::Ret<'c, Arc<Vec<UnitPhase>>> {
        if let Some(list) = cache.cached() {
            return self.caller.ready(Ok(list));
        }
        let cache = cache.clone();
        self.caller.run(move |client| async move {
            let list = ProductionInternal::new(&client).get_unit_phases().await?;
            Ok(cache.store(list))
        })
    }

    /// Set a unit's phase by name: the name (or code) is looked up in the server's phase
    /// list (from `cache`, fetched when stale), else among the documented
    /// [`Phase`](wats_core::Phase)s; then `PUT /api/Production/SetUnitPhase` with its id.
    ///
    /// # Errors
    /// [`wats_core::Error::InvalidInput`] for a name neither knows (the phase is not set);
    /// the errors of [`unit_phases`](Self::unit_phases) and of
    /// [`Production::set_unit_phase`](crate::Production::set_unit_phase).
    pub fn set_phase_by_name(
        &self,
        cache: &UnitPhaseCache,
        serial_number: &str,
        part_number: &str,
        phase: &str,
    ) -> C::Ret<'c, ()> {
        let cache = cache.clone();
        let (sn, pn, name) = (
            serial_number.to_owned(),
            part_number.to_owned(),
            phase.to_owned(),
        );
        self.caller.run(move |client| async move {
            ProductionInternal::new(&client).unit_phases(&cache).await?;
            let id = cache
                .phase_by_name(&name)
                .and_then(|p| p.unit_phase_id.value().copied())
                .and_then(|id| i32::try_from(id).ok())
                .or_else(|| wats_core::Phase::from_name(&name).map(wats_core::Phase::id))
                .ok_or_else(|| wats_core::Error::InvalidInput {
                    field: "phase".to_owned(),
                    message: format!("no unit phase is named {name:?}"),
                })?;
            crate::Production::new(&client)
                .set_unit_phase(&sn, &pn, id)
                .await
        })
    }
}
