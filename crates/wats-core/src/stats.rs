//! Local statistics on analytics answers: yield from counts, process capability (Cp, Cpk)
//! from a set of measurements and its limits, and a Pareto of failing steps. Hand-written:
//! each is a few lines of arithmetic, and a statistics crate would add a dependency for
//! mean and standard deviation only.

use std::collections::BTreeMap;

use crate::analytics::{MeasurementSeries, TopFailedStep, YieldRow};
use crate::header::ReportHeader;
use crate::value::NumOrStr;

/// Yield in percent: `passed / total * 100`; `None` when `total` is 0 or `passed > total`.
///
/// ```
/// assert_eq!(wats_core::stats::yield_percent(45, 50), Some(90.0));
/// assert_eq!(wats_core::stats::yield_percent(0, 0), None);
/// ```
pub fn yield_percent(passed: u64, total: u64) -> Option<f64> {
    if total == 0 || passed > total {
        return None;
    }
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    Some(passed as f64 * 100.0 / total as f64)
}

/// First-pass yield in percent: units that passed in their first run over units tested.
/// The same arithmetic as [`yield_percent`], named for what it counts.
pub fn first_pass_yield(first_pass_units: u64, units: u64) -> Option<f64> {
    yield_percent(first_pass_units, units)
}

fn count(v: &crate::value::Field<NumOrStr>) -> Option<u64> {
    v.value()
        .and_then(|n| n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)))
        .and_then(|n| u64::try_from(n).ok())
}

impl YieldRow {
    /// First-pass yield (percent) computed from `fpCount` and `unitCount`, whatever the
    /// server's rounding of `fpy`.
    pub fn computed_fpy(&self) -> Option<f64> {
        first_pass_yield(count(&self.fp_count)?, count(&self.unit_count)?)
    }

    /// Last-pass yield (percent) computed from `lpCount` and `unitCount`.
    pub fn computed_lpy(&self) -> Option<f64> {
        yield_percent(count(&self.lp_count)?, count(&self.unit_count)?)
    }
}

/// Unit counts of a set of runs (report headers): a unit is a (serial number, part number)
/// pair, its runs are ordered by start time; first pass means its first run passed, last
/// pass that its last run passed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnitYield {
    /// Units.
    pub units: u64,
    /// Units whose first run passed.
    pub first_pass: u64,
    /// Units whose last run passed.
    pub last_pass: u64,
    /// Runs (reports).
    pub runs: u64,
}

impl UnitYield {
    /// First-pass yield, percent.
    pub fn fpy(&self) -> Option<f64> {
        first_pass_yield(self.first_pass, self.units)
    }

    /// Last-pass yield, percent.
    pub fn lpy(&self) -> Option<f64> {
        yield_percent(self.last_pass, self.units)
    }
}

fn header_passed(h: &ReportHeader) -> bool {
    matches!(h.result.as_str(), Some("P" | "Passed"))
}

/// The [`UnitYield`] of report headers (for example the answer of a UUT report list).
pub fn unit_yield(headers: &[ReportHeader]) -> UnitYield {
    unit_yield_by(headers, |_| String::new())
        .into_values()
        .next()
        .unwrap_or_default()
}

/// [`UnitYield`] per group, the group of each header given by `key` (for example its
/// `stationName`).
pub fn unit_yield_by(
    headers: &[ReportHeader],
    key: impl Fn(&ReportHeader) -> String,
) -> BTreeMap<String, UnitYield> {
    type Runs<'a> = Vec<(
        Option<chrono::DateTime<chrono::FixedOffset>>,
        usize,
        &'a ReportHeader,
    )>;
    let mut groups: BTreeMap<String, BTreeMap<(String, String), Runs<'_>>> = BTreeMap::new();
    for (i, h) in headers.iter().enumerate() {
        let unit = (
            h.serial_number.as_str().unwrap_or("").to_owned(),
            h.part_number.as_str().unwrap_or("").to_owned(),
        );
        let start = h.start.as_str().and_then(crate::time::parse);
        groups
            .entry(key(h))
            .or_default()
            .entry(unit)
            .or_default()
            .push((start, i, h));
    }
    groups
        .into_iter()
        .map(|(k, units)| {
            let mut y = UnitYield::default();
            for mut runs in units.into_values() {
                runs.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
                y.units += 1;
                y.runs += runs.len() as u64;
                y.first_pass += u64::from(runs.first().is_some_and(|r| header_passed(r.2)));
                y.last_pass += u64::from(runs.last().is_some_and(|r| header_passed(r.2)));
            }
            (k, y)
        })
        .collect()
}

/// Process capability of a set of measurements.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct Capability {
    /// Number of values.
    pub n: usize,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (n - 1 in the denominator).
    pub stdev: f64,
    /// `(high - low) / 6σ`; `None` unless both limits are given.
    pub cp: Option<f64>,
    /// `min(high - mean, mean - low) / 3σ` over the limits given.
    pub cpk: Option<f64>,
}

/// Cp and Cpk of `values` against the limits (either may be absent: one-sided Cpk).
/// Non-finite values are skipped. `None` with fewer than two values, a zero standard
/// deviation, or no limit at all.
///
/// ```
/// // mean 5.0, stdev 0.1: Cp = 0.2 / 0.6, Cpk = min(0.1, 0.1) / 0.3
/// let c = wats_core::stats::capability([4.9, 5.0, 5.1], Some(4.8), Some(5.2)).unwrap();
/// assert!((c.cp.unwrap() - 2.0 / 3.0).abs() < 1e-12);
/// assert!((c.cpk.unwrap() - 2.0 / 3.0).abs() < 1e-12);
/// ```
pub fn capability(
    values: impl IntoIterator<Item = f64>,
    low: Option<f64>,
    high: Option<f64>,
) -> Option<Capability> {
    let v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
    if v.len() < 2 || (low.is_none() && high.is_none()) {
        return None;
    }
    #[allow(clippy::cast_precision_loss)]
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let stdev = var.sqrt();
    if stdev <= 0.0 || !stdev.is_finite() {
        return None;
    }
    let cp = match (low, high) {
        (Some(l), Some(h)) => Some((h - l) / (6.0 * stdev)),
        _ => None,
    };
    let upper = high.map(|h| (h - mean) / (3.0 * stdev));
    let lower = low.map(|l| (mean - l) / (3.0 * stdev));
    let cpk = match (lower, upper) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    Some(Capability {
        n: v.len(),
        mean,
        stdev,
        cp,
        cpk,
    })
}

impl MeasurementSeries {
    /// The numeric values (non-numeric and non-finite ones skipped).
    pub fn values(&self) -> Vec<f64> {
        self.measurements
            .items()
            .iter()
            .filter_map(|m| m.value.value().and_then(NumOrStr::as_f64))
            .filter(|x| x.is_finite())
            .collect()
    }

    /// Cp/Cpk of the values against the limits of the first point that has any
    /// (`limit1` low, `limit2` high).
    pub fn capability(&self) -> Option<Capability> {
        let points = self.measurements.items();
        let low = points
            .iter()
            .find_map(|m| m.limit1.value().and_then(NumOrStr::as_f64));
        let high = points
            .iter()
            .find_map(|m| m.limit2.value().and_then(NumOrStr::as_f64));
        capability(self.values(), low, high)
    }
}

/// One bar of a Pareto chart.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ParetoEntry {
    /// What failed (a step path or name).
    pub name: String,
    /// How often.
    pub count: u64,
    /// Share of all failures, percent.
    pub percent: f64,
    /// Running share up to and including this entry, percent.
    pub cumulative_percent: f64,
}

/// A Pareto of `(name, count)` pairs: counts of the same name added up, sorted by count
/// (highest first, then name), with each share and the running share.
pub fn pareto<S: Into<String>>(items: impl IntoIterator<Item = (S, u64)>) -> Vec<ParetoEntry> {
    let mut totals: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for (name, n) in items {
        *totals.entry(name.into()).or_default() += n;
    }
    let mut rows: Vec<(String, u64)> = totals.into_iter().filter(|(_, n)| *n > 0).collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let total: u64 = rows.iter().map(|r| r.1).sum();
    let mut running = 0;
    rows.into_iter()
        .map(|(name, count)| {
            running += count;
            ParetoEntry {
                name,
                count,
                percent: yield_percent(count, total).unwrap_or(0.0),
                cumulative_percent: yield_percent(running, total).unwrap_or(0.0),
            }
        })
        .collect()
}

/// A Pareto of top-failed rows, by step path (else step name), by `failCount`.
pub fn pareto_of_steps(rows: &[TopFailedStep]) -> Vec<ParetoEntry> {
    pareto(rows.iter().filter_map(|r| {
        let name = r.step_path.as_str().or(r.step_name.as_str())?;
        Some((name.to_owned(), count(&r.fail_count)?))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn yields_from_counts() {
        assert_eq!(yield_percent(3, 4), Some(75.0));
        assert_eq!(first_pass_yield(0, 7), Some(0.0));
        assert_eq!(yield_percent(5, 4), None);
        let row: YieldRow =
            serde_json::from_str(r#"{"unitCount":8,"fpCount":6,"lpCount":"7","fpy":75.1}"#)
                .unwrap();
        assert_eq!(row.computed_fpy(), Some(75.0));
        assert_eq!(row.computed_lpy(), Some(87.5));
    }

    #[test]
    fn unit_yield_from_headers() {
        // S1: F then P (ST1); S2: P (ST1); S3: F (ST2); S1 again at ST2: P.
        // All: 3 units; first pass S2 only (S1's first run is the 08:00 F) -> 1; last pass
        // S1 (P at 10:00), S2 -> 2.
        let headers: Vec<ReportHeader> = serde_json::from_str(
            r#"[
            {"serialNumber":"S1","partNumber":"P","result":"P","start":"2026-01-01T09:00:00+00:00","stationName":"ST1"},
            {"serialNumber":"S1","partNumber":"P","result":"F","start":"2026-01-01T08:00:00+00:00","stationName":"ST1"},
            {"serialNumber":"S2","partNumber":"P","result":"Passed","start":"2026-01-01T08:30:00+00:00","stationName":"ST1"},
            {"serialNumber":"S3","partNumber":"P","result":"F","start":"2026-01-01T08:40:00+00:00","stationName":"ST2"},
            {"serialNumber":"S1","partNumber":"P","result":"P","start":"2026-01-01T10:00:00+00:00","stationName":"ST2"}
            ]"#,
        )
        .unwrap();
        let all = unit_yield(&headers);
        assert_eq!(
            (all.units, all.first_pass, all.last_pass, all.runs),
            (3, 1, 2, 5)
        );
        assert!(close(all.fpy().unwrap(), 100.0 / 3.0));
        let by = unit_yield_by(&headers, |h| {
            h.station_name.as_str().unwrap_or("").to_owned()
        });
        // ST1: S1 (F, P), S2 (P): fp 1 of 2, lp 2 of 2. ST2: S3 (F), S1 (P): fp 1, lp 1.
        assert_eq!(
            (by["ST1"].units, by["ST1"].first_pass, by["ST1"].last_pass),
            (2, 1, 2)
        );
        assert_eq!(
            (by["ST2"].units, by["ST2"].first_pass, by["ST2"].last_pass),
            (2, 1, 1)
        );
        assert_eq!(by["ST2"].lpy(), Some(50.0));
        assert_eq!(unit_yield(&[]), UnitYield::default());
    }

    #[test]
    fn capability_matches_hand_computed_values() {
        // values 1,2,3,4,5: mean 3, sample variance 2.5, stdev 1.5811388300841898
        let s = 2.5_f64.sqrt();
        let c = capability([1.0, 2.0, 3.0, 4.0, 5.0], Some(0.0), Some(9.0)).unwrap();
        assert_eq!(c.n, 5);
        assert!(close(c.mean, 3.0));
        assert!(close(c.stdev, s));
        assert!(close(c.cp.unwrap(), 9.0 / (6.0 * s))); // 0.9486832980505138
        assert!(close(c.cpk.unwrap(), 3.0 / (3.0 * s))); // (3-0)/(3s) = 0.6324555320336759
        assert!(close(c.cpk.unwrap(), 0.632_455_532_033_675_9));
        let upper_only = capability([1.0, 2.0, 3.0, 4.0, 5.0], None, Some(9.0)).unwrap();
        assert_eq!(upper_only.cp, None);
        assert!(close(upper_only.cpk.unwrap(), 6.0 / (3.0 * s)));
        assert!(capability([1.0], Some(0.0), Some(2.0)).is_none());
        assert!(capability([2.0, 2.0], Some(0.0), Some(3.0)).is_none());
        assert!(capability([1.0, 2.0], None, None).is_none());
        let with_nan = capability([1.0, f64::NAN, 2.0, 3.0], Some(0.0), Some(4.0)).unwrap();
        assert_eq!(with_nan.n, 3);
    }

    #[test]
    fn series_capability_uses_its_limits() {
        let s: MeasurementSeries = serde_json::from_str(
            r#"{"measurements":[{"value":4.9,"limit1":4.5,"limit2":5.5},{"value":"5.0"},
                {"value":5.1},{"value":"NaN"}]}"#,
        )
        .unwrap();
        assert_eq!(s.values(), vec![4.9, 5.0, 5.1]);
        let c = s.capability().unwrap();
        // stdev 0.1: Cp = 1.0 / 0.6, Cpk = 0.5 / 0.3
        assert!(close(c.cp.unwrap(), 1.0 / 0.6));
        assert!(close(c.cpk.unwrap(), 0.5 / 0.3));
    }

    #[test]
    fn pareto_sorts_adds_and_accumulates() {
        let p = pareto([("B", 2), ("A", 5), ("C", 2), ("B", 1), ("D", 0)]);
        let names: Vec<&str> = p.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["A", "B", "C"]);
        assert_eq!(p[1].count, 3);
        assert!(close(p[0].percent, 50.0));
        assert!(close(p[1].cumulative_percent, 80.0));
        assert!(close(p[2].cumulative_percent, 100.0));
        let rows: Vec<TopFailedStep> = serde_json::from_str(
            r#"[{"stepName":"V","stepPath":"M¶V","failCount":1},
                {"stepName":"I","failCount":3},{"stepName":"X"}]"#,
        )
        .unwrap();
        let p = pareto_of_steps(&rows);
        assert_eq!(p.len(), 2);
        assert_eq!((p[0].name.as_str(), p[0].count), ("I", 3));
        assert!(close(p[1].percent, 25.0));
    }
}
