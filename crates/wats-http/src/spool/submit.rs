//! Submit a report, else keep it in the spool.

use bytes::Bytes;
use wats_core::{Error, Report, Result, SpoolFailed};

use crate::client::Client;
use crate::failure::Spool;
use crate::spool::errors::{blocking, disposition};
use crate::spool::{Post, SpoolOps, SpooledBecause, SubmitOutcome};

/// Give `report` an id if it has none (absent, `null` or empty): a fresh UUID from
/// [`wats_spool::new_id`]. An id already set is kept. Returns the id.
pub(crate) fn assign_id(report: &mut Report) -> &str {
    if report.id.as_str().is_none_or(str::is_empty) {
        report.id.set(wats_spool::new_id());
    }
    report.id.as_str().unwrap_or_default()
}

/// The id to spool under and the WSJF bytes, with the client's station filled in where the
/// report leaves it unset (as `submit` does). A report without an id gets one here, once,
/// before the first attempt: it is written into the bytes (the post and every replay carry
/// the same id) and returned, so the outcome shows it to the caller.
pub(crate) fn prepare(report: &Report, station: &wats_station::Station) -> Result<(String, Bytes)> {
    let existing = report.id.as_str().filter(|id| !id.is_empty());
    let (id, body) = match existing {
        Some(id) => (
            id.to_owned(),
            crate::station::encode_report(report, station)?,
        ),
        None => {
            let mut with_id = report.clone();
            let id = assign_id(&mut with_id).to_owned();
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

/// Post `wsjf` once with `post`. A 2xx is [`SubmitOutcome::Submitted`], with the report's
/// own `id` when the answer holds none (the [failure table](crate::failure) says
/// [`Spool::Delivered`]). When the table says [`Spool::Keep`], write it to the client's spool
/// under `id` and answer [`SubmitOutcome::Spooled`] (WATS unavailable) or
/// [`SubmitOutcome::Held`] (a set-up failure: 401, 403, 404, 407, ...). Any other failure is
/// returned and nothing is spooled; when spooling fails too (a full spool included),
/// [`Error::Spool`] carries the id and both causes.
pub(crate) async fn submit_or_spool(
    client: &Client,
    wsjf: Bytes,
    id: String,
    post: Post,
) -> Result<SubmitOutcome> {
    let submit = match post(client, wsjf.clone()).await {
        Ok(server_id) => return Ok(SubmitOutcome::Submitted(server_id)),
        Err(e) => match disposition(&e) {
            Spool::Delivered => {
                tracing::warn!(report_id = %id, answer = %e,
                    "WATS took the report (2xx) but its answer holds no readable id; delivered");
                return Ok(SubmitOutcome::Submitted(id));
            }
            Spool::Keep => e,
            _ => return Err(e),
        },
    };
    let handle = SpoolOps::new(client, post);
    let put = async {
        let spool = handle.open().await?;
        let key = id.clone();
        blocking(move || Ok(spool.put_entry(&key, &wsjf)?)).await
    };
    match put.await {
        Ok(_) => {
            let because = SpooledBecause::of(&submit);
            if because.needs_action() {
                tracing::error!(report_id = %id, error = %submit, %because,
                    "WATS refused the client; report spooled and held until the set-up is fixed");
                Ok(SubmitOutcome::Held {
                    id,
                    because,
                    message: submit.to_string(),
                })
            } else {
                tracing::warn!(report_id = %id, error = %submit, "WATS could not take the report; spooled");
                Ok(SubmitOutcome::Spooled(id))
            }
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

    #[test]
    fn assign_id_gives_one_id_once() {
        let mut report = Report::default();
        let first = assign_id(&mut report).to_owned();
        assert!(wats_spool::is_valid_id(&first));
        assert_eq!(assign_id(&mut report), first, "an id is never replaced");
        let station = wats_station::Station::new("st-9").unwrap();
        assert_eq!(prepare(&report, &station).unwrap().0, first);
        let mut empty = Report::default();
        empty.id.set(String::new());
        assert!(!assign_id(&mut empty).is_empty());
    }
}
