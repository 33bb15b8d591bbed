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
}
