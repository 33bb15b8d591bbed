use crate::{Expect, Wire, case};

pub async fn cases(w: &mut Wire) {
    case!(w, app.version, c => c.app().version(), Expect::new("GET", "/api/App/Version"));
}
