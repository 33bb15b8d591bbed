//! Paging the asset list and the asset log with `$top`/`$skip`: `list_all` / `log_all`
//! (every row, either client), `list_iter` / `log_iter` (blocking, page by page) and
//! `list_stream` / `log_stream` (async `Stream`), declared by `paged_calls!` over the
//! shared `PageIter` and `PageStream` of `products_pages.rs`. The query's `$top` is the page size
//! ([`DEFAULT_PAGE_SIZE`] when unset) and its `$skip` the first row; a short page is the
//! last.

use wats_core::{Asset, AssetLog};

use super::{AssetLogQuery, AssetQuery, Assets};
#[allow(unused_imports, reason = "the doc links name `DEFAULT_PAGE_SIZE`")]
use crate::api::products_pages::DEFAULT_PAGE_SIZE;
use crate::api::products_pages::paged_calls;
use crate::api::query::paged_by_odata;

paged_by_odata!(AssetQuery, AssetLogQuery);

paged_calls! {
    Assets {
        "asset": list(AssetQuery) -> Asset => list_all, list_iter, list_stream;
        ///
        /// The server answers the newest 1000 records to a query without `$top`; this pages
        /// past them.
        "log record": log(AssetLogQuery) -> AssetLog => log_all, log_iter, log_stream;
    }
}
