//! WATS code enums (status, comparison operator, step group, report type) and
//! [`Coded`], which parses them leniently and writes back the exact spelling received.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};

/// An enum with a canonical WATS spelling and a lenient parser.
pub trait WatsCode: Copy + Eq + fmt::Debug + 'static {
    /// Parse any accepted spelling (case-insensitive); `None` if unknown.
    fn parse(s: &str) -> Option<Self>;
    /// The canonical spelling WATS uses on the wire.
    fn code(self) -> &'static str;
}

/// A coded value as it appeared on the wire: its meaning (when recognised) and its
/// exact spelling.
///
/// Parsing is lenient (`"ignorecase"`, `"IgnoreCase"` and `"IGNORECASE"` are all
/// [`CompOp::IgnoreCase`]); output repeats the spelling received, so a round trip
/// changes nothing. Values built in code use the canonical spelling. Unknown
/// spellings are kept too ([`Coded::kind`] is then `None`).
///
/// ```
/// use wats_core::{Coded, CompOp};
/// let op: Coded<CompOp> = serde_json::from_str("\"IgnoreCase\"").unwrap();
/// assert_eq!(op.kind(), Some(CompOp::IgnoreCase));
/// assert_eq!(serde_json::to_string(&op).unwrap(), "\"IgnoreCase\"");
/// assert_eq!(Coded::new(CompOp::IgnoreCase).as_str(), "IGNORECASE");
/// ```
#[derive(Clone)]
pub struct Coded<E> {
    kind: Option<E>,
    /// The received spelling when it differs from `kind.code()` (or `kind` is None).
    raw: Option<Box<str>>,
}

impl<E: WatsCode> Coded<E> {
    /// A value with the canonical spelling.
    pub fn new(kind: E) -> Self {
        Coded {
            kind: Some(kind),
            raw: None,
        }
    }

    /// Parse a spelling, keeping it for output.
    pub fn parse(s: &str) -> Self {
        let kind = E::parse(s);
        let raw = match kind {
            Some(k) if k.code() == s => None,
            _ => Some(Box::from(s)),
        };
        Coded { kind, raw }
    }

    /// The meaning, when the spelling is recognised.
    pub fn kind(&self) -> Option<E> {
        self.kind
    }

    /// The exact spelling that is written back.
    pub fn as_str(&self) -> &str {
        match (&self.raw, self.kind) {
            (Some(raw), _) => raw,
            (None, Some(k)) => k.code(),
            (None, None) => "",
        }
    }
}

impl<E: WatsCode> From<E> for Coded<E> {
    fn from(kind: E) -> Self {
        Coded::new(kind)
    }
}

impl<E: WatsCode> PartialEq for Coded<E> {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl<E: WatsCode> PartialEq<E> for Coded<E> {
    fn eq(&self, other: &E) -> bool {
        self.kind == Some(*other)
    }
}

impl<E: WatsCode> Eq for Coded<E> {}

impl<E: WatsCode> fmt::Debug for Coded<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Some(k) if self.raw.is_none() => k.fmt(f),
            _ => write!(f, "{:?}({:?})", self.kind, self.as_str()),
        }
    }
}

impl<E: WatsCode> fmt::Display for Coded<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<E: WatsCode> Serialize for Coded<E> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<E: WatsCode> crate::value::Lenient<'_> for Coded<E> {
    fn from_str(v: &str) -> Option<Self> {
        Some(Coded::parse(v))
    }
}

impl<'de, E: WatsCode> Deserialize<'de> for Coded<E> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<E>(PhantomData<E>);
        impl<E: WatsCode> Visitor<'_> for V<E> {
            type Value = Coded<E>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a code string")
            }
            fn visit_str<Er: de::Error>(self, v: &str) -> Result<Coded<E>, Er> {
                Ok(Coded::parse(v))
            }
        }
        deserializer.deserialize_str(V(PhantomData))
    }
}

macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal $(| $alias:literal)* , )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
        }

        impl WatsCode for $name {
            fn parse(s: &str) -> Option<Self> {
                let t = s.trim();
                $(
                    if t.eq_ignore_ascii_case($code) $(|| t.eq_ignore_ascii_case($alias))* {
                        return Some($name::$variant);
                    }
                )*
                None
            }
            fn code(self) -> &'static str {
                match self {
                    $( $name::$variant => $code, )*
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }

        impl std::str::FromStr for $name {
            type Err = crate::Error;
            fn from_str(s: &str) -> crate::Result<Self> {
                <$name as WatsCode>::parse(s).ok_or_else(|| crate::Error::InvalidInput {
                    field: stringify!($name).to_owned(),
                    message: format!("unknown code `{s}`"),
                })
            }
        }
    };
}

code_enum! {
    /// Status of a step, a measurement, or the result of a report.
    ///
    /// Input accepts the letter, the full name and common aliases in any case
    /// (`P`, `Passed`, `pass`, `OK`; `F`, `Failed`, `fail`, `NG`; `T`, `Terminated`, `abort`).
    pub enum Status {
        /// `P`: passed.
        Passed = "P" | "Passed" | "Pass" | "OK",
        /// `F`: failed.
        Failed = "F" | "Failed" | "Fail" | "NG",
        /// `S`: skipped (steps only).
        Skipped = "S" | "Skipped" | "Skip",
        /// `D`: done.
        Done = "D" | "Done",
        /// `E`: error.
        Error = "E" | "Error",
        /// `T`: terminated.
        Terminated = "T" | "Terminated" | "Abort" | "Aborted",
    }
}

code_enum! {
    /// Comparison operator of a numeric or string measurement (case-insensitive on input).
    ///
    /// Single comparisons (`EQ` .. `LE`, `EQT`) use the low limit only (also `LT`/`LE`,
    /// the WATS convention); range operators use both limits.
    pub enum CompOp {
        /// `LOG`: log only, always passes.
        Log = "LOG",
        /// `EQ`: value == low.
        Eq = "EQ",
        /// `NE`: value != low.
        Ne = "NE",
        /// `GT`: value > low.
        Gt = "GT",
        /// `GE`: value >= low.
        Ge = "GE",
        /// `LT`: value < low.
        Lt = "LT",
        /// `LE`: value <= low.
        Le = "LE",
        /// `EQT`: equal within tolerance (not evaluated client-side).
        Eqt = "EQT",
        /// `CASESENSIT`: string equal, case-sensitive.
        CaseSensit = "CASESENSIT",
        /// `IGNORECASE`: string equal, ignoring case.
        IgnoreCase = "IGNORECASE",
        /// `GTLT`: low < value < high.
        GtLt = "GTLT",
        /// `GTLE`: low < value <= high.
        GtLe = "GTLE",
        /// `GELT`: low <= value < high.
        GeLt = "GELT",
        /// `GELE`: low <= value <= high.
        GeLe = "GELE",
        /// `LTGT`: value < low or value > high.
        LtGt = "LTGT",
        /// `LTGE`: value < low or value >= high.
        LtGe = "LTGE",
        /// `LEGT`: value <= low or value > high.
        LeGt = "LEGT",
        /// `LEGE`: value <= low or value >= high.
        LeGe = "LEGE",
    }
}

impl CompOp {
    /// Evaluate a numeric comparison. `None` when a needed limit is missing or the
    /// operator is not numeric (`EQT`, string operators).
    pub fn evaluate(self, value: f64, low: Option<f64>, high: Option<f64>) -> Option<bool> {
        let both = || Some((low?, high?));
        Some(match self {
            CompOp::Log => true,
            CompOp::Eq => value == low?,
            CompOp::Ne => value != low?,
            CompOp::Gt => value > low?,
            CompOp::Ge => value >= low?,
            CompOp::Lt => value < low?,
            CompOp::Le => value <= low?,
            CompOp::GtLt => both().map(|(l, h)| value > l && value < h)?,
            CompOp::GtLe => both().map(|(l, h)| value > l && value <= h)?,
            CompOp::GeLt => both().map(|(l, h)| value >= l && value < h)?,
            CompOp::GeLe => both().map(|(l, h)| value >= l && value <= h)?,
            CompOp::LtGt => both().map(|(l, h)| value < l || value > h)?,
            CompOp::LtGe => both().map(|(l, h)| value < l || value >= h)?,
            CompOp::LeGt => both().map(|(l, h)| value <= l || value > h)?,
            CompOp::LeGe => both().map(|(l, h)| value <= l || value >= h)?,
            CompOp::Eqt | CompOp::CaseSensit | CompOp::IgnoreCase => return None,
        })
    }

    /// Evaluate a string comparison (`CASESENSIT`, `IGNORECASE`, `LOG`); `None` for others
    /// or when the limit is missing.
    pub fn evaluate_str(self, value: &str, limit: Option<&str>) -> Option<bool> {
        match self {
            CompOp::Log => Some(true),
            CompOp::CaseSensit => Some(value == limit?),
            CompOp::IgnoreCase => {
                let limit = limit?;
                Some(value.to_lowercase() == limit.to_lowercase())
            }
            _ => None,
        }
    }
}

code_enum! {
    /// Step group: setup, main or cleanup.
    pub enum StepGroup {
        /// `S`: setup.
        Setup = "S" | "Setup",
        /// `M`: main.
        Main = "M" | "Main",
        /// `C`: cleanup.
        Cleanup = "C" | "Cleanup",
    }
}

code_enum! {
    /// Report type: test (UUT) or repair (UUR).
    pub enum ReportType {
        /// `T`: a UUT (test) report.
        Uut = "T" | "UUT" | "U",
        /// `R`: a UUR (repair) report.
        Uur = "R" | "UUR",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eighteen_operators_parse_case_insensitively_and_write_back_exactly() {
        assert_eq!(CompOp::ALL.len(), 18);
        for op in CompOp::ALL {
            let lower = op.code().to_lowercase();
            let c: Coded<CompOp> = Coded::parse(&lower);
            assert_eq!(c.kind(), Some(*op));
            assert_eq!(c.as_str(), lower);
            assert_eq!(Coded::new(*op).as_str(), op.code());
        }
    }

    #[test]
    fn unknown_codes_are_kept() {
        let c: Coded<Status> = serde_json::from_str("\"Weird\"").unwrap();
        assert_eq!(c.kind(), None);
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"Weird\"");
        let s: Coded<Status> = serde_json::from_str("\"passed\"").unwrap();
        assert_eq!(s.kind(), Some(Status::Passed));
        assert_eq!(s.as_str(), "passed");
        assert!(serde_json::from_str::<Coded<Status>>("1").is_err());
    }

    #[test]
    fn numeric_evaluation_follows_wats_conventions() {
        assert_eq!(CompOp::Le.evaluate(400.0, Some(500.0), None), Some(true));
        assert_eq!(
            CompOp::GeLe.evaluate(5.0, Some(1.0), Some(4.0)),
            Some(false)
        );
        assert_eq!(CompOp::LtGt.evaluate(5.0, Some(1.0), Some(4.0)), Some(true));
        assert_eq!(CompOp::Eq.evaluate(5.0, None, None), None);
        assert_eq!(CompOp::Log.evaluate(f64::NAN, None, None), Some(true));
        assert_eq!(
            CompOp::IgnoreCase.evaluate_str("AbC", Some("abc")),
            Some(true)
        );
        assert_eq!(
            CompOp::CaseSensit.evaluate_str("AbC", Some("abc")),
            Some(false)
        );
    }
}
