//! Production units: `client.units()`.

use wats_core::{Result, Unit};

use crate::api::query::UnitQuery;
use crate::client::{Client, not_found_as_none};
use crate::url::push_segment;

/// Unit calls, from [`Client::units`].
#[derive(Debug, Clone, Copy)]
pub struct Units<'a> {
    client: &'a Client,
}

impl Client {
    /// Production unit calls: get, query.
    pub fn units(&self) -> Units<'_> {
        Units { client: self }
    }
}

impl Units<'_> {
    /// One unit (`GET /api/Production/Unit/{serialNumber}/{partNumber}`). Both
    /// values are percent-encoded as path segments, so `/`, `?`, `#` or spaces in a
    /// serial number reach the right route.
    ///
    /// # Errors
    /// [`wats_core::Error::NotFound`] for an unknown unit (see
    /// [`get_opt`](Self::get_opt)); [`wats_core::Error::InvalidInput`] for an empty
    /// serial or part number; status, transport, timeout and decode errors.
    pub async fn get(&self, serial_number: &str, part_number: &str) -> Result<Unit> {
        let mut path = String::from("/api/Production/Unit");
        push_segment(&mut path, serial_number, "serialNumber")?;
        push_segment(&mut path, part_number, "partNumber")?;
        self.client
            .get_json(
                "/api/Production/Unit/{serialNumber}/{partNumber}",
                &path,
                "",
            )
            .await
    }

    /// Like [`get`](Self::get), but a 404 is `Ok(None)`.
    ///
    /// # Errors
    /// As [`get`](Self::get), except `NotFound`.
    pub async fn get_opt(&self, serial_number: &str, part_number: &str) -> Result<Option<Unit>> {
        not_found_as_none(self.get(serial_number, part_number).await)
    }

    /// Query units (`GET /api/Production/Unit/Query` with `$filter`, `$top`,
    /// `$orderby`). An empty answer is an empty list.
    ///
    /// # Errors
    /// Status, transport, timeout and decode errors.
    pub async fn query(&self, query: &UnitQuery) -> Result<Vec<Unit>> {
        self.client
            .get_list(
                "/api/Production/Unit/Query",
                "/api/Production/Unit/Query",
                query.to_query().as_str(),
            )
            .await
    }
}
