//! SCIM 2.0 user calls: `client.scim()`.

use wats_core::{ScimListResponse, ScimPatch, ScimToken, ScimUser};

use crate::api::products_pages::PageStream;
use crate::endpoint::macros::calls;
use crate::endpoint::{Body, Caller, Pending, Prepared};
use crate::registry::{Exception, LeftToMockito};
use crate::stack::Answer;

calls! {
    /// SCIM user calls, from `client.scim()`.
    handle Scim, domain "scim";

    /// A SCIM bearer token for an identity provider, valid `duration_days` (the server's
    /// default, 90, when `None`) (`GET /api/SCIM/v2/Token`). The token is never logged and
    /// its `Debug` is redacted.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn token(duration_days: Option<u32>) -> ScimToken {
        GET "/api/SCIM/v2/Token";
        pywats "scim.get_token";
        query ["duration" = duration_days];
        answer json;
    }

    /// One page of users (`GET /api/SCIM/v2/Users`): a SCIM `filter` (`userName eq "ola"`),
    /// the 1-based `startIndex` and the page size `count`. See [`all_users`](Self::all_users).
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn users(filter: Option<&str>, start_index: Option<u32>, count: Option<u32>) -> ScimListResponse {
        GET "/api/SCIM/v2/Users";
        pywats "scim.get_users";
        query ["filter" = filter, "startIndex" = start_index, "count" = count];
        answer json;
        helpers [all_users, users_stream];
    }

    /// One user by id (`GET /api/SCIM/v2/Users/{id}`).
    ///
    /// # Errors
    /// [`wats_core::Error::NotFound`] (see [`user_opt`](Self::user_opt)); status, transport,
    /// timeout and decode errors.
    fn user(id: &str) -> ScimUser {
        GET "/api/SCIM/v2/Users/{id}";
        pywats "scim.get_user";
        path [id];
        answer json;
        opt user_opt;
    }

    /// One user by user name (`GET /api/SCIM/v2/Users/userName={userName}`).
    ///
    /// # Errors
    /// As [`user`](Self::user).
    fn user_by_name(user_name: &str) -> ScimUser {
        GET "/api/SCIM/v2/Users/userName={userName}";
        pywats "scim.get_user_by_username";
        path [user_name];
        answer json;
        opt user_by_name_opt;
    }

    /// Create a user (`POST /api/SCIM/v2/Users`); returns it with its id. pyWATS 0.6 fails
    /// here before sending anything; this sends the user as JSON.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn create_user(user: &ScimUser) -> ScimUser {
        POST "/api/SCIM/v2/Users";
        pywats "scim.create_user";
        body Body::json(user);
        answer json;
    }

    /// Change a user with a SCIM PatchOp (`PATCH /api/SCIM/v2/Users/{id}`); returns the
    /// user as changed. pyWATS 0.6 fails here before sending anything.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn patch_user(id: &str, patch: &ScimPatch) -> ScimUser {
        PATCH "/api/SCIM/v2/Users/{id}";
        pywats "scim.update_user";
        path [id];
        body Body::json(patch);
        answer json;
        helpers [set_user_active, deactivate_user, update_display_name];
    }

    /// Delete a user (`DELETE /api/SCIM/v2/Users/{id}`).
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    fn delete_user(id: &str) -> () {
        DELETE "/api/SCIM/v2/Users/{id}";
        pywats "scim.delete_user";
        path [id];
        answer unit;
    }
}

impl<'c, C: Caller> Scim<'c, C> {
    /// Set a user's `active` (a PatchOp `replace active`).
    ///
    /// # Errors
    /// As [`patch_user`](Self::patch_user).
    pub fn set_user_active(&self, id: &str, active: bool) -> C::Ret<'c, ScimUser> {
        self.patch_user(id, &ScimPatch::new().replace("active", active))
    }

    /// Deactivate a user (`active` = false).
    ///
    /// # Errors
    /// As [`patch_user`](Self::patch_user).
    pub fn deactivate_user(&self, id: &str) -> C::Ret<'c, ScimUser> {
        self.set_user_active(id, false)
    }

    /// Set a user's `displayName`.
    ///
    /// # Errors
    /// As [`patch_user`](Self::patch_user).
    pub fn update_display_name(&self, id: &str, display_name: &str) -> C::Ret<'c, ScimUser> {
        self.patch_user(id, &ScimPatch::new().replace("displayName", display_name))
    }

    /// Every user, fetched `page_size` at a time (`startIndex` 1, then on), stopping at
    /// `max_users` when given: pyWATS's `iter_users`, collected. One request per page; it
    /// stops at `totalResults`, or at a short or empty page.
    ///
    /// # Errors
    /// As [`users`](Self::users), from any page.
    pub fn all_users(&self, page_size: u32, max_users: Option<usize>) -> C::Ret<'c, Vec<ScimUser>> {
        let page = page_size.max(1);
        self.caller.run(move |client| async move {
            let mut out: Vec<ScimUser> = Vec::new();
            let mut start = 1_u32;
            loop {
                let list = client.scim().users(None, Some(start), Some(page)).await?;
                let total = list.total_results.value().copied();
                let rows = list.resources.into_option().unwrap_or_default();
                let n = rows.len();
                out.extend(rows);
                if let Some(max) = max_users {
                    if out.len() >= max {
                        out.truncate(max);
                        return Ok(out);
                    }
                }
                let done = n == 0
                    || n < page as usize
                    || total.is_some_and(|t| i64::try_from(out.len()).unwrap_or(i64::MAX) >= t);
                if done {
                    return Ok(out);
                }
                start = start.saturating_add(u32::try_from(n).unwrap_or(u32::MAX));
            }
        })
    }
}

/// The users of a SCIM list page by page, for the async client: each
/// [`next_page`](Self::next_page) is one `GET /api/SCIM/v2/Users` request, so only one page
/// is held at a time. Made by [`Scim::pages`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> wats_core::Result<()> {
/// let server = wats_mock::MockServer::start();
/// let client = wats_http::Client::builder().base_url(server.url()).token("dXNlcjpwYXNz").build()?;
/// for name in ["a", "b", "c"] {
///     client.scim().create_user(&wats_core::ScimUser::new(name)).await?;
/// }
/// let mut pages = client.scim().pages(2);
/// let mut seen = 0;
/// while let Some(page) = pages.next_page().await? {
///     seen += page.len();
/// }
/// assert_eq!(seen, 3);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct UserPages {
    client: crate::Client,
    page_size: u32,
    next_start: u32,
    done: bool,
}

impl UserPages {
    /// The next page of users, or `None` after the last one.
    ///
    /// # Errors
    /// As [`Scim::users`]; after an error the next call asks for the same page again.
    pub async fn next_page(&mut self) -> wats_core::Result<Option<Vec<ScimUser>>> {
        if self.done {
            return Ok(None);
        }
        let list = self
            .client
            .scim()
            .users(None, Some(self.next_start), Some(self.page_size))
            .await?;
        let total = list.total_results.value().copied();
        let rows = list.resources.into_option().unwrap_or_default();
        let n = u32::try_from(rows.len()).unwrap_or(u32::MAX);
        self.next_start = self.next_start.saturating_add(n);
        let seen = i64::from(self.next_start) - 1;
        self.done = n == 0 || n < self.page_size || total.is_some_and(|t| seen >= t);
        Ok(if rows.is_empty() { None } else { Some(rows) })
    }
}

/// A users page's rows (its `Resources`; none is an empty page).
fn page_rows(answer: wats_core::Result<Answer>) -> wats_core::Result<Vec<ScimUser>> {
    let list: ScimListResponse = crate::endpoint::answer::json(answer)?;
    Ok(list.resources.into_option().unwrap_or_default())
}

impl Scim<'_, crate::Client> {
    /// Every user (matching the SCIM `filter`, when given) as an async `Stream` (a
    /// [`PageStream`], read with a `Stream` combinator crate or
    /// [`next_item`](PageStream::next_item)), fetched `page_size` at a time as it is polled:
    /// `startIndex` 1, then on; a short page is the last. One page is held at a time.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> wats_core::Result<()> {
    /// let server = wats_mock::MockServer::start();
    /// let client = wats_http::Client::builder().base_url(server.url()).token("dXNlcjpwYXNz").build()?;
    /// for name in ["a", "b", "c"] {
    ///     client.scim().create_user(&wats_core::ScimUser::new(name)).await?;
    /// }
    /// let mut users = client.scim().users_stream(None, 2);
    /// let mut seen = 0;
    /// while let Some(user) = users.next_item().await {
    ///     user?;
    ///     seen += 1;
    /// }
    /// assert_eq!((seen, users.pages_fetched()), (3, 2));
    /// # Ok(()) }
    /// ```
    pub fn users_stream(&self, filter: Option<&str>, page_size: u32) -> PageStream<ScimUser> {
        let client = self.caller.clone();
        let filter = filter.map(str::to_owned);
        PageStream::new(
            (Some(page_size.max(1)), Some(0)),
            move |count, skip| -> Pending<Vec<ScimUser>> {
                let start = skip.saturating_add(1);
                let req = routes::users::request(filter.as_deref(), Some(start), Some(count));
                client.execute(Prepared::new(&client, req, page_rows))
            },
        )
    }

    /// Page through every user, `page_size` at a time (async client); see [`UserPages`].
    pub fn pages(&self, page_size: u32) -> UserPages {
        UserPages {
            client: self.caller.clone(),
            page_size: page_size.max(1),
            next_start: 1,
            done: false,
        }
    }
}

/// This domain's routes and query parameters outside the server's OpenAPI document.
pub(crate) static OUTSIDE_OPENAPI: &[Exception] = &[];

/// This domain's routes the mock leaves to `mockito` tests.
pub(crate) static LEFT_TO_MOCKITO: &[LeftToMockito] = &[];
