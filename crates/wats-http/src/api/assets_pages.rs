//! Paging the asset list and the asset log with `$top`/`$skip`: `list_all` / `log_all`
//! (every row, either client), `list_iter` / `log_iter` (blocking, page by page) and
//! `list_stream` / `log_stream` (async `Stream`), on the shared [`PageIter`] and
//! [`PageStream`] of `products_pages.rs`. The query's `$top` is the page size
//! ([`DEFAULT_PAGE_SIZE`] when unset) and its `$skip` the first row; a short page is the
//! last.

use wats_core::{Asset, AssetLog, Result};

use super::{AssetLogQuery, AssetQuery, Assets};
use crate::Client;
#[allow(unused_imports, reason = "the doc links name `DEFAULT_PAGE_SIZE`")]
use crate::api::products_pages::DEFAULT_PAGE_SIZE;
use crate::api::products_pages::{PageIter, PageStream};
use crate::api::query::{Paged as _, paged_by_odata};
use crate::endpoint::Caller;

paged_by_odata!(AssetQuery, AssetLogQuery);

impl<'c, C: Caller> Assets<'c, C> {
    /// Every asset matching `query`, all pages (`$top` is the page size,
    /// [`DEFAULT_PAGE_SIZE`] when unset; `$skip` the start), in one `Vec`.
    ///
    /// # Errors
    /// The first failing page's error.
    pub fn list_all(&self, query: &AssetQuery) -> C::Ret<'c, Vec<Asset>> {
        let query = query.clone();
        self.caller.run(move |client| async move {
            PageStream::new(query.window(), move |top, skip| {
                Assets::new(&client).list(&query.page(top, skip))
            })
            .collect_all()
            .await
        })
    }

    /// Every log record matching `query`, all pages (`$top` is the page size,
    /// [`DEFAULT_PAGE_SIZE`] when unset; `$skip` the start), in one `Vec`. The server
    /// answers the newest 1000 records to a query without `$top`; this pages past them.
    ///
    /// # Errors
    /// The first failing page's error.
    pub fn log_all(&self, query: &AssetLogQuery) -> C::Ret<'c, Vec<AssetLog>> {
        let query = query.clone();
        self.caller.run(move |client| async move {
            PageStream::new(query.window(), move |top, skip| {
                Assets::new(&client).log(&query.page(top, skip))
            })
            .collect_all()
            .await
        })
    }
}

impl<'c, C> Assets<'c, C>
where
    C: Caller<Ret<'c, Vec<Asset>> = Result<Vec<Asset>>>,
{
    /// Every asset matching `query`, fetched page by page as the iterator advances
    /// (blocking clients). `$top` is the page size ([`DEFAULT_PAGE_SIZE`] when unset).
    pub fn list_iter(&self, query: &AssetQuery) -> PageIter<'c, Asset> {
        let caller: &'c C = self.caller;
        let query = query.clone();
        PageIter::new(query.window(), move |top, skip| {
            Assets::new(caller).list(&query.page(top, skip))
        })
    }
}

impl<'c, C> Assets<'c, C>
where
    C: Caller<Ret<'c, Vec<AssetLog>> = Result<Vec<AssetLog>>>,
{
    /// Every log record matching `query`, fetched page by page as the iterator advances
    /// (blocking clients). `$top` is the page size ([`DEFAULT_PAGE_SIZE`] when unset).
    pub fn log_iter(&self, query: &AssetLogQuery) -> PageIter<'c, AssetLog> {
        let caller: &'c C = self.caller;
        let query = query.clone();
        PageIter::new(query.window(), move |top, skip| {
            Assets::new(caller).log(&query.page(top, skip))
        })
    }
}

impl Assets<'_, Client> {
    /// Every asset matching `query` as an async `Stream`, fetched page by page as it is
    /// polled. `$top` is the page size ([`DEFAULT_PAGE_SIZE`] when unset).
    pub fn list_stream(&self, query: &AssetQuery) -> PageStream<Asset> {
        let client = self.caller.clone();
        let query = query.clone();
        PageStream::new(query.window(), move |top, skip| {
            Assets::new(&client).list(&query.page(top, skip))
        })
    }

    /// Every log record matching `query` as an async `Stream`, fetched page by page as it
    /// is polled. `$top` is the page size ([`DEFAULT_PAGE_SIZE`] when unset).
    pub fn log_stream(&self, query: &AssetLogQuery) -> PageStream<AssetLog> {
        let client = self.caller.clone();
        let query = query.clone();
        PageStream::new(query.window(), move |top, skip| {
            Assets::new(&client).log(&query.page(top, skip))
        })
    }
}
