//! Test steps: one [`Step`] struct for every step type, forming a tree.
//!
//! A step keeps its `stepType` exactly as received and carries every payload member
//! any step type uses (`seqCall`, `steps`, `numericMeas`, `booleanMeas`,
//! `stringMeas`, `chart`, `callExe`, `messagePopup`, ...) as tri-state fields. Any
//! combination therefore round-trips (real exports mix them: `WATS_XYGMNLT` has
//! `numericMeas` and `chart`, an `NI_Wait` can hold child `steps` and a `seqCall`),
//! and unknown step types and members are kept verbatim. [`Step::kind`] classifies
//! the step type for typed handling.

use crate::codes::{Coded, Status, StepGroup};
use crate::measurement::{BooleanMeas, NumericMeas, StringMeas};
use crate::value::{Field, NumOrStr, model};

model! {
    /// One step of a UUT report's sequence tree.
    pub struct Step {
        /// `id`: step number (the server numbers steps 1..n); number or string.
        id: NumOrStr => "id",
        /// `group`: setup, main or cleanup.
        group: Coded<StepGroup> => "group",
        /// `stepType`: kept exactly as received; see [`Step::kind`].
        step_type: String => "stepType",
        /// `name`.
        name: String => "name",
        /// `status`.
        status: Coded<Status> => "status",
        /// `start`: the step's start time as received.
        start: String => "start",
        /// `totTime`: total time in seconds (number or string).
        tot_time: NumOrStr => "totTime",
        /// `totTimeFormat`.
        tot_time_format: String => "totTimeFormat",
        /// `tsGuid`: TestStand step GUID.
        ts_guid: String => "tsGuid",
        /// `causedSeqFailure`.
        caused_seq_failure: bool => "causedSeqFailure",
        /// `causedUUTFailure`.
        caused_uut_failure: bool => "causedUUTFailure",
        /// `errorCode` (number or string).
        error_code: NumOrStr => "errorCode",
        /// `errorCodeFormat`.
        error_code_format: String => "errorCodeFormat",
        /// `errorMessage`.
        error_message: String => "errorMessage",
        /// `reportText`.
        report_text: String => "reportText",
        /// `loop`: loop information of a looped step.
        loop_info: Loop => "loop",
        /// `seqCall`: sequence file information of a sequence call.
        seq_call: SeqCall => "seqCall",
        /// `steps`: child steps (on any step type).
        steps: Vec<Step> => "steps",
        /// `numericMeas`: numeric measurements (`ET_NLT`, `ET_MNLT`, `WATS_XYGMNLT`).
        numeric_meas: Vec<NumericMeas> => "numericMeas",
        /// `booleanMeas`: pass/fail measurements (`ET_PFT`, `ET_MPFT`).
        boolean_meas: Vec<BooleanMeas> => "booleanMeas",
        /// `stringMeas`: string measurements (`ET_SVT`, `ET_MSVT`).
        string_meas: Vec<StringMeas> => "stringMeas",
        /// `chart`: a graph (`Chart`, `WATS_XYGMNLT`).
        chart: Chart => "chart",
        /// `callExe`: result of a `CallExecutable` step.
        call_exe: CallExe => "callExe",
        /// `messagePopup`: result of a `MessagePopup` step.
        message_popup: MessagePopup => "messagePopup",
        /// `attachment`: a file attached to the step.
        attachment: Attachment => "attachment",
        /// `additionalResults`.
        additional_results: Vec<AdditionalData> => "additionalResults",
    }
}

model! {
    /// `loop`: loop information. The server exports the header step of a loop with
    /// `num`, `endingIndex`, `passed`, `failed` and each iteration with `idx`;
    /// clients may send `i`, `n`, `parent`. Both forms are kept as received.
    pub struct Loop {
        /// `idx`: iteration index (server form).
        idx: i64 => "idx",
        /// `num`: number of iterations (server form).
        num: i64 => "num",
        /// `endingIndex` (server form).
        ending_index: i64 => "endingIndex",
        /// `passed`: iterations that passed (server form).
        passed: i64 => "passed",
        /// `failed`: iterations that failed (server form).
        failed: i64 => "failed",
        /// `i`: iteration index (client form).
        i: i64 => "i",
        /// `n`: number of iterations (client form).
        n: i64 => "n",
        /// `parent`: id of the loop's header step (client form).
        parent: NumOrStr => "parent",
    }
}

model! {
    /// `seqCall`: the sequence file a sequence call step ran.
    pub struct SeqCall {
        /// `path`.
        path: String => "path",
        /// `name`.
        name: String => "name",
        /// `version`.
        version: String => "version",
    }
}

impl SeqCall {
    /// A sequence file reference.
    pub fn new(
        path: impl Into<String>,
        name: impl Into<String>,
        version: impl Into<String>,
    ) -> Self {
        SeqCall {
            path: path.into().into(),
            name: name.into().into(),
            version: version.into().into(),
            ..Default::default()
        }
    }
}

model! {
    /// `chart`: a graph with one or more series.
    pub struct Chart {
        /// `chartType`: `Line`, `LineLogXY`, `LineLogX`, `LineLogY`.
        chart_type: String => "chartType",
        /// `label`.
        label: String => "label",
        /// `xLabel`.
        x_label: String => "xLabel",
        /// `xUnit`.
        x_unit: String => "xUnit",
        /// `yLabel`.
        y_label: String => "yLabel",
        /// `yUnit`.
        y_unit: String => "yUnit",
        /// `series`.
        series: Vec<ChartSeries> => "series",
    }
}

impl Chart {
    /// A line chart with labels and no series yet.
    pub fn line(label: impl Into<String>, x_label: &str, y_label: &str) -> Self {
        Chart {
            chart_type: "Line".into(),
            label: label.into().into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            ..Default::default()
        }
    }

    /// Add a series (builder style).
    #[must_use]
    pub fn with_series(mut self, series: ChartSeries) -> Self {
        self.series.push(series);
        self
    }
}

model! {
    /// One series of a chart; `xdata`/`ydata` are `;`-separated numbers.
    pub struct ChartSeries {
        /// `dataType`: `XYG`.
        data_type: String => "dataType",
        /// `name`.
        name: String => "name",
        /// `xdata`.
        xdata: String => "xdata",
        /// `ydata`.
        ydata: String => "ydata",
    }
}

impl ChartSeries {
    /// An `XYG` series from x and y values.
    pub fn new(name: impl Into<String>, xs: &[f64], ys: &[f64]) -> Self {
        ChartSeries {
            data_type: "XYG".into(),
            name: name.into().into(),
            xdata: join(xs).into(),
            ydata: join(ys).into(),
            ..Default::default()
        }
    }

    /// The x values (unparseable items are skipped).
    pub fn x_values(&self) -> Vec<f64> {
        split(self.xdata.as_str())
    }

    /// The y values (unparseable items are skipped).
    pub fn y_values(&self) -> Vec<f64> {
        split(self.ydata.as_str())
    }
}

fn join(v: &[f64]) -> String {
    let mut out = String::new();
    for (i, x) in v.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push_str(&x.to_string());
    }
    out
}

fn split(s: Option<&str>) -> Vec<f64> {
    s.map(|s| {
        s.split(';')
            .filter_map(crate::value::parse_f64_lenient)
            .collect()
    })
    .unwrap_or_default()
}

model! {
    /// `callExe`: result of a `CallExecutable` step.
    pub struct CallExe {
        /// `exitCode`.
        exit_code: NumOrStr => "exitCode",
    }
}

model! {
    /// `messagePopup`: result of a `MessagePopup` step.
    pub struct MessagePopup {
        /// `response`: the text the operator entered.
        response: String => "response",
        /// `button`: the button pressed.
        button: i64 => "button",
    }
}

model! {
    /// A file attached to a step or report (`attachment`, `binaryData[]`).
    pub struct Attachment {
        /// `name`.
        name: String => "name",
        /// `contentType`: MIME type.
        content_type: String => "contentType",
        /// `data`: base64 content.
        data: String => "data",
        /// `description`.
        description: String => "description",
    }
}

model! {
    /// `additionalData[]` / `additionalResults[]`: named property trees.
    pub struct AdditionalData {
        /// `name`.
        name: String => "name",
        /// `props`.
        props: Vec<AdditionalProp> => "props",
    }
}

model! {
    /// One property of additional data; `value` and `array` are kept as raw JSON.
    pub struct AdditionalProp {
        /// `name`.
        name: String => "name",
        /// `type`.
        prop_type: String => "type",
        /// `flags`.
        flags: i64 => "flags",
        /// `value`: any JSON value.
        value: serde_json::Value => "value",
        /// `comment`.
        comment: String => "comment",
        /// `numFormat`.
        num_format: String => "numFormat",
        /// `props`: nested properties.
        props: Vec<AdditionalProp> => "props",
        /// `array`: array description, kept as raw JSON.
        array: serde_json::Value => "array",
    }
}

/// The classified type of a step, from its `stepType` (aliases folded together,
/// matched case-insensitively). Borrowed from the step; never allocates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StepKind<'a> {
    /// `SequenceCall`, `WATS_SeqCall`.
    SequenceCall,
    /// `ET_NLT`, `NumericLimitTest`.
    NumericLimit,
    /// `ET_MNLT`, `MultiNumericLimitTest`.
    MultiNumericLimit,
    /// `ET_PFT`, `PassFailTest`.
    PassFail,
    /// `ET_MPFT`, `MultiPassFailTest`, `MultiBooleanTest`.
    MultiPassFail,
    /// `ET_SVT`, `StringValueTest`.
    StringValue,
    /// `ET_MSVT`, `MultiStringValueTest`, `MultiStringTest`.
    MultiStringValue,
    /// `Action`, `ET_A`.
    Action,
    /// The TestStand `NI_*` family (flow control, synchronisation, IVI, database ...);
    /// holds the exact step type.
    Ni(&'a str),
    /// `Goto`.
    Goto,
    /// `Label`.
    Label,
    /// `Statement`.
    Statement,
    /// `GT`, `GenericTest`, `NONE`: generic steps without payload.
    Generic(&'a str),
    /// `Chart`.
    Chart,
    /// `WATS_XYGMNLT`: numeric measurements plus a chart.
    XyGraph,
    /// `CallExecutable` (payload `callExe`).
    CallExecutable,
    /// `MessagePopup` (payload `messagePopup`).
    MessagePopup,
    /// Any other step type (kept verbatim), or `""` when `stepType` is missing.
    Unknown(&'a str),
}

impl<'a> StepKind<'a> {
    /// Classify a `stepType` string.
    pub fn classify(step_type: &'a str) -> Self {
        const TABLE: &[(&str, StepKind<'static>)] = &[
            ("SequenceCall", StepKind::SequenceCall),
            ("WATS_SeqCall", StepKind::SequenceCall),
            ("ET_NLT", StepKind::NumericLimit),
            ("NumericLimitTest", StepKind::NumericLimit),
            ("ET_MNLT", StepKind::MultiNumericLimit),
            ("MultiNumericLimitTest", StepKind::MultiNumericLimit),
            ("ET_PFT", StepKind::PassFail),
            ("PassFailTest", StepKind::PassFail),
            ("ET_MPFT", StepKind::MultiPassFail),
            ("MultiPassFailTest", StepKind::MultiPassFail),
            ("MultiBooleanTest", StepKind::MultiPassFail),
            ("ET_SVT", StepKind::StringValue),
            ("StringValueTest", StepKind::StringValue),
            ("ET_MSVT", StepKind::MultiStringValue),
            ("MultiStringValueTest", StepKind::MultiStringValue),
            ("MultiStringTest", StepKind::MultiStringValue),
            ("Action", StepKind::Action),
            ("ET_A", StepKind::Action),
            ("Goto", StepKind::Goto),
            ("Label", StepKind::Label),
            ("Statement", StepKind::Statement),
            ("Chart", StepKind::Chart),
            ("WATS_XYGMNLT", StepKind::XyGraph),
            ("CallExecutable", StepKind::CallExecutable),
            ("MessagePopup", StepKind::MessagePopup),
        ];
        for (name, kind) in TABLE {
            if step_type.eq_ignore_ascii_case(name) {
                return *kind;
            }
        }
        if step_type.len() > 3
            && step_type
                .get(..3)
                .is_some_and(|p| p.eq_ignore_ascii_case("NI_"))
        {
            return StepKind::Ni(step_type);
        }
        if ["GT", "GenericTest", "NONE"]
            .iter()
            .any(|g| step_type.eq_ignore_ascii_case(g))
        {
            return StepKind::Generic(step_type);
        }
        StepKind::Unknown(step_type)
    }

    /// The canonical `stepType` to send for this kind.
    pub fn step_type(&self) -> &'a str {
        match *self {
            StepKind::SequenceCall => "SequenceCall",
            StepKind::NumericLimit => "ET_NLT",
            StepKind::MultiNumericLimit => "ET_MNLT",
            StepKind::PassFail => "ET_PFT",
            StepKind::MultiPassFail => "ET_MPFT",
            StepKind::StringValue => "ET_SVT",
            StepKind::MultiStringValue => "ET_MSVT",
            StepKind::Action => "Action",
            StepKind::Goto => "Goto",
            StepKind::Label => "Label",
            StepKind::Statement => "Statement",
            StepKind::Chart => "Chart",
            StepKind::XyGraph => "WATS_XYGMNLT",
            StepKind::CallExecutable => "CallExecutable",
            StepKind::MessagePopup => "MessagePopup",
            StepKind::Ni(s) | StepKind::Generic(s) | StepKind::Unknown(s) => s,
        }
    }

    /// True for step types that carry measurements.
    pub fn is_test(&self) -> bool {
        matches!(
            self,
            StepKind::NumericLimit
                | StepKind::MultiNumericLimit
                | StepKind::PassFail
                | StepKind::MultiPassFail
                | StepKind::StringValue
                | StepKind::MultiStringValue
                | StepKind::XyGraph
        )
    }
}

impl Step {
    /// A step of any type with `group` `M` and `status` `P`.
    pub fn new(step_type: impl Into<String>, name: impl Into<String>) -> Self {
        Step {
            group: Coded::new(StepGroup::Main).into(),
            step_type: step_type.into().into(),
            name: name.into().into(),
            status: Coded::new(Status::Passed).into(),
            ..Default::default()
        }
    }

    /// A `SequenceCall` step with an empty `steps` array and a default `seqCall`.
    pub fn sequence_call(name: impl Into<String>) -> Self {
        let name = name.into();
        let mut s = Step::new("SequenceCall", name.clone());
        s.seq_call = SeqCall::new(format!("{name}.seq"), format!("{name}.seq"), "1.0.0").into();
        s.steps = Field::Value(Vec::new());
        s
    }

    /// An `ET_NLT` numeric limit step with one measurement; status from the measurement.
    pub fn numeric_limit(name: impl Into<String>, meas: NumericMeas) -> Self {
        let mut s = Step::new("ET_NLT", name);
        s.status = meas.status.clone();
        s.numeric_meas = vec![meas].into();
        s
    }

    /// An `ET_MNLT` step with several named measurements; fails if any fails.
    pub fn multi_numeric_limit(name: impl Into<String>, meas: Vec<NumericMeas>) -> Self {
        let mut s = Step::new("ET_MNLT", name);
        s.status = worst(meas.iter().map(NumericMeas::status)).into();
        s.numeric_meas = meas.into();
        s
    }

    /// An `ET_PFT` pass/fail step.
    pub fn pass_fail(name: impl Into<String>, passed: bool) -> Self {
        let mut s = Step::new("ET_PFT", name);
        let meas = BooleanMeas::new(passed);
        s.status = meas.status.clone();
        s.boolean_meas = vec![meas].into();
        s
    }

    /// An `ET_MPFT` step with several named pass/fail measurements.
    pub fn multi_pass_fail(name: impl Into<String>, meas: Vec<BooleanMeas>) -> Self {
        let mut s = Step::new("ET_MPFT", name);
        s.status = worst(meas.iter().map(BooleanMeas::status)).into();
        s.boolean_meas = meas.into();
        s
    }

    /// An `ET_SVT` string value step with one measurement.
    pub fn string_value(name: impl Into<String>, meas: StringMeas) -> Self {
        let mut s = Step::new("ET_SVT", name);
        s.status = meas.status.clone();
        s.string_meas = vec![meas].into();
        s
    }

    /// An `ET_MSVT` step with several named string measurements.
    pub fn multi_string_value(name: impl Into<String>, meas: Vec<StringMeas>) -> Self {
        let mut s = Step::new("ET_MSVT", name);
        s.status = worst(meas.iter().map(StringMeas::status)).into();
        s.string_meas = meas.into();
        s
    }

    /// An `Action` step.
    pub fn action(name: impl Into<String>) -> Self {
        Step::new("Action", name)
    }

    /// A flow or utility step without payload: `NI_Flow_If`, `NI_Wait`, `Goto`,
    /// `Label`, `Statement`, ...
    pub fn flow(step_type: impl Into<String>, name: impl Into<String>) -> Self {
        Step::new(step_type, name)
    }

    /// A `Chart` step.
    pub fn chart(name: impl Into<String>, chart: Chart) -> Self {
        let mut s = Step::new("Chart", name);
        s.chart = chart.into();
        s
    }

    /// A `WATS_XYGMNLT` step: numeric measurements plus a chart.
    pub fn xy_graph(name: impl Into<String>, chart: Chart, meas: Vec<NumericMeas>) -> Self {
        let mut s = Step::new("WATS_XYGMNLT", name);
        s.status = worst(meas.iter().map(NumericMeas::status)).into();
        s.numeric_meas = meas.into();
        s.chart = chart.into();
        s
    }

    /// A `CallExecutable` step with its exit code.
    pub fn call_executable(name: impl Into<String>, exit_code: impl Into<NumOrStr>) -> Self {
        let mut s = Step::new("CallExecutable", name);
        s.call_exe = CallExe {
            exit_code: exit_code.into().into(),
            ..Default::default()
        }
        .into();
        s
    }

    /// A `MessagePopup` step with the pressed button and the operator's response.
    pub fn message_popup(name: impl Into<String>, button: i64, response: Option<&str>) -> Self {
        let mut s = Step::new("MessagePopup", name);
        s.message_popup = MessagePopup {
            response: response.map(str::to_owned).into(),
            button: button.into(),
            ..Default::default()
        }
        .into();
        s
    }

    /// Set the status (builder style).
    #[must_use]
    pub fn with_status(mut self, status: Status) -> Self {
        self.status = Coded::new(status).into();
        self
    }

    /// Set the group (builder style).
    #[must_use]
    pub fn with_group(mut self, group: StepGroup) -> Self {
        self.group = Coded::new(group).into();
        self
    }

    /// Set the total time in seconds (builder style).
    #[must_use]
    pub fn with_tot_time(mut self, seconds: f64) -> Self {
        self.tot_time = NumOrStr::from_f64(seconds).into();
        self
    }

    /// Set the loop information (builder style).
    #[must_use]
    pub fn with_loop(mut self, info: Loop) -> Self {
        self.loop_info = info.into();
        self
    }

    /// Set the report text (builder style).
    #[must_use]
    pub fn with_report_text(mut self, text: impl Into<String>) -> Self {
        self.report_text = text.into().into();
        self
    }

    /// Add a child step (builder style).
    #[must_use]
    pub fn with_step(mut self, child: Step) -> Self {
        self.push_step(child);
        self
    }

    /// Append a child step and return it for further editing. A failed child
    /// (`F`) marks this step failed too.
    pub fn push_step(&mut self, child: Step) -> &mut Step {
        if child.status() == Some(Status::Failed) {
            self.status = Coded::new(Status::Failed).into();
        }
        let steps = self.steps.get_or_insert_default();
        steps.push(child);
        let last = steps.len() - 1;
        &mut steps[last]
    }

    /// The classified step type.
    pub fn kind(&self) -> StepKind<'_> {
        StepKind::classify(self.step_type.as_str().unwrap_or(""))
    }

    /// The `stepType` as received (`""` when missing).
    pub fn step_type(&self) -> &str {
        self.step_type.as_str().unwrap_or("")
    }

    /// The name (`""` when missing).
    pub fn name(&self) -> &str {
        self.name.as_str().unwrap_or("")
    }

    /// The status, when present and recognised.
    pub fn status(&self) -> Option<Status> {
        self.status.value().and_then(Coded::kind)
    }

    /// The group, when present and recognised.
    pub fn group(&self) -> Option<StepGroup> {
        self.group.value().and_then(Coded::kind)
    }

    /// The child steps (empty when none).
    pub fn children(&self) -> &[Step] {
        self.steps.items()
    }

    /// The numeric measurements (empty when none).
    pub fn numeric_measurements(&self) -> &[NumericMeas] {
        self.numeric_meas.items()
    }

    /// The pass/fail measurements (empty when none).
    pub fn boolean_measurements(&self) -> &[BooleanMeas] {
        self.boolean_meas.items()
    }

    /// The string measurements (empty when none).
    pub fn string_measurements(&self) -> &[StringMeas] {
        self.string_meas.items()
    }

    /// This step and all its descendants, depth-first (pre-order).
    pub fn walk(&self) -> Steps<'_> {
        Steps {
            first: Some(self),
            stack: Vec::new(),
        }
    }

    /// Visit this step and all descendants mutably, depth-first (pre-order).
    pub fn walk_mut(&mut self, f: &mut impl FnMut(&mut Step)) {
        f(self);
        if let Some(children) = self.steps.value_mut() {
            for child in children {
                child.walk_mut(f);
            }
        }
    }
}

fn worst(statuses: impl Iterator<Item = Option<Status>>) -> Coded<Status> {
    let mut out = Status::Passed;
    for s in statuses {
        if s == Some(Status::Failed) {
            out = Status::Failed;
        }
    }
    Coded::new(out)
}

/// Depth-first iterator over a step tree; see [`Step::walk`].
#[derive(Debug, Clone)]
pub struct Steps<'a> {
    first: Option<&'a Step>,
    stack: Vec<std::slice::Iter<'a, Step>>,
}

impl<'a> Steps<'a> {
    pub(crate) fn empty() -> Self {
        Steps {
            first: None,
            stack: Vec::new(),
        }
    }
}

impl<'a> Iterator for Steps<'a> {
    type Item = &'a Step;

    fn next(&mut self) -> Option<&'a Step> {
        if let Some(s) = self.first.take() {
            self.stack.push(s.children().iter());
            return Some(s);
        }
        loop {
            let top = self.stack.last_mut()?;
            if let Some(s) = top.next() {
                self.stack.push(s.children().iter());
                return Some(s);
            }
            self.stack.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::CompOp;

    #[test]
    fn kinds_fold_aliases() {
        assert_eq!(StepKind::classify("WATS_SeqCall"), StepKind::SequenceCall);
        assert_eq!(
            StepKind::classify("NumericLimitTest"),
            StepKind::NumericLimit
        );
        assert_eq!(StepKind::classify("ET_A"), StepKind::Action);
        assert_eq!(StepKind::classify("NI_IVIDmm"), StepKind::Ni("NI_IVIDmm"));
        assert_eq!(StepKind::classify("DoWhile"), StepKind::Unknown("DoWhile"));
        assert_eq!(StepKind::classify("NONE"), StepKind::Generic("NONE"));
        assert_eq!(StepKind::classify(""), StepKind::Unknown(""));
        // Issue 15: `step_type[..3]` cut inside `é` and panicked.
        assert_eq!(StepKind::classify("éé"), StepKind::Unknown("éé"));
        assert_eq!(StepKind::classify("NIé"), StepKind::Unknown("NIé"));
        assert_eq!(StepKind::classify("ni_é"), StepKind::Ni("ni_é"));
        assert_eq!(Step::new("éé", "x").kind(), StepKind::Unknown("éé"));
    }

    #[test]
    fn walk_is_depth_first_preorder() {
        let root = Step::sequence_call("root")
            .with_step(Step::sequence_call("a").with_step(Step::action("a1")))
            .with_step(Step::numeric_limit(
                "b",
                NumericMeas::new(1.0, CompOp::Gt, Some(2.0), None),
            ));
        let names: Vec<_> = root.walk().map(Step::name).collect();
        assert_eq!(names, ["root", "a", "a1", "b"]);
        assert_eq!(root.status(), Some(Status::Failed));
    }

    #[test]
    fn chart_series_values() {
        let s = ChartSeries::new("s", &[0.0, 1.5], &[2.0, -3.0]);
        assert_eq!(s.xdata.as_str(), Some("0;1.5"));
        assert_eq!(s.y_values(), vec![2.0, -3.0]);
    }
}
