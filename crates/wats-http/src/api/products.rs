//! Products: `client.products()`.

use wats_core::{Product, ProductRevision};

use crate::endpoint::macros::calls;
use crate::registry::{Exception, LeftToMockito};

calls! {
    /// Product calls, from `client.products()`: list, get, revision.
    handle Products, domain "products";

    /// All products (`GET /api/Product/Query`), light rows. An empty answer is an empty
    /// list.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    fn list() -> Vec<Product> {
        GET "/api/Product/Query";
        pywats "product.get_products";
        answer list;
    }

    /// One product with its revisions (`GET /api/Product/{partNumber}`).
    ///
    /// # Errors
    /// [`wats_core::Error::NotFound`] for an unknown part number (see
    /// [`get_opt`](Self::get_opt)); [`wats_core::Error::InvalidInput`] for an empty part
    /// number (nothing sent); status, transport, timeout and decode errors.
    fn get(part_number: &str) -> Product {
        GET "/api/Product/{partNumber}";
        pywats "product.get_product";
        path [part_number];
        answer json;
        opt get_opt;
    }

    /// One product revision (`GET /api/Product/{partNumber}/{revision}`).
    ///
    /// # Errors
    /// [`wats_core::Error::NotFound`] for an unknown part number or revision (see
    /// [`revision_opt`](Self::revision_opt)); status, transport, timeout and decode errors.
    fn revision(part_number: &str, revision: &str) -> ProductRevision {
        GET "/api/Product/{partNumber}/{revision}";
        pywats "product.get_revision";
        path [part_number, revision];
        answer json;
        opt revision_opt;
    }
}

/// This domain's routes and query parameters outside the server's OpenAPI document.
pub(crate) static OUTSIDE_OPENAPI: &[Exception] = &[];

/// This domain's routes the mock leaves to `mockito` tests.
pub(crate) static LEFT_TO_MOCKITO: &[LeftToMockito] = &[];
