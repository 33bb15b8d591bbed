//! JSON output: structure, key order, correlation ids, filtering, redaction.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use tracing::{Level, info, info_span, warn};
use wats_log::{Builder, Error, Format, MemoryWriter};

fn fixed_clock() -> SystemTime {
    UNIX_EPOCH + Duration::from_micros(1_700_000_000_123_456)
}

/// Runs `f` under a JSON subscriber built from `b` and returns the raw lines.
fn raw_lines(b: Builder<MemoryWriter>, out: &MemoryWriter, f: impl FnOnce()) -> Vec<String> {
    let sub = b.build().expect("valid builder");
    tracing::subscriber::with_default(sub, f);
    let lines = out.lines();
    for l in &lines {
        assert!(!l.contains('\n'), "one line per event: {l:?}");
    }
    lines
}

fn json_builder(out: &MemoryWriter) -> Builder<MemoryWriter> {
    wats_log::builder().json().writer(out.clone())
}

fn capture(f: impl FnOnce()) -> Vec<Value> {
    let out = MemoryWriter::new();
    raw_lines(json_builder(&out), &out, f)
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

fn capture_one(f: impl FnOnce()) -> Value {
    let mut v = capture(f);
    assert_eq!(v.len(), 1, "{v:?}");
    v.remove(0)
}

/// Replaces the digits of `"thread_id":N` with `#`.
fn mask_thread_id(line: &str) -> String {
    let key = "\"thread_id\":";
    let at = line.find(key).expect("thread_id present") + key.len();
    let end = at + line[at..].bytes().take_while(u8::is_ascii_digit).count();
    assert!(end > at, "thread_id is a number");
    format!("{}#{}", &line[..at], &line[end..])
}

#[test]
fn json_line_snapshot_with_key_order() {
    let out = MemoryWriter::new();
    let lines = raw_lines(json_builder(&out).clock(fixed_clock), &out, || {
        let span = info_span!(
            "wats.call",
            correlation_id = "c-1",
            station = "ST-07",
            attempt = 2
        );
        let _g = span.enter();
        info!(target: "app", serial = "SN1", count = 3_u64, ok = true, "report \"x\" submitted");
    });
    assert_eq!(lines.len(), 1);
    assert_eq!(
        mask_thread_id(&lines[0]),
        r#"{"timestamp":"2023-11-14T22:13:20.123456Z","level":"INFO","target":"app","message":"report \"x\" submitted","correlation_id":"c-1","thread_id":#,"station":"ST-07","attempt":2,"serial":"SN1","count":3,"ok":true}"#
    );
}

#[test]
fn fields_parse_with_their_types() {
    let err = std::io::Error::other("disk \"full\"");
    let v = capture_one(|| {
        warn!(
            neg = -5_i64,
            big = u64::MAX,
            wide = -170_141_183_460_469_231_731_687_303_715_884_105_728_i128,
            ratio = 0.25_f64,
            nan = f64::NAN,
            flag = false,
            list = ?vec![1, 2],
            shown = %"dis\"play",
            error = &err as &(dyn std::error::Error + 'static),
            "typed"
        );
    });
    assert_eq!(v["level"], "WARN");
    assert_eq!(v["message"], "typed");
    assert_eq!(v["neg"], -5);
    assert_eq!(v["big"], u64::MAX);
    assert_eq!(v["ratio"], 0.25);
    assert_eq!(v["nan"], "NaN");
    assert_eq!(v["flag"], false);
    assert_eq!(v["list"], "[1, 2]");
    assert_eq!(v["shown"], "dis\"play");
    assert_eq!(v["error"], "disk \"full\"");
    assert!(v["wide"].is_number(), "{v}");
    let ts = v["timestamp"].as_str().unwrap();
    assert_eq!(ts.len(), "2023-11-14T22:13:20.123456Z".len(), "{ts}");
    assert!(ts.ends_with('Z') && ts.as_bytes()[10] == b'T', "{ts}");
}

#[test]
fn correlation_id_from_enclosing_span() {
    let v = capture_one(|| {
        let span = info_span!("wats.call", correlation_id = "abc-123", method = "GET");
        span.in_scope(|| info!("inside"));
    });
    assert_eq!(v["correlation_id"], "abc-123");
    assert_eq!(v["method"], "GET");
}

#[test]
fn correlation_id_innermost_span_wins_and_outer_is_inherited() {
    let v = capture(|| {
        let outer = info_span!("outer", correlation_id = "outer-id", a = 1);
        let _o = outer.enter();
        info!("in outer");
        {
            let plain = info_span!("plain", b = 2);
            let _p = plain.enter();
            info!("in plain");
            let inner = info_span!("inner", correlation_id = "inner-id", c = 3);
            let _i = inner.enter();
            info!("in inner");
        }
        info!("back in outer");
    });
    assert_eq!(v.len(), 4);
    assert_eq!(v[0]["correlation_id"], "outer-id");
    assert_eq!(v[1]["correlation_id"], "outer-id");
    assert_eq!((v[1]["a"].as_i64(), v[1]["b"].as_i64()), (Some(1), Some(2)));
    assert_eq!(v[2]["correlation_id"], "inner-id");
    assert_eq!(
        (v[2]["a"].as_i64(), v[2]["b"].as_i64(), v[2]["c"].as_i64()),
        (Some(1), Some(2), Some(3))
    );
    assert_eq!(v[3]["correlation_id"], "outer-id");
    assert!(v[3].get("b").is_none(), "closed span fields gone: {}", v[3]);
}

#[test]
fn correlation_id_follows_span_to_another_thread() {
    let v = capture(|| {
        let span = info_span!("wats.call", correlation_id = "cross-thread");
        info!("main, no span");
        let dispatch = tracing::dispatcher::get_default(Clone::clone);
        std::thread::spawn(move || {
            tracing::dispatcher::with_default(&dispatch, || {
                let _g = span.enter();
                info!("worker");
            });
        })
        .join()
        .unwrap();
    });
    assert_eq!(v.len(), 2);
    assert!(v[0].get("correlation_id").is_none());
    assert_eq!(v[1]["correlation_id"], "cross-thread");
    assert_ne!(v[0]["thread_id"], v[1]["thread_id"]);
    // thread_id is the number std shows in ThreadId(N).
    let main = format!("{:?}", std::thread::current().id());
    assert_eq!(main, format!("ThreadId({})", v[0]["thread_id"]));
}

#[test]
fn correlation_id_absent_without_span_field() {
    let v = capture(|| {
        info!("no span");
        let span = info_span!("other", station = "ST-1");
        span.in_scope(|| info!("span without id"));
    });
    assert_eq!(v.len(), 2);
    for line in &v {
        assert!(line.get("correlation_id").is_none(), "{line}");
        assert!(line["thread_id"].is_u64(), "{line}");
    }
    assert_eq!(v[1]["station"], "ST-1");
}

#[test]
fn event_field_overrides_span_and_is_not_duplicated() {
    let out = MemoryWriter::new();
    let lines = raw_lines(json_builder(&out), &out, || {
        let span = info_span!("wats.call", correlation_id = "from-span");
        let _g = span.enter();
        info!(correlation_id = "from-event", "explicit");
        info!("implicit");
    });
    assert_eq!(lines.len(), 2);
    for l in &lines {
        assert_eq!(l.matches("correlation_id").count(), 1, "{l}");
    }
    let v0: Value = serde_json::from_str(&lines[0]).unwrap();
    let v1: Value = serde_json::from_str(&lines[1]).unwrap();
    assert_eq!(v0["correlation_id"], "from-event");
    assert_eq!(v1["correlation_id"], "from-span");
}

#[test]
fn custom_correlation_field_name() {
    let out = MemoryWriter::new();
    let b = json_builder(&out).correlation_field("request_id");
    let lines = raw_lines(b, &out, || {
        let span = info_span!("req", request_id = "r-9", correlation_id = "not-this-one");
        span.in_scope(|| info!("x"));
    });
    let v: Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(v["request_id"], "r-9");
    // The default name is now an ordinary field.
    assert_eq!(v["correlation_id"], "not-this-one");
    assert_eq!(lines[0].matches("r-9").count(), 1);
}

#[test]
fn late_recorded_fields_appear_once() {
    let out = MemoryWriter::new();
    let lines = raw_lines(json_builder(&out), &out, || {
        let span = info_span!(
            "wats.call",
            correlation_id = tracing::field::Empty,
            status = tracing::field::Empty,
            step = 1
        );
        let _g = span.enter();
        info!("before");
        span.record("correlation_id", "late-id");
        span.record("status", 200);
        span.record("step", 2);
        span.record("step", 3);
        info!("after");
    });
    let before: Value = serde_json::from_str(&lines[0]).unwrap();
    assert!(before.get("correlation_id").is_none());
    assert!(before.get("status").is_none());
    assert_eq!(before["step"], 1);
    let after: Value = serde_json::from_str(&lines[1]).unwrap();
    assert_eq!(after["correlation_id"], "late-id");
    assert_eq!(after["status"], 200);
    assert_eq!(after["step"], 3);
    assert_eq!(lines[1].matches("\"step\"").count(), 1, "{}", lines[1]);
}

#[test]
fn default_redaction_hides_secrets_in_spans_and_events() {
    let out = MemoryWriter::new();
    let lines = raw_lines(json_builder(&out), &out, || {
        let span = info_span!("login", Authorization = "Bearer abc.def", user = "op1");
        let _g = span.enter();
        info!(
            token = "tok-SECRET",
            password = "pw-SECRET",
            token_count = 2,
            "login"
        );
    });
    let line = &lines[0];
    assert!(
        !line.contains("SECRET") && !line.contains("abc.def"),
        "{line}"
    );
    let v: Value = serde_json::from_str(line).unwrap();
    assert_eq!(v["Authorization"], "[redacted]");
    assert_eq!(v["token"], "[redacted]");
    assert_eq!(v["password"], "[redacted]");
    assert_eq!(v["token_count"], 2, "whole-name match only");
    assert_eq!(v["user"], "op1");
}

#[test]
fn custom_and_empty_redaction_lists() {
    let out = MemoryWriter::new();
    let b = json_builder(&out).redact(["serial"]);
    let lines = raw_lines(b, &out, || info!(serial = "SN1", token = "t", "x"));
    let v: Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(v["serial"], "[redacted]");
    assert_eq!(v["token"], "t");

    let out = MemoryWriter::new();
    let b = json_builder(&out).redact(Vec::<String>::new());
    let lines = raw_lines(b, &out, || info!(password = "p", "x"));
    let v: Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(v["password"], "p");
}

#[test]
fn level_and_directives_filter_events() {
    let out = MemoryWriter::new();
    let b = json_builder(&out).level(Level::WARN);
    let lines = raw_lines(b, &out, || {
        info!("dropped");
        warn!("kept");
        tracing::debug!(target: "chatty", "dropped too");
    });
    assert_eq!(lines.len(), 1);
    assert!(lines[0].contains("\"kept\""));

    let out = MemoryWriter::new();
    let b = json_builder(&out)
        .level(Level::WARN)
        .directives("chatty=debug");
    let lines = raw_lines(b, &out, || {
        info!("dropped");
        tracing::debug!(target: "chatty", "kept debug");
        tracing::trace!(target: "chatty", "dropped trace");
    });
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("kept debug"));
}

#[test]
fn environment_values_select_format_and_filter() {
    let out = MemoryWriter::new();
    let b = wats_log::builder()
        .writer(out.clone())
        .env_values(Some(" JSON "), Some("debug"))
        .unwrap();
    let lines = raw_lines(b, &out, || tracing::debug!("dbg"));
    assert_eq!(lines.len(), 1);
    let v: Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(v["level"], "DEBUG");

    // Blank or missing values keep the defaults (text, INFO).
    let out = MemoryWriter::new();
    let b = wats_log::builder()
        .writer(out.clone())
        .env_values(Some(""), None)
        .unwrap();
    let lines = raw_lines(b, &out, || {
        tracing::debug!("dropped");
        info!("kept");
    });
    assert_eq!(lines.len(), 1);
    assert!(!lines[0].starts_with('{'), "text format: {}", lines[0]);

    assert!(matches!(
        wats_log::builder().env_values(Some("yaml"), None),
        Err(Error::InvalidFormat(f)) if f == "yaml"
    ));
    assert_eq!("Text".parse::<Format>().unwrap(), Format::Text);
    let bad = wats_log::builder().directives("app=notalevel").build();
    assert!(
        matches!(bad, Err(Error::InvalidFilter { ref directives, .. }) if directives == "app=notalevel")
    );
}

#[test]
fn escaping_of_message_names_and_values() {
    let nasty = "q\" b\\ nl\n cr\r tab\t nul\u{0} us\u{1f} del\u{7f} ü 日本 🚀";
    let v = capture_one(|| {
        let span = info_span!("s", "span.field" = nasty, correlation_id = nasty);
        let _g = span.enter();
        info!("we\"ird" = nasty, "msg {nasty}");
    });
    assert_eq!(v["message"], format!("msg {nasty}"));
    assert_eq!(v["we\"ird"], nasty);
    assert_eq!(v["span.field"], nasty);
    assert_eq!(v["correlation_id"], nasty);
}

#[test]
fn event_without_message_and_huge_event() {
    let big = "x".repeat(200_000);
    let v = capture(|| {
        info!(a = 1);
        info!(big = big.as_str(), "big");
        info!("after big");
    });
    assert_eq!(v[0]["message"], "");
    assert_eq!(v[0]["a"], 1);
    assert_eq!(v[1]["big"].as_str().map(str::len), Some(200_000));
    assert_eq!(v[2]["message"], "after big");
}

#[test]
fn two_layers_share_one_registry() {
    use tracing_subscriber::layer::SubscriberExt as _;
    let json_out = MemoryWriter::new();
    let text_out = MemoryWriter::new();
    let sub = tracing_subscriber::registry()
        .with(json_builder(&json_out).layer())
        .with(
            wats_log::builder()
                .text()
                .redact(Vec::<String>::new())
                .writer(text_out.clone())
                .layer(),
        );
    tracing::subscriber::with_default(sub, || {
        let span = info_span!("wats.call", correlation_id = "two", token = "t0k");
        span.in_scope(|| info!("both"));
    });
    let v: Value = serde_json::from_str(&json_out.lines()[0]).unwrap();
    assert_eq!(v["correlation_id"], "two");
    assert_eq!(v["token"], "[redacted]");
    let text = text_out.lines();
    assert!(
        text[0].contains("[two]") && text[0].contains("token=\"t0k\""),
        "{text:?}"
    );
}

/// A writer that logs while writing (through the same subscriber): must
/// neither panic nor recurse; tracing drops the nested event.
#[derive(Clone)]
struct LoggingWriter {
    inner: MemoryWriter,
}

impl std::io::Write for LoggingWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        info!(k = "v", "from inside the writer");
        self.inner.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> wats_log::MakeWriter<'a> for LoggingWriter {
    type Writer = LoggingWriter;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[test]
fn writer_that_logs_does_not_panic_or_recurse() {
    let inner = MemoryWriter::new();
    let w = LoggingWriter {
        inner: inner.clone(),
    };
    let sub = wats_log::builder().json().writer(w).build().unwrap();
    tracing::subscriber::with_default(sub, || {
        let span = info_span!("wats.call", correlation_id = "outer-id");
        span.in_scope(|| info!("outer"));
        info!("second");
    });
    let lines: Vec<Value> = inner
        .lines()
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["message"], "outer");
    assert_eq!(lines[0]["correlation_id"], "outer-id");
    assert_eq!(lines[1]["message"], "second");
}

#[test]
fn fields_named_like_builtin_keys_do_not_shadow_them() {
    let v = capture_one(|| {
        let span = info_span!("s", message = "span message", thread_id = "t");
        let _g = span.enter();
        info!(
            level = "fake",
            target = "fake",
            timestamp = 0,
            "real message"
        );
    });
    assert_eq!(v["message"], "real message");
    assert_eq!(v["level"], "INFO");
    assert_eq!(v["target"], "json");
    assert!(v["timestamp"].is_string());
    assert!(v["thread_id"].is_u64());
    assert_eq!(v["fields.message"], "span message");
    assert_eq!(v["fields.thread_id"], "t");
    assert_eq!(v["fields.level"], "fake");
    assert_eq!(v["fields.target"], "fake");
    assert_eq!(v["fields.timestamp"], 0);
}
