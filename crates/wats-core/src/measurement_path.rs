//! Measurement paths: the `measurementPaths` parameter of the measurement calls, built
//! from step paths written with `/`.

/// The `measurementPaths` parameter: one or more measurement paths built from step paths.
/// A step path is written with `/` between steps (`Main/Power/Voltage`) and sent with the
/// server's `¶` separator; the measurement of a multi-numeric step is named with
/// [`measurement`](Self::measurement) (sent after `¶¶`); several paths are sent
/// `;`-separated.
///
/// ```
/// use wats_core::filter::MeasurementPaths;
/// let p = MeasurementPaths::step("Main/Power/Voltage")
///     .and_step("Main/Multi")
///     .measurement("V1");
/// assert_eq!(p.as_str(), "Main¶Power¶Voltage;Main¶Multi¶¶V1");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct MeasurementPaths {
    paths: Vec<String>,
}

impl MeasurementPaths {
    /// One path: the step at `step_path` (`/` between steps).
    pub fn step(step_path: &str) -> Self {
        MeasurementPaths::default().and_step(step_path)
    }

    /// Add the step at `step_path`.
    pub fn and_step(mut self, step_path: &str) -> Self {
        let path: Vec<&str> = step_path
            .split('/')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect();
        self.paths.push(path.join("¶"));
        self
    }

    /// Name the measurement of the last added (multi-numeric) step.
    pub fn measurement(mut self, name: &str) -> Self {
        if let Some(last) = self.paths.last_mut() {
            last.push_str("¶¶");
            last.push_str(name);
        }
        self
    }

    /// A path already in the server's form (`¶`-separated), added as is.
    pub fn raw(mut self, path: &str) -> Self {
        self.paths.push(path.to_owned());
        self
    }

    /// The parameter value.
    pub fn as_str(&self) -> String {
        self.paths.join(";")
    }

    /// The paths, each in the server's form.
    pub fn paths(&self) -> &[String] {
        &self.paths
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measurement_paths() {
        let p = MeasurementPaths::step("MainSequence Callback/NI steps/Multi")
            .measurement("Measurement0")
            .and_step("/Main/Power/");
        assert_eq!(
            p.as_str(),
            "MainSequence Callback¶NI steps¶Multi¶¶Measurement0;Main¶Power"
        );
        assert_eq!(MeasurementPaths::default().raw("A¶B").as_str(), "A¶B");
    }
}
