use wats_http::ProcessFilter;

use crate::{Expect, Wire, case};

pub async fn cases(w: &mut Wire) {
    case!(w, processes.list, c => c.processes().list(), Expect::new("GET", "/api/App/Processes"));
    case!(
        w,
        processes.list_with,
        c => c.processes().list_with(ProcessFilter::new().test_operations(true).inactive(false)),
        Expect::new(
            "GET",
            "/api/App/Processes?includeTestOperations=true&includeInactiveProcesses=false"
        )
    );
    // The cached lookups share one list per client (the blocking client here shares the
    // async client's): `invalidate` first, so each client's call sends its request.
    let list = Expect::new("GET", "/api/App/Processes");
    case!(w, processes.refresh, c => c.processes().refresh(), list);
    case!(w, processes.cached, c => { c.processes().invalidate(); c.processes().cached() }, list);
    case!(w, processes.by_code, c => { c.processes().invalidate(); c.processes().by_code(10) }, list);
    case!(w, processes.by_name, c => { c.processes().invalidate(); c.processes().by_name("ICT") }, list);
    case!(
        w,
        processes.test_operations,
        c => { c.processes().invalidate(); c.processes().test_operations() },
        list
    );
    case!(
        w,
        processes.repair_operations,
        c => { c.processes().invalidate(); c.processes().repair_operations() },
        list
    );
    case!(
        w,
        processes.wip_operations,
        c => { c.processes().invalidate(); c.processes().wip_operations() },
        list
    );
    case!(
        w,
        processes.is_valid_test_operation,
        c => { c.processes().invalidate(); c.processes().is_valid_test_operation(10) },
        list
    );
    case!(
        w,
        processes.is_valid_repair_operation,
        c => { c.processes().invalidate(); c.processes().is_valid_repair_operation(500) },
        list
    );
    case!(
        w,
        processes_internal.processes_detailed,
        c => c.processes().internal().processes_detailed(),
        Expect::new("GET", "/api/internal/Process/GetProcesses")
    );
    case!(
        w,
        processes_internal.process,
        c => c.processes().internal().process("g 1"),
        Expect::new("GET", "/api/internal/Process/GetProcess/g%201")
    );
    case!(
        w,
        processes_internal.process_opt,
        c => c.processes().internal().process_opt("g1"),
        Expect::new("GET", "/api/internal/Process/GetProcess/g1")
    );
    case!(
        w,
        processes_internal.repair_operation_configs,
        c => c.processes().internal().repair_operation_configs(),
        Expect::new("GET", "/api/internal/Process/GetRepairOperations")
    );
    case!(
        w,
        processes_internal.fail_codes,
        c => c.processes().internal().fail_codes(500),
        Expect::new("GET", "/api/internal/Process/GetRepairOperations")
    );
    case!(
        w,
        processes_internal.repair_operation,
        c => c.processes().internal().repair_operation("g1", 500),
        Expect::new("GET", "/api/internal/Process/GetRepairOperation/g1?processCode=500")
    );
}
