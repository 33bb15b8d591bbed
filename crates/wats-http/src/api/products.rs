//! Products: `client.products()`.

use wats_core::{Product, ProductRevision, Result};

use crate::client::{Client, not_found_as_none};
use crate::url::push_segment;

/// Product calls, from [`Client::products`].
#[derive(Debug, Clone, Copy)]
pub struct Products<'a> {
    client: &'a Client,
}

impl Client {
    /// Product calls: list, get, revision.
    pub fn products(&self) -> Products<'_> {
        Products { client: self }
    }
}

impl Products<'_> {
    /// All products (`GET /api/Product/Query`), light rows. An empty answer is an
    /// empty list.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    pub async fn list(&self) -> Result<Vec<Product>> {
        self.client
            .get_list("/api/Product/Query", "/api/Product/Query", "")
            .await
    }

    /// One product with its revisions (`GET /api/Product/{partNumber}`).
    ///
    /// # Errors
    /// [`wats_core::Error::NotFound`] for an unknown part number (see
    /// [`get_opt`](Self::get_opt)); status, transport, timeout and decode errors.
    pub async fn get(&self, part_number: &str) -> Result<Product> {
        let mut path = String::from("/api/Product");
        push_segment(&mut path, part_number, "partNumber")?;
        self.client
            .get_json("/api/Product/{partNumber}", &path, "")
            .await
    }

    /// Like [`get`](Self::get), but a 404 is `Ok(None)`.
    ///
    /// # Errors
    /// As [`get`](Self::get), except `NotFound`.
    pub async fn get_opt(&self, part_number: &str) -> Result<Option<Product>> {
        not_found_as_none(self.get(part_number).await)
    }

    /// One product revision (`GET /api/Product/{partNumber}/{revision}`).
    ///
    /// # Errors
    /// [`wats_core::Error::NotFound`] for an unknown part number or revision;
    /// status, transport, timeout and decode errors.
    pub async fn revision(&self, part_number: &str, revision: &str) -> Result<ProductRevision> {
        let mut path = String::from("/api/Product");
        push_segment(&mut path, part_number, "partNumber")?;
        push_segment(&mut path, revision, "revision")?;
        self.client
            .get_json("/api/Product/{partNumber}/{revision}", &path, "")
            .await
    }

    /// Like [`revision`](Self::revision), but a 404 is `Ok(None)`.
    ///
    /// # Errors
    /// As [`revision`](Self::revision), except `NotFound`.
    pub async fn revision_opt(
        &self,
        part_number: &str,
        revision: &str,
    ) -> Result<Option<ProductRevision>> {
        not_found_as_none(self.revision(part_number, revision).await)
    }
}
