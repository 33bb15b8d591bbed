//! Paging a `$top`/`$skip` query over all its pages: a blocking [`PageIter`] and an async
//! [`PageStream`] (a `futures_core::Stream`).
//!
//! The query's own `$top` is the page size (a default when unset) and its `$skip` the
//! first row. A page shorter than the page size is the last one; an error ends the
//! sequence after it is yielded.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use wats_core::Result;

use crate::endpoint::Pending;

/// The page size used when the query sets no `$top`.
pub const DEFAULT_PAGE_SIZE: u32 = 500;

/// Where the next page starts.
#[derive(Debug, Clone, Copy)]
struct Cursor {
    page: u32,
    skip: u32,
    done: bool,
}

impl Cursor {
    fn new((top, skip): (Option<u32>, Option<u32>)) -> Self {
        Cursor {
            page: top.unwrap_or(DEFAULT_PAGE_SIZE).max(1),
            skip: skip.unwrap_or(0),
            done: false,
        }
    }

    /// Account for a page of `n` rows.
    fn advance(&mut self, n: usize) {
        if n < self.page as usize {
            self.done = true;
        }
        self.skip = self
            .skip
            .saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
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
            match (self.fetch)(self.cursor.page, self.cursor.skip) {
                Ok(rows) => {
                    self.cursor.advance(rows.len());
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

/// Every row of a paged query as an async `Stream` (the async client), fetched page by page
/// as it is polled. Yields `Err` once and then ends if a page fails. Without a `Stream`
/// combinator crate, [`next_item`](Self::next_item) reads it.
#[must_use = "streams do nothing unless polled"]
pub struct PageStream<T> {
    fetch: PageFetch<T>,
    cursor: Cursor,
    buf: VecDeque<T>,
    inflight: Option<Pin<Box<Pending<Vec<T>>>>>,
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
                self.inflight = Some(Box::pin((self.fetch)(self.cursor.page, self.cursor.skip)));
            }
            let Some(fut) = self.inflight.as_mut() else {
                continue;
            };
            match fut.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(result) => {
                    self.inflight = None;
                    match result {
                        Ok(rows) => {
                            self.cursor.advance(rows.len());
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
}
