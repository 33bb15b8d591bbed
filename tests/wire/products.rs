use crate::{Expect, Wire, case};

pub async fn cases(w: &mut Wire) {
    case!(w, products.list, c => c.products().list(), Expect::new("GET", "/api/Product/Query"));
    case!(
        w,
        products.get,
        c => c.products().get("PCB 1/2"),
        Expect::new("GET", "/api/Product/PCB%201%2F2")
    );
    case!(
        w,
        products.get_opt,
        c => c.products().get_opt("PCB-1"),
        Expect::new("GET", "/api/Product/PCB-1")
    );
    case!(
        w,
        products.revision,
        c => c.products().revision("PCB-1", "A#1"),
        Expect::new("GET", "/api/Product/PCB-1/A%231")
    );
    case!(
        w,
        products.revision_opt,
        c => c.products().revision_opt("PCB-1", ".."),
        Expect::new("GET", "/api/Product/PCB-1/%2E%2E")
    );
}
