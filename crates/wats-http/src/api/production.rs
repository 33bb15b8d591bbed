//! Production (MES): `client.production()`: units, verification, phase and process, assembly,
//! batches and the unit change feed. Serial numbers are on
//! [`serials()`](Production::serials), the server's undocumented routes on
//! [`internal()`](Production::internal).

use serde_json::Value;
use wats_core::{
    ChildUnitResult, ChildUnitsCheck, Error, Field, Phase, ProductionBatch, Result, Unit,
    UnitChange, UnitVerificationGrade, UnitsSaved,
};

pub use super::production_feed::UnitChangeFeed;
pub use super::production_internal::{ChildValidation, ProductionInternal, ReserveRequest};
pub use super::production_phases::UnitPhaseCache;
pub use super::production_serials::{
    ProductionSerials, ReferenceFilter, SerialCountFilter, SerialFilter, SerialFormat, TakeOptions,
};
pub use super::production_take::parse_serial_numbers;

use crate::api::products_pages::paged_calls;
use crate::api::query::UnitQuery;
use crate::endpoint::macros::calls;
use crate::endpoint::{Body, Caller, QueryParams};
use crate::registry::{Exception, LeftToMockito};
use crate::stack::Answer;
use crate::url::Query;

/// How `POST /api/Production/AddChildUnit` validates the child: against the parent's box
/// build (the default, nothing sent) or against a part number and revision given here
/// (`checkPartNumber`, `checkRevision`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct ChildCheck {
    part_number: Option<String>,
    revision: Option<String>,
}

impl ChildCheck {
    /// Validate against the parent's box build.
    pub fn box_build() -> Self {
        Self::default()
    }

    /// Validate against this part number and revision instead of the box build.
    pub fn against(part_number: impl Into<String>, revision: impl Into<String>) -> Self {
        ChildCheck {
            part_number: Some(part_number.into()),
            revision: Some(revision.into()),
        }
    }
}

impl QueryParams for ChildCheck {
    const NAMES: &'static [&'static str] = &["checkPartNumber", "checkRevision"];

    fn write_query(&self, q: &mut Query) {
        q.push_opt("checkPartNumber", self.part_number.as_deref());
        q.push_opt("checkRevision", self.revision.as_deref());
    }
}

calls! {
    /// Production (MES) calls, from `client.production()`: units, verification, phases,
    /// assembly, batches, the unit change feed.
    handle Production, domain "production";

    /// One unit (`GET /api/Production/Unit/{serialNumber}/{partNumber}`). Both values are
    /// percent-encoded as path segments, so `/`, `?`, `#` or spaces in a serial number reach
    /// the right route.
    ///
    /// # Errors
    /// [`wats_core::Error::NotFound`] for an unknown unit (see
    /// [`get_unit_opt`](Self::get_unit_opt)); [`wats_core::Error::InvalidInput`] for an empty
    /// serial or part number (nothing sent); status, transport, timeout and decode errors.
    fn get_unit(serial_number: &str, part_number: &str) -> Unit {
        GET "/api/Production/Unit/{serialNumber}/{partNumber}";
        pywats "production.get_unit";
        path [serial_number, part_number];
        answer json;
        opt get_unit_opt;
    }

    /// Query units (`GET /api/Production/Unit/Query` with `$filter`, `$top`, `$skip`,
    /// `$orderby`): one page. An empty answer is an empty list. Every page:
    /// [`query_units_all`](Self::query_units_all), [`query_units_iter`](Self::query_units_iter)
    /// (blocking), [`query_units_stream`](Self::query_units_stream) (async).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn query_units(query: &UnitQuery) -> Vec<Unit> {
        GET "/api/Production/Unit/Query";
        pywats "production.query_units";
        options query: UnitQuery;
        answer list;
        helpers [query_units_all, query_units_iter, query_units_stream];
    }

    /// Add or update units by serial number (`PUT /api/Production/Units`). The answer is
    /// the saved units or a summary whose non-zero `errorCount` is a partial failure:
    /// see [`UnitsSaved::check`]. Dates are sent as the strings the units hold.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors; [`Error::Encode`] for a unit that
    /// cannot be serialised (nothing sent).
    fn save_units(units: &[Unit]) -> UnitsSaved {
        PUT "/api/Production/Units";
        pywats "production.create_units, production.update_unit";
        body Body::json(units);
        answer with(units_saved);
        helpers [save_unit];
    }

    /// Create one unit (`POST /api/Production/Unit`, the public single-unit form). Not
    /// retried automatically.
    ///
    /// # Errors
    /// Status (a unit that exists already), transport and timeout errors.
    fn create_unit(unit: &Unit) -> () {
        POST "/api/Production/Unit";
        pywats "production.create_unit_public";
        body Body::json(unit);
        answer unit;
    }

    /// Update one unit (`PUT /api/Production/Unit`, the public single-unit form).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown unit; status, transport and timeout errors.
    fn update_unit(unit: &Unit) -> () {
        PUT "/api/Production/Unit";
        pywats "production.update_unit_public";
        body Body::json(unit);
        answer unit;
    }

    /// Delete a unit (`DELETE /api/Production/Unit?serialNumber=..&partNumber=..`):
    /// `true` when it was deleted, `false` when there was no such unit (404).
    ///
    /// # Errors
    /// Status (other than 404), transport and timeout errors.
    fn delete_unit(serial_number: &str, part_number: &str) -> bool {
        DELETE "/api/Production/Unit";
        pywats "production.delete_unit";
        query ["serialNumber" = serial_number, "partNumber" = part_number];
        answer with(found);
    }

    /// Move a unit to another part number and revision (`PUT /api/Production/ChangeUnit`).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown unit; status, transport and timeout errors.
    fn change_unit(serial_number: &str, part_number: &str, new_part_number: &str, new_revision: &str) -> () {
        PUT "/api/Production/ChangeUnit";
        pywats "production.change_unit_part_number";
        query [
            "serialNumber" = serial_number,
            "partNumber" = part_number,
            "newPartNumber" = new_part_number,
            "newRevision" = new_revision,
        ];
        answer unit;
    }

    /// Set one tag of a unit (`PUT /api/Production/UnitTag`).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown unit; status, transport and timeout errors.
    fn set_unit_tag(serial_number: &str, part_number: &str, key: &str, value: &str) -> () {
        PUT "/api/Production/UnitTag";
        pywats "production.set_unit_tag";
        query [
            "serialNumber" = serial_number,
            "partNumber" = part_number,
            "key" = key,
            "value" = value,
        ];
        answer unit;
    }

    /// Verify a unit against its verification rule (`GET /api/Production/UnitVerification`):
    /// the grade and one [`wats_core::UnitVerification`] per process, with typed helpers
    /// ([`UnitVerificationGrade::is_passing`], [`UnitVerificationGrade::process`]).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown unit; status, transport, timeout, decode errors.
    fn verify_unit(serial_number: &str, part_number: Option<&str>) -> UnitVerificationGrade {
        GET "/api/Production/UnitVerification";
        pywats "production.verify_unit, production.get_unit_grade, production.is_unit_passing";
        query ["serialNumber" = serial_number, "partNumber" = part_number];
        answer json;
        helpers [is_unit_passing];
    }

    /// Set a unit's current phase by id (`PUT /api/Production/SetUnitPhase`); see
    /// [`set_phase`](Self::set_phase) for a typed [`Phase`].
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown unit; status, transport and timeout errors.
    fn set_unit_phase(serial_number: &str, part_number: &str, phase: i32) -> () {
        PUT "/api/Production/SetUnitPhase";
        pywats "production.set_unit_phase";
        query ["serialNumber" = serial_number, "partNumber" = part_number, "phase" = phase];
        answer unit;
        helpers [set_phase];
    }

    /// Set a unit's current process by name (`PUT /api/Production/SetUnitProcess`).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown unit; status, transport and timeout errors.
    fn set_unit_process(serial_number: &str, part_number: &str, process_name: &str) -> () {
        PUT "/api/Production/SetUnitProcess";
        pywats "production.set_unit_process";
        query [
            "serialNumber" = serial_number,
            "partNumber" = part_number,
            "processName" = process_name,
        ];
        answer unit;
    }

    /// Make one unit the child of another (`POST /api/Production/AddChildUnit`), validated
    /// by the parent's box build or by `check`. Not retried automatically. A 2xx is success;
    /// its body, undocumented, is a [`ChildUnitResult`] when it is an object
    /// ([`Field::Value`]), kept as received when it is not ([`Field::Other`]), and
    /// [`Field::Absent`] when empty.
    ///
    /// # Errors
    /// Status (the server refuses a child that breaks a rule: already has a parent, wrong
    /// phase, a loop), transport and timeout errors.
    fn add_child_unit(
        parent_serial_number: &str,
        parent_part_number: &str,
        child_serial_number: &str,
        child_part_number: &str,
        check: &ChildCheck,
    ) -> Field<ChildUnitResult> {
        POST "/api/Production/AddChildUnit";
        pywats "production.add_child_to_assembly";
        query [
            "parentSerialNumber" = parent_serial_number,
            "parentPartNumber" = parent_part_number,
            "childSerialNumber" = child_serial_number,
            "childPartNumber" = child_part_number,
        ];
        options check: ChildCheck;
        answer list;
    }

    /// Remove a parent/child relation (`POST /api/Production/RemoveChildUnit`). The answer
    /// is read as [`add_child_unit`](Self::add_child_unit)'s.
    ///
    /// # Errors
    /// Status (no such relation), transport and timeout errors.
    fn remove_child_unit(
        parent_serial_number: &str,
        parent_part_number: &str,
        child_serial_number: &str,
        child_part_number: &str,
    ) -> Field<ChildUnitResult> {
        POST "/api/Production/RemoveChildUnit";
        pywats "production.remove_child_from_assembly";
        query [
            "parentSerialNumber" = parent_serial_number,
            "parentPartNumber" = parent_part_number,
            "childSerialNumber" = child_serial_number,
            "childPartNumber" = child_part_number,
        ];
        answer list;
    }

    /// Check the direct children of a unit against its box build
    /// (`GET /api/Production/CheckChildUnits`): [`ChildUnitsCheck::is_valid`] and the
    /// children that do not fit ([`ChildUnitsCheck::invalid_children`]). An empty answer is
    /// an all-absent check.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn check_child_units(parent_serial_number: &str, parent_part_number: &str) -> ChildUnitsCheck {
        GET "/api/Production/CheckChildUnits";
        pywats "production.verify_assembly";
        query [
            "parentSerialNumber" = parent_serial_number,
            "parentPartNumber" = parent_part_number,
        ];
        answer list;
    }

    /// Production batches (`GET /api/Production/Batches`), optionally of one part number or
    /// batch. An empty answer is an empty list.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn batches(part_number: Option<&str>, batch_number: Option<&str>) -> Vec<ProductionBatch> {
        GET "/api/Production/Batches";
        pywats "production.get_batches";
        query ["partNumber" = part_number, "batchNumber" = batch_number];
        answer list;
    }

    /// Add or update one batch (`PUT /api/Production/Batch`).
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn save_batch(batch: &ProductionBatch) -> Value {
        PUT "/api/Production/Batch";
        pywats "production.create_batch, production.update_batch";
        body Body::json(batch);
        answer list;
    }

    /// Add or update batches (`PUT /api/Production/Batches`).
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn save_batches(batches: &[ProductionBatch]) -> Value {
        PUT "/api/Production/Batches";
        pywats "production.save_batches";
        body Body::json(batches);
        answer list;
    }

    /// One page of the unit change feed (`GET /api/Production/Units/Changes`): at most
    /// `max_count` changes after skipping `skip`. [`changes`](Self::changes) walks every
    /// page.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn unit_changes(max_count: u32, skip: Option<u32>) -> Vec<UnitChange> {
        GET "/api/Production/Units/Changes";
        pywats "production.get_unit_changes";
        query ["maxCount" = max_count, "$skip" = skip];
        answer list;
    }

    /// Delete (acknowledge) a handled change (`DELETE /api/Production/Units/Changes/{id}`).
    ///
    /// # Errors
    /// [`Error::NotFound`] for an unknown id; status, transport and timeout errors.
    fn delete_unit_change(id: i64) -> () {
        DELETE "/api/Production/Units/Changes/{id}";
        pywats "production.delete_unit_change, production.acknowledge_unit_change";
        path [id];
        answer unit;
    }
}

/// This domain's routes and query parameters outside the server's OpenAPI document.
pub(crate) static OUTSIDE_OPENAPI: &[Exception] = &[
    Exception {
        method: "GET",
        template: "/api/Production/Unit/Query",
        query: None,
        reason: "the OData unit query pyWATS `production.query_units` relies on; served by WATS \
                 servers but missing from the published document",
    },
    Exception {
        method: "POST",
        template: "/api/Production/Unit",
        query: None,
        reason: "the single-unit create pyWATS `production.create_unit_public` sends",
    },
    Exception {
        method: "PUT",
        template: "/api/Production/Unit",
        query: None,
        reason: "the single-unit update pyWATS `production.update_unit_public` sends",
    },
    Exception {
        method: "DELETE",
        template: "/api/Production/Unit",
        query: None,
        reason: "the unit delete pyWATS `production.delete_unit` sends",
    },
    Exception {
        method: "PUT",
        template: "/api/Production/ChangeUnit",
        query: None,
        reason: "pyWATS `production.change_unit_part_number` relies on it (added in pyWATS 0.6)",
    },
    Exception {
        method: "PUT",
        template: "/api/Production/UnitTag",
        query: None,
        reason: "pyWATS `production.set_unit_tag` relies on it (added in pyWATS 0.6)",
    },
    Exception {
        method: "GET",
        template: "/api/Production/Batches",
        query: None,
        reason: "the batch list pyWATS `production.get_batches` reads; only the PUT form is \
                 documented",
    },
    Exception {
        method: "PUT",
        template: "/api/Production/Batch",
        query: None,
        reason: "the single-batch save pyWATS `production.create_batch`/`update_batch` send",
    },
    Exception {
        method: "GET",
        template: "/api/Production/Units/Changes",
        query: Some("$skip"),
        reason: "paging of the change feed, as pyWATS `production.get_unit_changes` sends it; \
                 the feed stops when a page brings no new change, so a server that ignores \
                 it cannot make the feed loop",
    },
];

/// This domain's routes the mock leaves to `mockito` tests.
pub(crate) static LEFT_TO_MOCKITO: &[LeftToMockito] = &[];

/// The answer of `PUT /api/Production/Units`: a list of units or a summary object.
fn units_saved(answer: Result<Answer>) -> Result<UnitsSaved> {
    let answer = answer?;
    let body = answer.response.body();
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(UnitsSaved::Units(Vec::new()));
    }
    let value: Value = crate::endpoint::answer::decode(body)?;
    match value {
        Value::Array(_) => wats_core::json::from_slice(body).map(UnitsSaved::Units),
        Value::Object(_) => wats_core::json::from_slice(body).map(UnitsSaved::Summary),
        _ => Err(Error::Decode {
            target: "UnitsSaved",
            path: ".".to_owned(),
            message: "expected a list of units or an object with `errorCount`".to_owned(),
        }),
    }
}

/// `true` for a 2xx answer, `false` for a 404.
fn found(answer: Result<Answer>) -> Result<bool> {
    match answer {
        Ok(_) => Ok(true),
        Err(Error::NotFound { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

impl<'c, C: Caller> Production<'c, C> {
    /// Serial numbers: types, take, find, import and export.
    pub fn serials(&self) -> ProductionSerials<'c, C> {
        ProductionSerials::new(self.caller)
    }

    /// The server's internal production routes (`/api/internal/...`): unit phases, unit
    /// details and hierarchy, the internal assembly calls, serial-number reservation.
    ///
    /// **Undocumented by the server and liable to change without notice**: they are not in
    /// WATS's published API, and a server upgrade may change or remove them. Prefer the
    /// public calls where one exists.
    pub fn internal(&self) -> ProductionInternal<'c, C> {
        ProductionInternal::new(self.caller)
    }

    /// Add or update one unit (`PUT /api/Production/Units` with a list of one): see
    /// [`save_units`](Self::save_units).
    pub fn save_unit(&self, unit: &Unit) -> C::Ret<'c, UnitsSaved> {
        self.save_units(std::slice::from_ref(unit))
    }

    /// Whether the unit passes its verification rule: [`verify_unit`](Self::verify_unit)
    /// and [`UnitVerificationGrade::is_passing`]. (pyWATS `is_unit_passing`.)
    pub fn is_unit_passing(
        &self,
        serial_number: &str,
        part_number: Option<&str>,
    ) -> C::Ret<'c, bool> {
        let req = routes::verify_unit::request(serial_number, part_number);
        self.caller.call(crate::endpoint::Prepared::new(
            self.caller.http(),
            req,
            |a| crate::endpoint::answer::json::<UnitVerificationGrade>(a).map(|g| g.is_passing()),
        ))
    }

    /// Set a unit's phase, typed (`PUT /api/Production/SetUnitPhase`). A phase the server
    /// defines beyond [`Phase`] is set by id with [`set_unit_phase`](Self::set_unit_phase)
    /// (look names up with `internal().unit_phases(..)`).
    pub fn set_phase(
        &self,
        serial_number: &str,
        part_number: &str,
        phase: Phase,
    ) -> C::Ret<'c, ()> {
        self.set_unit_phase(serial_number, part_number, phase.id())
    }

    /// Every unit change, page by page (`GET /api/Production/Units/Changes` with
    /// `maxCount=page_size` and `$skip`): with the blocking client an [`Iterator`], with the
    /// async client a [`Stream`](futures_core::Stream). The feed stops at a short page, or at
    /// a page that brings no change it has not yielded yet. Acknowledge changes with
    /// [`delete_unit_change`](Self::delete_unit_change) after the walk: deleting during it
    /// shifts the pages.
    pub fn changes(&self, page_size: u32) -> UnitChangeFeed<'c, C> {
        UnitChangeFeed::new(*self, page_size)
    }
}

paged_calls! {
    Production {
        "unit": query_units(UnitQuery) -> Unit => query_units_all, query_units_iter, query_units_stream;
    }
}
