//! Paging a `$top`/`$skip` query over all its pages: a blocking [`PageIter`] and an async
//! [`PageStream`] (a `futures_core::Stream`).
//!
//! The query's own `$top` is the page size (a default when unset) and its `$skip` the
//! first row. A page shorter than the page size is the last one; an error ends the
//! sequence after it is yielded. `limit(n)` caps the rows: the page that reaches the cap
//! asks only for the rows left, and none is fetched after it.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use wats_core::Result;

use crate::endpoint::Pending;

/// The page size used when the query sets no `$top`.
pub const DEFAULT_PAGE_SIZE: u32 = 500;

/// A cap on the rows a pager yields (its `limit`), shared by [`PageIter`], [`PageStream`]
/// and the unit change feed: the page size it leaves, and rows counted against it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct RowLimit(Option<u64>);

impl RowLimit {
    /// The page size to ask for: `page`, or the rows left if fewer.
    pub(crate) fn page(self, page: u32) -> u32 {
        match self.0 {
            Some(left) => u32::try_from(left).map_or(page, |left| left.min(page)),
            None => page,
        }
    }

    /// Cap at `n` more rows, those in `buf` (already fetched) first: drops the buffered rows
    /// over the cap. Returns whether the cap is reached (no page may follow).
    pub(crate) fn set<T>(&mut self, n: u64, buf: &mut VecDeque<T>) -> bool {
        let buffered = buf.len() as u64;
        if n <= buffered {
            buf.truncate(usize::try_from(n).unwrap_or(usize::MAX));
            self.0 = Some(0);
        } else {
            self.0 = Some(n - buffered);
        }
        self.reached()
    }

    /// Count one row against the cap: `false` (count nothing) when the cap is reached.
    pub(crate) fn take(&mut self) -> bool {
        match self.0.as_mut() {
            Some(0) => false,
            Some(left) => {
                *left -= 1;
                true
            }
            None => true,
        }
    }

    /// Whether the cap is reached.
    pub(crate) fn reached(self) -> bool {
        self.0 == Some(0)
    }
}

/// Where the next page starts, and how many rows may still come.
#[derive(Debug, Clone, Copy)]
struct Cursor {
    page: u32,
    skip: u32,
    limit: RowLimit,
    done: bool,
}

impl Cursor {
    fn new((top, skip): (Option<u32>, Option<u32>)) -> Self {
        Cursor {
            page: top.unwrap_or(DEFAULT_PAGE_SIZE).max(1),
            skip: skip.unwrap_or(0),
            limit: RowLimit::default(),
            done: false,
        }
    }

    /// `$top` of the next page: the page size, or what the limit leaves if that is less.
    fn top(&self) -> u32 {
        self.limit.page(self.page)
    }

    /// At most `n` more rows, those in `buf` first.
    fn limit<T>(&mut self, n: u64, buf: &mut VecDeque<T>) {
        if self.limit.set(n, buf) {
            self.done = true;
        }
    }

    /// Account for a page of `rows` asked for with `$top = asked`; drop rows over the limit.
    fn advance<T>(&mut self, asked: u32, rows: &mut Vec<T>) {
        let n = rows.len();
        if n < asked as usize {
            self.done = true;
        }
        self.skip = self
            .skip
            .saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
        let keep = rows.iter().take_while(|_| self.limit.take()).count();
        rows.truncate(keep);
        if self.limit.reached() {
            self.done = true;
        }
    }
}

/// Every row of a paged query, fetched page by page as the iterator is advanced (blocking
/// clients). Yields `Err` once and then ends if a page fails.
#[must_use = "iterators do nothing unless advanced"]
pub struct PageIter<'c, T> {
    fetch: Box<dyn FnMut(u32, u32) -> Result<Vec<T>> + 'c>,
    cursor: Cursor,
    buf: VecDeque<T>,
    pages: u32,
}

impl<T> std::fmt::Debug for PageIter<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageIter")
            .field("skip", &self.cursor.skip)
            .field("pages", &self.pages)
            .finish_non_exhaustive()
    }
}

impl<'c, T> PageIter<'c, T> {
    pub(crate) fn new(
        window: (Option<u32>, Option<u32>),
        fetch: impl FnMut(u32, u32) -> Result<Vec<T>> + 'c,
    ) -> Self {
        PageIter {
            fetch: Box::new(fetch),
            cursor: Cursor::new(window),
            buf: VecDeque::new(),
            pages: 0,
        }
    }

    /// Pages fetched so far.
    pub fn pages_fetched(&self) -> u32 {
        self.pages
    }

    /// Yield at most `n` more rows: the page that reaches the limit asks the server only for
    /// the rows still wanted (`$top`), and no page is fetched after it. `limit(0)` fetches
    /// nothing more.
    pub fn limit(mut self, n: u64) -> Self {
        self.cursor.limit(n, &mut self.buf);
        self
    }
}

impl<T> Iterator for PageIter<'_, T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        loop {
            if let Some(item) = self.buf.pop_front() {
                return Some(Ok(item));
            }
            if self.cursor.done {
                return None;
            }
            self.pages += 1;
            let asked = self.cursor.top();
            match (self.fetch)(asked, self.cursor.skip) {
                Ok(mut rows) => {
                    self.cursor.advance(asked, &mut rows);
                    self.buf.extend(rows);
                }
                Err(e) => {
                    self.cursor.done = true;
                    return Some(Err(e));
                }
            }
        }
    }
}

type PageFetch<T> = Box<dyn FnMut(u32, u32) -> Pending<Vec<T>> + Send>;

/// A page request in flight (of a [`PageStream`] or the unit change feed).
pub(crate) type InFlightPage<T> = Pin<Box<Pending<Vec<T>>>>;

/// Every row of a paged query as an async `Stream` (the async client), fetched page by page
/// as it is polled. Yields `Err` once and then ends if a page fails. Without a `Stream`
/// combinator crate, [`next_item`](Self::next_item) reads it.
#[must_use = "streams do nothing unless polled"]
pub struct PageStream<T> {
    fetch: PageFetch<T>,
    cursor: Cursor,
    buf: VecDeque<T>,
    /// The page being fetched, with the `$top` it asked for.
    inflight: Option<(u32, InFlightPage<T>)>,
    pages: u32,
}

impl<T> std::fmt::Debug for PageStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageStream")
            .field("skip", &self.cursor.skip)
            .field("pages", &self.pages)
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static> PageStream<T> {
    pub(crate) fn new(
        window: (Option<u32>, Option<u32>),
        fetch: impl FnMut(u32, u32) -> Pending<Vec<T>> + Send + 'static,
    ) -> Self {
        PageStream {
            fetch: Box::new(fetch),
            cursor: Cursor::new(window),
            buf: VecDeque::new(),
            inflight: None,
            pages: 0,
        }
    }

    /// Pages fetched (or being fetched) so far.
    pub fn pages_fetched(&self) -> u32 {
        self.pages
    }

    /// Yield at most `n` more rows: the page that reaches the limit asks the server only for
    /// the rows still wanted (`$top`), and no page is fetched after it. `limit(0)` fetches
    /// nothing more (a page already in flight is dropped when the rows already read reach
    /// the limit).
    pub fn limit(mut self, n: u64) -> Self {
        self.cursor.limit(n, &mut self.buf);
        if self.cursor.done {
            self.inflight = None;
        }
        self
    }

    /// The next row, or `None` at the end.
    pub async fn next_item(&mut self) -> Option<Result<T>> {
        std::future::poll_fn(|cx| self.poll_item(cx)).await
    }

    /// Every remaining row; the first error stops it.
    ///
    /// # Errors
    /// The first page's error.
    pub async fn collect_all(mut self) -> Result<Vec<T>> {
        let mut out = Vec::new();
        while let Some(item) = self.next_item().await {
            out.push(item?);
        }
        Ok(out)
    }

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        loop {
            if let Some(item) = self.buf.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            if self.inflight.is_none() {
                if self.cursor.done {
                    return Poll::Ready(None);
                }
                self.pages += 1;
                let asked = self.cursor.top();
                self.inflight = Some((asked, Box::pin((self.fetch)(asked, self.cursor.skip))));
            }
            let Some((asked, fut)) = self.inflight.as_mut() else {
                continue;
            };
            let asked = *asked;
            match fut.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(result) => {
                    self.inflight = None;
                    match result {
                        Ok(mut rows) => {
                            self.cursor.advance(asked, &mut rows);
                            self.buf.extend(rows);
                        }
                        Err(e) => {
                            self.cursor.done = true;
                            return Poll::Ready(Some(Err(e)));
                        }
                    }
                }
            }
        }
    }
}

// No field is ever pinned in place (the in-flight page is boxed), so moving the stream is
// fine whatever `T` is.
impl<T> Unpin for PageStream<T> {}

impl<T: Send + 'static> futures_core::Stream for PageStream<T> {
    type Item = Result<T>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<T>>> {
        self.get_mut().poll_item(cx)
    }
}

/// The three ways to walk a `$top`/`$skip`-paged list call of a domain handle, declared once
/// per call: `$all` (every row in one `Vec`, either client), `$iter` (blocking clients, page
/// by page as the iterator advances) and `$stream` (the async client, a `Stream` fetched as it
/// is polled), all over [`PageStream`] / [`PageIter`] and the query's
/// [`Paged`](crate::api::query::Paged) window. Attributes before a line (doc comments) are
/// added to its `$all`.
///
/// ```text
/// paged_calls! {
///     Assets {
///         "asset": list(AssetQuery) -> Asset => list_all, list_iter, list_stream;
///     }
/// }
/// ```
macro_rules! paged_calls {
    ($domain:ident {
        $(
            $(#[$extra:meta])*
            $what:literal: $call:ident($query:ty) -> $item:ty => $all:ident, $iter:ident, $stream:ident;
        )+
    }) => {
        impl<'c, C: $crate::endpoint::Caller> $domain<'c, C> {
            $(
                #[doc = concat!(
                    "Every ", $what, " matching `query`, all pages, in one `Vec`: `$top` is \
                     the page size ([`DEFAULT_PAGE_SIZE`](crate::DEFAULT_PAGE_SIZE) when \
                     unset), `$skip` the first row; pages are asked for until one comes back \
                     shorter than the page size."
                )]
                $(#[$extra])*
                ///
                /// # Errors
                /// The first failing page's error.
                pub fn $all(&self, query: &$query) -> C::Ret<'c, Vec<$item>> {
                    let query = query.clone();
                    self.caller.run(move |client| async move {
                        $crate::api::products_pages::PageStream::new(
                            $crate::api::query::Paged::window(&query),
                            move |top, skip| {
                                $domain::new(&client)
                                    .$call(&$crate::api::query::Paged::page(&query, top, skip))
                            },
                        )
                        .collect_all()
                        .await
                    })
                }
            )+
        }

        $(
            impl<'c, C> $domain<'c, C>
            where
                C: $crate::endpoint::Caller<
                    Ret<'c, Vec<$item>> = ::wats_core::Result<Vec<$item>>,
                >,
            {
                #[doc = concat!(
                    "Every ", $what, " matching `query`, fetched page by page as the iterator \
                     advances (blocking clients): `$top` is the page size \
                     ([`DEFAULT_PAGE_SIZE`](crate::DEFAULT_PAGE_SIZE) when unset), `$skip` \
                     the first row. A failing page is yielded as an `Err` and ends it."
                )]
                pub fn $iter(
                    &self,
                    query: &$query,
                ) -> $crate::api::products_pages::PageIter<'c, $item> {
                    let caller: &'c C = self.caller;
                    let query = query.clone();
                    $crate::api::products_pages::PageIter::new(
                        $crate::api::query::Paged::window(&query),
                        move |top, skip| {
                            $domain::new(caller)
                                .$call(&$crate::api::query::Paged::page(&query, top, skip))
                        },
                    )
                }
            }
        )+

        impl $domain<'_, $crate::Client> {
            $(
                #[doc = concat!(
                    "Every ", $what, " matching `query` as an async `Stream`, fetched page by \
                     page as it is polled: `$top` is the page size \
                     ([`DEFAULT_PAGE_SIZE`](crate::DEFAULT_PAGE_SIZE) when unset), `$skip` \
                     the first row. A failing page is yielded as an `Err` and ends it."
                )]
                pub fn $stream(
                    &self,
                    query: &$query,
                ) -> $crate::api::products_pages::PageStream<$item> {
                    let client = self.caller.clone();
                    let query = query.clone();
                    $crate::api::products_pages::PageStream::new(
                        $crate::api::query::Paged::window(&query),
                        move |top, skip| {
                            $domain::new(&client)
                                .$call(&$crate::api::query::Paged::page(&query, top, skip))
                        },
                    )
                }
            )+
        }
    };
}

pub(crate) use paged_calls;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iter_pages_until_a_short_page_and_stops_after_an_error() {
        let rows: Vec<u32> = (0..7).collect();
        let mut calls = Vec::new();
        let it = PageIter::new((Some(3), Some(1)), |top, skip| {
            calls.push((top, skip));
            Ok(rows
                .iter()
                .copied()
                .skip(skip as usize)
                .take(top as usize)
                .collect())
        });
        let got: Vec<u32> = it.map(|r| r.unwrap()).collect();
        assert_eq!(got, [1, 2, 3, 4, 5, 6]);
        assert_eq!(
            calls,
            [(3, 1), (3, 4), (3, 7)],
            "6 rows: two full pages, then an empty one"
        );

        let mut n = 0;
        let mut it = PageIter::new((Some(2), None), |_, _| {
            n += 1;
            if n == 1 {
                Ok(vec![1, 2])
            } else {
                Err(wats_core::Error::InvalidInput {
                    field: "x".into(),
                    message: "boom".into(),
                })
            }
        });
        assert_eq!(it.next().unwrap().unwrap(), 1);
        assert_eq!(it.next().unwrap().unwrap(), 2);
        assert!(it.next().unwrap().is_err());
        assert!(it.next().is_none());
    }

    #[test]
    fn an_exact_multiple_ends_on_an_empty_page() {
        let mut calls = 0;
        let it = PageIter::new((Some(2), None), |_, skip| {
            calls += 1;
            Ok(if skip < 4 { vec![0, 0] } else { vec![] })
        });
        assert_eq!(it.count(), 4);
        assert_eq!(calls, 3);
    }

    #[test]
    fn the_stream_pages_through_poll_next() {
        use futures_core::Stream;
        let mut fetched = Vec::new();
        let mut stream = PageStream::new((Some(2), None), move |top, skip| {
            fetched.push(skip);
            let rows: Vec<u32> = (skip..5).take(top as usize).collect();
            Pending::ready(Ok(rows))
        });
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let mut got = Vec::new();
        while let Poll::Ready(Some(item)) = Pin::new(&mut stream).poll_next(&mut cx) {
            got.push(item.unwrap());
        }
        assert_eq!(got, [0, 1, 2, 3, 4]);
        assert_eq!(stream.pages_fetched(), 3);
        assert!(matches!(
            Pin::new(&mut stream).poll_next(&mut cx),
            Poll::Ready(None)
        ));
    }

    /// A fake server of `total` rows: the page that `$top` and `$skip` ask for.
    fn rows(total: u32, top: u32, skip: u32) -> Vec<u32> {
        (skip..total).take(top as usize).collect()
    }

    #[test]
    fn a_limit_shrinks_the_last_page_and_fetches_nothing_after_it() {
        let mut calls = Vec::new();
        let got: Vec<u32> = PageIter::new((Some(4), None), |top, skip| {
            calls.push((top, skip));
            Ok(rows(100, top, skip))
        })
        .limit(6)
        .map(|r| r.unwrap())
        .collect();
        assert_eq!(got, [0, 1, 2, 3, 4, 5]);
        assert_eq!(
            calls,
            [(4, 0), (2, 4)],
            "the second page asks for the 2 rows left"
        );

        // Fewer rows than the limit: the short page ends it, as without a limit.
        let mut calls = Vec::new();
        let got = PageIter::new((Some(4), None), |top, skip| {
            calls.push((top, skip));
            Ok(rows(5, top, skip))
        })
        .limit(50)
        .count();
        assert_eq!((got, calls), (5, vec![(4, 0), (4, 4)]));

        // A limit equal to the page size: one page, no empty page after it.
        let mut calls = 0;
        let got = PageIter::new((Some(4), None), |top, skip| {
            calls += 1;
            Ok(rows(100, top, skip))
        })
        .limit(4)
        .count();
        assert_eq!((got, calls), (4, 1));

        // limit(0): no request at all.
        let mut calls = 0;
        let got = PageIter::new((Some(4), None), |top, skip| {
            calls += 1;
            Ok(rows(100, top, skip))
        })
        .limit(0)
        .count();
        assert_eq!((got, calls), (0, 0));
    }

    #[test]
    fn a_limit_counts_rows_already_fetched_and_drops_rows_over_it() {
        // A server that answers more rows than `$top` asked for: the limit still holds.
        let mut it = PageIter::new((Some(5), None), |_, skip| Ok(rows(100, 8, skip)));
        assert_eq!(it.next().unwrap().unwrap(), 0);
        // 7 rows are buffered; at most 3 more.
        let rest: Vec<u32> = it.limit(3).map(|r| r.unwrap()).collect();
        assert_eq!(rest, [1, 2, 3]);
    }

    #[test]
    fn the_stream_takes_a_limit_too() {
        use futures_core::Stream;
        let mut asked = Vec::new();
        let mut stream = PageStream::new((Some(3), Some(2)), move |top, skip| {
            asked.push((top, skip));
            assert!(asked.len() <= 2, "no page after the limit: {asked:?}");
            Pending::ready(Ok(rows(100, top, skip)))
        })
        .limit(5);
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let mut got = Vec::new();
        while let Poll::Ready(Some(item)) = Pin::new(&mut stream).poll_next(&mut cx) {
            got.push(item.unwrap());
        }
        assert_eq!(got, [2, 3, 4, 5, 6]);
        assert_eq!(stream.pages_fetched(), 2);
    }
}
