//! The integer codes of the analytics filter: [`DateGrouping`] (`dateGrouping`) and
//! [`Run`] (`run`), sent as the server's integers.

/// How the server groups rows by date (`dateGrouping`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DateGrouping {
    /// `-1`: no grouping.
    None,
    /// `0`.
    Year,
    /// `1`.
    Quarter,
    /// `2`.
    Month,
    /// `3`.
    Week,
    /// `4`.
    Day,
    /// `5`.
    Hour,
}

impl DateGrouping {
    /// The integer the server expects.
    pub fn code(self) -> i32 {
        match self {
            DateGrouping::None => -1,
            DateGrouping::Year => 0,
            DateGrouping::Quarter => 1,
            DateGrouping::Month => 2,
            DateGrouping::Week => 3,
            DateGrouping::Day => 4,
            DateGrouping::Hour => 5,
        }
    }

    /// The grouping of a server code, if known.
    pub fn from_code(code: i64) -> Option<Self> {
        Some(match code {
            -1 => DateGrouping::None,
            0 => DateGrouping::Year,
            1 => DateGrouping::Quarter,
            2 => DateGrouping::Month,
            3 => DateGrouping::Week,
            4 => DateGrouping::Day,
            5 => DateGrouping::Hour,
            _ => return None,
        })
    }
}

/// Which run of each unit a step analysis counts (`run`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Run {
    /// `1`: the first run.
    First,
    /// `2`: the second run.
    Second,
    /// `3`: the third run.
    Third,
    /// `-1`: the last run.
    Last,
    /// `-2`: every run.
    All,
}

impl Run {
    /// The integer the server expects.
    pub fn code(self) -> i32 {
        match self {
            Run::First => 1,
            Run::Second => 2,
            Run::Third => 3,
            Run::Last => -1,
            Run::All => -2,
        }
    }

    /// The run of a server code, if known.
    pub fn from_code(code: i64) -> Option<Self> {
        Some(match code {
            1 => Run::First,
            2 => Run::Second,
            3 => Run::Third,
            -1 => Run::Last,
            -2 => Run::All,
            _ => return None,
        })
    }
}
