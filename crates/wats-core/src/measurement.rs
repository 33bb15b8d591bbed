//! Measurements carried by test steps: `numericMeas`, `booleanMeas`, `stringMeas`.

use crate::codes::{Coded, CompOp, Status};
use crate::value::{NumOrStr, model};

model! {
    /// One numeric measurement (`numericMeas[]` item) with its limits.
    pub struct NumericMeas {
        /// `name`: required in multi-numeric steps.
        name: String => "name",
        /// `status`: P/F/...
        status: Coded<Status> => "status",
        /// `value`: a number, or a string such as `"NaN"`.
        value: NumOrStr => "value",
        /// `valueFormat`: display format of the value.
        value_format: String => "valueFormat",
        /// `unit`.
        unit: String => "unit",
        /// `compOp`: comparison operator, written back as received.
        comp_op: Coded<CompOp> => "compOp",
        /// `lowLimit` (also the single limit of `EQ`..`LE`).
        low_limit: NumOrStr => "lowLimit",
        /// `lowLimitFormat`.
        low_limit_format: String => "lowLimitFormat",
        /// `highLimit`.
        high_limit: NumOrStr => "highLimit",
        /// `highLimitFormat`.
        high_limit_format: String => "highLimitFormat",
    }
}

impl NumericMeas {
    /// A measurement with its status evaluated from the operator and limits
    /// (`P` or `F`; `D` when the operator cannot be evaluated, e.g. `EQT`).
    pub fn new(value: f64, comp_op: CompOp, low: Option<f64>, high: Option<f64>) -> Self {
        let status = match comp_op.evaluate(value, low, high) {
            Some(true) => Status::Passed,
            Some(false) => Status::Failed,
            None => Status::Done,
        };
        let mut m = NumericMeas {
            status: Coded::new(status).into(),
            value: NumOrStr::from_f64(value).into(),
            comp_op: Coded::new(comp_op).into(),
            ..Default::default()
        };
        if let Some(l) = low {
            m.low_limit = NumOrStr::from_f64(l).into();
        }
        if let Some(h) = high {
            m.high_limit = NumOrStr::from_f64(h).into();
        }
        m
    }

    /// Set the name (builder style).
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into().into();
        self
    }

    /// Set the unit (builder style).
    #[must_use]
    pub fn with_unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = unit.into().into();
        self
    }

    /// The value as `f64` (strings such as `"NaN"` are parsed).
    pub fn value_f64(&self) -> Option<f64> {
        self.value.value().and_then(NumOrStr::as_f64)
    }

    /// The low limit as `f64`.
    pub fn low_limit_f64(&self) -> Option<f64> {
        self.low_limit.value().and_then(NumOrStr::as_f64)
    }

    /// The high limit as `f64`.
    pub fn high_limit_f64(&self) -> Option<f64> {
        self.high_limit.value().and_then(NumOrStr::as_f64)
    }

    /// The comparison operator, when present and recognised.
    pub fn comp_op(&self) -> Option<CompOp> {
        self.comp_op.value().and_then(Coded::kind)
    }

    /// The status, when present and recognised.
    pub fn status(&self) -> Option<Status> {
        self.status.value().and_then(Coded::kind)
    }
}

model! {
    /// One pass/fail measurement (`booleanMeas[]` item).
    pub struct BooleanMeas {
        /// `name`: required in multi pass/fail steps.
        name: String => "name",
        /// `status`.
        status: Coded<Status> => "status",
        /// `value`: the boolean outcome (server exports omit it).
        value: bool => "value",
    }
}

impl BooleanMeas {
    /// A measurement with status `P` or `F` from `passed`.
    pub fn new(passed: bool) -> Self {
        let status = if passed {
            Status::Passed
        } else {
            Status::Failed
        };
        BooleanMeas {
            status: Coded::new(status).into(),
            value: passed.into(),
            ..Default::default()
        }
    }

    /// Set the name (builder style).
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into().into();
        self
    }

    /// The status, when present and recognised.
    pub fn status(&self) -> Option<Status> {
        self.status.value().and_then(Coded::kind)
    }
}

model! {
    /// One string measurement (`stringMeas[]` item).
    pub struct StringMeas {
        /// `name`: required in multi string steps.
        name: String => "name",
        /// `status`.
        status: Coded<Status> => "status",
        /// `value`: the measured string (whitespace kept).
        value: String => "value",
        /// `compOp`: `CASESENSIT`, `IGNORECASE`, `LOG`, ...
        comp_op: Coded<CompOp> => "compOp",
        /// `limit`: the expected string.
        limit: String => "limit",
    }
}

impl StringMeas {
    /// A measurement with its status evaluated from the operator and limit
    /// (`D` when the operator is not a string operator).
    pub fn new(value: impl Into<String>, comp_op: CompOp, limit: Option<&str>) -> Self {
        let value = value.into();
        let status = match comp_op.evaluate_str(&value, limit) {
            Some(true) => Status::Passed,
            Some(false) => Status::Failed,
            None => Status::Done,
        };
        let mut m = StringMeas {
            status: Coded::new(status).into(),
            value: value.into(),
            comp_op: Coded::new(comp_op).into(),
            ..Default::default()
        };
        if let Some(l) = limit {
            m.limit = l.into();
        }
        m
    }

    /// Set the name (builder style).
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into().into();
        self
    }

    /// The comparison operator, when present and recognised.
    pub fn comp_op(&self) -> Option<CompOp> {
        self.comp_op.value().and_then(Coded::kind)
    }

    /// The status, when present and recognised.
    pub fn status(&self) -> Option<Status> {
        self.status.value().and_then(Coded::kind)
    }
}
