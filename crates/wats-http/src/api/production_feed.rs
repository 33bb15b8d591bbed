//! The unit change feed: every page of `GET /api/Production/Units/Changes`, as a blocking
//! [`Iterator`] and an async [`Stream`].

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;
use wats_core::{Result, UnitChange};

use super::production::Production;
use super::products_pages::{InFlightPage, RowLimit};
use crate::client::Client;
use crate::endpoint::Caller;

/// Every unit change, page by page; made by
/// [`Production::changes`](super::production::Production::changes).
///
/// With the blocking client (whose calls return `Result<T>`) it is an [`Iterator`] of
/// `Result<UnitChange>`; with the async [`Client`] a [`Stream`] of the same items. A page
/// error is yielded once and ends the feed. The feed asks for the next page only when the
/// current one is used up, and stops at a page shorter than `page_size` or one that brings
/// no change it has not yielded already (so a server that ignores `$skip` cannot make it
/// loop).
#[must_use = "a feed does nothing until iterated"]
pub struct UnitChangeFeed<'c, C = Client> {
    handle: Production<'c, C>,
    page_size: u32,
    skip: u32,
    seen: HashSet<i64>,
    buffer: VecDeque<UnitChange>,
    /// Changes still wanted ([`limit`](Self::limit)).
    limit: RowLimit,
    done: bool,
    /// The page being fetched, with the `maxCount` it asked for.
    in_flight: Option<(u32, InFlightPage<UnitChange>)>,
}

impl<C> fmt::Debug for UnitChangeFeed<'_, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UnitChangeFeed")
            .field("page_size", &self.page_size)
            .field("skip", &self.skip)
            .field("buffered", &self.buffer.len())
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<'c, C: Caller> UnitChangeFeed<'c, C> {
    pub(crate) fn new(handle: Production<'c, C>, page_size: u32) -> Self {
        UnitChangeFeed {
            handle,
            page_size: page_size.max(1),
            skip: 0,
            seen: HashSet::new(),
            buffer: VecDeque::new(),
            limit: RowLimit::default(),
            done: false,
            in_flight: None,
        }
    }

    /// Yield at most `n` more changes: the page that reaches the limit asks the server only
    /// for the changes still wanted (`maxCount`), and no page is fetched after it.
    /// `limit(0)` fetches nothing more.
    pub fn limit(mut self, n: u64) -> Self {
        if self.limit.set(n, &mut self.buffer) {
            self.done = true;
            self.in_flight = None;
        }
        self
    }

    /// `maxCount` of the next page: the page size, or what the limit leaves if less.
    fn next_count(&self) -> u32 {
        self.limit.page(self.page_size)
    }

    /// The `$skip` of the next page, or `None` for the first.
    fn next_skip(&self) -> Option<u32> {
        (self.skip > 0).then_some(self.skip)
    }

    /// Take in one page (asked for with `maxCount = asked`): queue its new changes, up to
    /// the limit, and decide whether another page follows.
    fn take_page(&mut self, asked: u32, page: Vec<UnitChange>) {
        let len = u32::try_from(page.len()).unwrap_or(u32::MAX);
        self.skip = self.skip.saturating_add(len);
        let mut fresh = 0;
        for change in page {
            if self.limit.reached() {
                break;
            }
            let new = match change.id.value() {
                Some(id) => self.seen.insert(*id),
                None => true,
            };
            if new && self.limit.take() {
                fresh += 1;
                self.buffer.push_back(change);
            }
        }
        if len < asked || fresh == 0 || self.limit.reached() {
            self.done = true;
        }
    }
}

impl<'c, C> Iterator for UnitChangeFeed<'c, C>
where
    C: Caller<Ret<'c, Vec<UnitChange>> = Result<Vec<UnitChange>>> + 'c,
{
    type Item = Result<UnitChange>;

    fn next(&mut self) -> Option<Result<UnitChange>> {
        loop {
            if let Some(change) = self.buffer.pop_front() {
                return Some(Ok(change));
            }
            if self.done {
                return None;
            }
            let asked = self.next_count();
            match self.handle.unit_changes(asked, self.next_skip()) {
                Ok(page) => self.take_page(asked, page),
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
    }
}

impl Stream for UnitChangeFeed<'_, Client> {
    type Item = Result<UnitChange>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<UnitChange>>> {
        let this = self.get_mut();
        loop {
            if let Some(change) = this.buffer.pop_front() {
                return Poll::Ready(Some(Ok(change)));
            }
            if this.done {
                return Poll::Ready(None);
            }
            let skip = this.next_skip();
            let asked = this.next_count();
            let (asked, fut) = this
                .in_flight
                .get_or_insert_with(|| (asked, Box::pin(this.handle.unit_changes(asked, skip))));
            let asked = *asked;
            match fut.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(result) => {
                    this.in_flight = None;
                    match result {
                        Ok(page) => this.take_page(asked, page),
                        Err(e) => {
                            this.done = true;
                            return Poll::Ready(Some(Err(e)));
                        }
                    }
                }
            }
        }
    }
}
