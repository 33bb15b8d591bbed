use wats_http::UnitQuery;

use crate::{Expect, Wire, case};

pub async fn cases(w: &mut Wire) {
    case!(
        w,
        production.get_unit,
        c => c.production().get_unit("A/B?C#D E", "P/1"),
        Expect::new("GET", "/api/Production/Unit/A%2FB%3FC%23D%20E/P%2F1")
    );
    case!(
        w,
        production.get_unit_opt,
        c => c.production().get_unit_opt("SN-1", "PCB-1"),
        Expect::new("GET", "/api/Production/Unit/SN-1/PCB-1")
    );
    case!(
        w,
        production.query_units,
        c => c.production().query_units(&UnitQuery::new().part_number("O'Neil").top(3)),
        Expect::new(
            "GET",
            "/api/Production/Unit/Query?%24filter=partNumber%20eq%20%27O%27%27Neil%27&%24top=3"
        )
    );
}
