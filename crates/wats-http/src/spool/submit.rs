//! Submit a report, else keep it in the spool.

use bytes::Bytes;
use wats_core::{Error, Report, Result, SpoolFailed};

use crate::client::Client;
use crate::failure::Spool;
use crate::spool::errors::{blocking, disposition};
use crate::spool::{Post, SpoolOps, SubmitOutcome};

/// The id to spool under (assigning a fresh UUID to a report without one) and the WSJF bytes,
/// with the client's station filled in where the report leaves it unset (as `submit` does).
pub(crate) fn prepare(report: &Report, station: &wats_station::Station) -> Result<(String, Bytes)> {
    let existing = report.id.as_str().filter(|id| !id.is_empty());
    let (id, body) = match existing {
        Some(id) => (
            id.to_owned(),
            crate::station::encode_report(report, station)?,
        ),
        None => {
            let id = uuid::Uuid::new_v4().hyphenated().to_string();
            let mut with_id = report.clone();
            with_id.id.set(id.clone());
            with_id.fill_station(station.name(), station.location(), station.purpose());
            (id, wats_core::json::to_vec(&with_id)?)
        }
    };
    if !wats_spool::is_valid_id(&id) {
        return Err(Error::InvalidInput {
            field: "id".to_owned(),
            message: format!("{id:?} cannot name a spool file; use a GUID"),
        });
    }
    Ok((id, Bytes::from(body)))
}

/// Post `wsjf` once with `post`; when the [failure table](crate::failure) says
/// [`Spool::Keep`], write it to the client's spool under `id` and answer
/// [`SubmitOutcome::Spooled`]. Any other failure is returned and nothing is spooled; when
/// spooling fails too, [`Error::Spool`] carries both causes.
pub(crate) async fn submit_or_spool(
    client: &Client,
    wsjf: Bytes,
    id: String,
    post: Post,
) -> Result<SubmitOutcome> {
    let submit = match post(client, wsjf.clone()).await {
        Ok(server_id) => return Ok(SubmitOutcome::Submitted(server_id)),
        Err(e) if disposition(&e) == Spool::Keep => e,
        Err(e) => return Err(e),
    };
    let handle = SpoolOps::new(client, post);
    let put = async {
        let spool = handle.open().await?;
        let key = id.clone();
        blocking(move || spool.put(&key, &wsjf)).await
    };
    match put.await {
        Ok(_) => {
            tracing::warn!(report_id = %id, error = %submit, "WATS could not take the report; spooled");
            Ok(SubmitOutcome::Spooled(id))
        }
        Err(spool) => {
            tracing::error!(report_id = %id, submit_error = %submit, spool_error = %spool,
                "report could neither be submitted nor spooled");
            Err(SpoolFailed::new(id, submit, spool).into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepare_assigns_an_id_and_checks_it() {
        let station = wats_station::Station::new("st-9").unwrap();
        let report = Report::default();
        let (id, body) = prepare(&report, &station).unwrap();
        assert!(uuid::Uuid::parse_str(&id).is_ok());
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["id"], id.as_str());
        assert_eq!(
            v["machineName"], "ST-9",
            "the spooled bytes carry the station"
        );
        let mut bad = Report::default();
        bad.id.set("../x".to_owned());
        assert!(matches!(
            prepare(&bad, &station),
            Err(Error::InvalidInput { .. })
        ));
    }
}
