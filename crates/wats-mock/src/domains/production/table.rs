//! The production mock's route table.

use super::internal::*;
use super::lists::*;
use super::*;
use crate::domains::Served;

/// The routes this module serves.
pub(crate) static ROUTES: &[Served] = &[
    Served {
        method: "GET",
        template: "/api/Production/Unit/Query",
        handler: query_units,
    },
    Served {
        method: "GET",
        template: "/api/Production/Unit/{serialNumber}/{partNumber}",
        handler: get_unit,
    },
    Served {
        method: "PUT",
        template: "/api/Production/Units",
        handler: put_units,
    },
    Served {
        method: "POST",
        template: "/api/Production/Unit",
        handler: post_unit,
    },
    Served {
        method: "PUT",
        template: "/api/Production/Unit",
        handler: put_unit,
    },
    Served {
        method: "DELETE",
        template: "/api/Production/Unit",
        handler: delete_unit,
    },
    Served {
        method: "PUT",
        template: "/api/Production/ChangeUnit",
        handler: change_unit,
    },
    Served {
        method: "PUT",
        template: "/api/Production/UnitTag",
        handler: unit_tag,
    },
    Served {
        method: "GET",
        template: "/api/Production/UnitVerification",
        handler: unit_verification,
    },
    Served {
        method: "PUT",
        template: "/api/Production/SetUnitPhase",
        handler: set_unit_phase,
    },
    Served {
        method: "PUT",
        template: "/api/Production/SetUnitProcess",
        handler: set_unit_process,
    },
    Served {
        method: "POST",
        template: "/api/Production/AddChildUnit",
        handler: add_child,
    },
    Served {
        method: "POST",
        template: "/api/Production/RemoveChildUnit",
        handler: remove_child,
    },
    Served {
        method: "GET",
        template: "/api/Production/CheckChildUnits",
        handler: check_child_units,
    },
    Served {
        method: "GET",
        template: "/api/Production/Batches",
        handler: get_batches,
    },
    Served {
        method: "PUT",
        template: "/api/Production/Batch",
        handler: put_batch,
    },
    Served {
        method: "PUT",
        template: "/api/Production/Batches",
        handler: put_batches,
    },
    Served {
        method: "GET",
        template: "/api/Production/Units/Changes",
        handler: get_changes,
    },
    Served {
        method: "DELETE",
        template: "/api/Production/Units/Changes/{id}",
        handler: delete_change,
    },
    Served {
        method: "GET",
        template: "/api/internal/Mes/GetUnitPhases",
        handler: unit_phases,
    },
    Served {
        method: "GET",
        template: "/api/internal/Production/GetUnit",
        handler: internal_get_unit,
    },
    Served {
        method: "GET",
        template: "/api/internal/Production/GetUnitInfo",
        handler: unit_info,
    },
    Served {
        method: "GET",
        template: "/api/internal/Production/GetUnitHierarchy",
        handler: unit_hierarchy,
    },
    Served {
        method: "GET",
        template: "/api/internal/Production/GetUnitStateHistory",
        handler: unit_state_history,
    },
    Served {
        method: "GET",
        template: "/api/internal/Production/GetUnitPhase",
        handler: unit_phase,
    },
    Served {
        method: "GET",
        template: "/api/internal/Production/GetUnitProcess",
        handler: unit_process,
    },
    Served {
        method: "GET",
        template: "/api/internal/Production/GetUnitContents",
        handler: unit_contents,
    },
    Served {
        method: "POST",
        template: "/api/internal/Production/CreateUnit",
        handler: internal_create_unit,
    },
    Served {
        method: "POST",
        template: "/api/internal/Production/AddChildUnit",
        handler: internal_add_child,
    },
    Served {
        method: "POST",
        template: "/api/internal/Production/RemoveChildUnit",
        handler: internal_remove_child,
    },
    Served {
        method: "POST",
        template: "/api/internal/Production/RemoveAllChildUnits",
        handler: internal_remove_all,
    },
    Served {
        method: "GET",
        template: "/api/internal/Production/CheckChildUnits",
        handler: internal_check_child_units,
    },
    Served {
        method: "GET",
        template: "/api/internal/Production/GetSites",
        handler: get_sites,
    },
    Served {
        method: "GET",
        template: "/api/internal/Production/isConnected",
        handler: is_connected,
    },
    // serial numbers
    Served {
        method: "GET",
        template: "/api/Production/SerialNumbers/Types",
        handler: super::serials::types,
    },
    Served {
        method: "POST",
        template: "/api/Production/SerialNumbers/Take",
        handler: super::serials::take,
    },
    Served {
        method: "GET",
        template: "/api/Production/SerialNumbers/ByRange",
        handler: super::serials::by_range,
    },
    Served {
        method: "GET",
        template: "/api/Production/SerialNumbers/ByReference",
        handler: super::serials::by_reference,
    },
    Served {
        method: "PUT",
        template: "/api/Production/SerialNumbers",
        handler: super::serials::import,
    },
    Served {
        method: "GET",
        template: "/api/Production/SerialNumbers",
        handler: super::serials::export,
    },
    Served {
        method: "GET",
        template: "/api/internal/Production/SerialNumbers",
        handler: super::serials::by_range,
    },
    Served {
        method: "GET",
        template: "/api/internal/Production/SerialNumbers/Count",
        handler: super::serials::count,
    },
    Served {
        method: "PUT",
        template: "/api/internal/Production/SerialNumbers/Free",
        handler: super::serials::free,
    },
    Served {
        method: "DELETE",
        template: "/api/internal/Production/SerialNumbers/Free",
        handler: super::serials::delete_free,
    },
    Served {
        method: "GET",
        template: "/api/internal/Production/SerialNumbers/Ranges",
        handler: super::serials::ranges,
    },
    Served {
        method: "GET",
        template: "/api/internal/Production/SerialNumbers/Statistics",
        handler: super::serials::statistics,
    },
    Served {
        method: "POST",
        template: "/api/internal/Production/GetAndReserveNewSerialNumbers",
        handler: super::serials::reserve,
    },
];
