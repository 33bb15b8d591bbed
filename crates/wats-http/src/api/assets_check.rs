//! What a station asks about its fixture on every run: "may I use it?" before, "count one
//! use" after. Built on the calls of [`Assets`](crate::Assets).

use chrono::{DateTime, FixedOffset, Utc};
use wats_core::{AlarmState, Asset, AssetState, AssetStatus, AssetType};

use super::{AssetKey, Assets};
use crate::endpoint::Caller;

/// Why a fixture may not be used now.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Blocker {
    /// The server reports the asset in alarm (`alarmState` 2), with its message if any.
    InAlarm {
        /// The status message.
        message: Option<String>,
    },
    /// The next calibration date has passed.
    CalibrationOverdue {
        /// When calibration was due.
        due: DateTime<FixedOffset>,
    },
    /// The next maintenance date has passed.
    MaintenanceOverdue {
        /// When maintenance was due.
        due: DateTime<FixedOffset>,
    },
    /// The running count reached its type's `runningCountLimit`.
    RunningCountLimit {
        /// The running count.
        count: i64,
        /// The limit.
        limit: i64,
    },
    /// The total count reached its type's `totalCountLimit`.
    TotalCountLimit {
        /// The total count.
        count: i64,
        /// The limit.
        limit: i64,
    },
    /// The asset is scrapped.
    Scrapped,
}

/// The answer to "may I use this fixture?": the asset, its status, and every reason it may
/// not be used (none: go ahead).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FixtureCheck {
    /// The asset as the server holds it.
    pub asset: Asset,
    /// Its status (alarm state).
    pub status: AssetStatus,
    /// Why it may not be used; empty when it may.
    pub blockers: Vec<Blocker>,
}

impl FixtureCheck {
    /// Judge an asset at `now`: not in alarm, calibration and maintenance not overdue, counts
    /// under the limits of `asset_type` (or of the type the asset embeds), not scrapped.
    pub fn evaluate(
        asset: Asset,
        status: AssetStatus,
        asset_type: Option<&AssetType>,
        now: DateTime<Utc>,
    ) -> FixtureCheck {
        let mut blockers = Vec::new();
        if status.alarm() == Some(AlarmState::Alarm) {
            blockers.push(Blocker::InAlarm {
                message: status.message.as_str().map(str::to_owned),
            });
        }
        if let Some(due) = asset.next_calibration().filter(|d| *d < now) {
            blockers.push(Blocker::CalibrationOverdue { due });
        }
        if let Some(due) = asset.next_maintenance().filter(|d| *d < now) {
            blockers.push(Blocker::MaintenanceOverdue { due });
        }
        let ty = asset_type.or(asset.asset_type.value());
        let limit = |l: Option<&i64>| l.copied().filter(|l| *l > 0);
        if let (Some(count), Some(limit)) = (
            asset.running_count.value().copied(),
            limit(ty.and_then(|t| t.running_count_limit.value())),
        ) {
            if count >= limit {
                blockers.push(Blocker::RunningCountLimit { count, limit });
            }
        }
        if let (Some(count), Some(limit)) = (
            asset.total_count.value().copied(),
            limit(ty.and_then(|t| t.total_count_limit.value())),
        ) {
            if count >= limit {
                blockers.push(Blocker::TotalCountLimit { count, limit });
            }
        }
        if asset.asset_state() == Some(AssetState::Scrapped) {
            blockers.push(Blocker::Scrapped);
        }
        FixtureCheck {
            asset,
            status,
            blockers,
        }
    }

    /// Whether the fixture may be used: no blocker.
    pub fn may_use(&self) -> bool {
        self.blockers.is_empty()
    }
}

impl<'c, C: Caller> Assets<'c, C> {
    /// The asset file store pyWATS uses (upload, download, list, delete). **Undocumented by
    /// the server; it may change without notice.**
    pub fn internal(&self) -> crate::AssetsInternal<'c, C> {
        crate::AssetsInternal::new(self.caller)
    }

    /// May this station use the fixture `serial_number` now? Reads the asset, its status
    /// and (when the asset does not embed it) its type; see [`FixtureCheck::evaluate`].
    ///
    /// # Errors
    /// [`wats_core::Error::NotFound`] for an unknown serial number; status, transport,
    /// timeout and decode errors.
    pub fn check_fixture(&self, serial_number: &str) -> C::Ret<'c, FixtureCheck> {
        self.check_fixture_at(serial_number, Utc::now())
    }

    /// [`check_fixture`](Self::check_fixture) judged at `now` (an injected clock).
    ///
    /// # Errors
    /// As [`check_fixture`](Self::check_fixture).
    pub fn check_fixture_at(
        &self,
        serial_number: &str,
        now: DateTime<Utc>,
    ) -> C::Ret<'c, FixtureCheck> {
        let serial = serial_number.to_owned();
        self.caller.run(move |client| async move {
            let assets = client.assets();
            let asset = assets.get_by_serial(&serial).await?;
            let status = assets.status(&AssetKey::serial(serial), None, None).await?;
            let ty = match (asset.asset_type.value(), asset.type_id.as_str()) {
                (None, Some(type_id)) => assets
                    .types()
                    .await?
                    .into_iter()
                    .find(|t| t.type_id.as_str() == Some(type_id)),
                _ => None,
            };
            Ok(FixtureCheck::evaluate(asset, status, ty.as_ref(), now))
        })
    }

    /// Count one use of the fixture `serial_number` (`PUT /api/Asset/Count` with
    /// `incrementBy=1`). Not retried automatically, so a use is never counted twice.
    ///
    /// # Errors
    /// Status, transport and timeout errors.
    pub fn count_use(&self, serial_number: &str) -> C::Ret<'c, ()> {
        self.increment_count(&AssetKey::serial(serial_number), 1, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn blockers() {
        let mut ty = AssetType::new("Fixture");
        ty.running_count_limit.set(100);
        let mut a = Asset::new("FX-1", "t");
        a.running_count.set(99);
        a.next_calibration_date
            .set("2026-02-01T00:00:00Z".to_owned());
        let now = at("2026-01-31T00:00:00Z");
        let ok = FixtureCheck::evaluate(a.clone(), AssetStatus::default(), Some(&ty), now);
        assert!(ok.may_use(), "{:?}", ok.blockers);

        a.running_count.set(100);
        let later = at("2026-02-02T00:00:00Z");
        let mut status = AssetStatus::default();
        status.alarm_state.set(2);
        let bad = FixtureCheck::evaluate(a, status, Some(&ty), later);
        assert!(!bad.may_use());
        assert_eq!(bad.blockers.len(), 3, "{:?}", bad.blockers);
        assert!(matches!(bad.blockers[0], Blocker::InAlarm { .. }));
        assert!(matches!(
            bad.blockers[1],
            Blocker::CalibrationOverdue { .. }
        ));
        assert_eq!(
            bad.blockers[2],
            Blocker::RunningCountLimit {
                count: 100,
                limit: 100
            }
        );
    }
}
