#[allow(unused_imports)]
use crate::{Expect, Wire, case};

pub async fn cases(_w: &mut Wire) {}
