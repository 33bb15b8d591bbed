//! Escaping and field rendering shared by the JSON and text formats.

use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit};

use crate::Format;

/// Placeholder written instead of the value of a redacted field.
pub(crate) const REDACTED: &str = "[redacted]";

/// Bytes that JSON requires to be escaped inside a string: `"`, `\` and the
/// control characters U+0000..=U+001F. Everything else (including non-ASCII
/// UTF-8) is passed through unchanged.
const fn needs_json_escape(b: u8) -> bool {
    b < 0x20 || b == b'"' || b == b'\\'
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn push_control(out: &mut String, b: u8) {
    match b {
        b'\n' => out.push_str("\\n"),
        b'\r' => out.push_str("\\r"),
        b'\t' => out.push_str("\\t"),
        0x08 => out.push_str("\\b"),
        0x0c => out.push_str("\\f"),
        _ => {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
}

/// True if any byte of the 8 packed in `x` is `"`, `\` or below 0x20
/// (SWAR: "has a zero byte" / "has a byte less than n" bit tricks).
fn chunk_needs_escape(x: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let quote = x ^ (ONES * b'"' as u64);
    let backslash = x ^ (ONES * b'\\' as u64);
    let has_zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let below_space = x.wrapping_sub(ONES * 0x20) & !x & HIGHS;
    (has_zero(quote) | has_zero(backslash) | below_space) != 0
}

/// Length of the leading run of `bytes` that needs no escaping, checked 8
/// bytes at a time.
fn clean_prefix_len(bytes: &[u8]) -> usize {
    let mut i = 0;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0_u8; 8];
        word.copy_from_slice(chunk);
        if chunk_needs_escape(u64::from_le_bytes(word)) {
            break;
        }
        i += 8;
    }
    while i < bytes.len() && !needs_json_escape(bytes[i]) {
        i += 1;
    }
    i
}

/// Appends `s` escaped for the inside of a JSON string (no quotes added).
pub(crate) fn escape_json(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    loop {
        let clean = start + clean_prefix_len(&bytes[start..]);
        // `clean` is a char boundary: it is the end of `s` or an ASCII byte.
        out.push_str(&s[start..clean]);
        let Some(&b) = bytes.get(clean) else {
            return;
        };
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            _ => push_control(out, b),
        }
        start = clean + 1;
    }
}

/// Appends `s` for a text line: control characters are escaped (so a line
/// stays one line), everything else is kept as is.
pub(crate) fn escape_text(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b >= 0x20 {
            continue;
        }
        out.push_str(&s[start..i]);
        push_control(out, b);
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

/// A `fmt::Write` adapter that escapes everything written through it.
struct Escaper<'a> {
    out: &'a mut String,
    json: bool,
}

impl fmt::Write for Escaper<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.json {
            escape_json(self.out, s);
        } else {
            escape_text(self.out, s);
        }
        Ok(())
    }
}

/// Appends the `Debug` output of `value`, escaped for the format.
pub(crate) fn push_debug_escaped(out: &mut String, json: bool, value: &dyn fmt::Debug) {
    // Our writer never fails; a failing Debug impl only truncates its own value.
    let _ = write!(Escaper { out, json }, "{value:?}");
}

/// Appends the `Display` output of `value`, escaped for the format.
fn push_display_escaped(out: &mut String, json: bool, value: &dyn fmt::Display) {
    let _ = write!(Escaper { out, json }, "{value}");
}

/// Keys the JSON line writes itself; a span or event field with one of these
/// names is written as `fields.<name>` so it cannot shadow the real value.
const RESERVED_KEYS: [&str; 5] = ["timestamp", "level", "target", "message", "thread_id"];

fn is_reserved(key: &str) -> bool {
    matches!(key.len(), 5..=7 | 9) && RESERVED_KEYS.contains(&key)
}

/// Writes `key` followed by the separator: `"key":` (JSON) or `key=` (text).
pub(crate) fn push_key(out: &mut String, format: Format, key: &str) {
    match format {
        Format::Json => {
            out.push('"');
            if is_reserved(key) {
                out.push_str("fields.");
            }
            escape_json(out, key);
            out.push_str("\":");
        }
        Format::Text => {
            escape_text(out, key);
            out.push('=');
        }
    }
}

/// A string value: quoted and escaped in both formats.
pub(crate) fn push_str_value(out: &mut String, s: &str) {
    out.push('"');
    escape_json(out, s);
    out.push('"');
}

/// Per-layer settings the visitors need.
#[derive(Debug)]
pub(crate) struct FieldConfig {
    pub(crate) format: Format,
    /// Name of the field that carries the correlation id.
    pub(crate) correlation_field: String,
    /// Field names whose values are replaced by [`REDACTED`].
    redact: Vec<String>,
    /// Bit `n` set if some redacted name has length `n` (lengths of 63 and
    /// more share bit 63): a quick reject before comparing names.
    redact_lengths: u64,
}

impl FieldConfig {
    pub(crate) fn new(format: Format, correlation_field: String, redact: Vec<String>) -> Self {
        let redact_lengths = redact.iter().fold(0, |m, r| m | length_bit(r.len()));
        FieldConfig {
            format,
            correlation_field,
            redact,
            redact_lengths,
        }
    }

    /// The redacted field names.
    pub(crate) fn redacted(&self) -> &[String] {
        &self.redact
    }

    fn is_redacted(&self, name: &str) -> bool {
        self.redact_lengths & length_bit(name.len()) != 0
            && self.redact.iter().any(|r| r.eq_ignore_ascii_case(name))
    }
}

fn length_bit(len: usize) -> u64 {
    1 << len.min(63)
}

/// The value of one field, borrowed from the visitor callback.
#[derive(Clone, Copy)]
pub(crate) enum Value<'a> {
    Str(&'a str),
    I64(i64),
    U64(u64),
    I128(i128),
    U128(u128),
    F64(f64),
    Bool(bool),
    Error(&'a (dyn std::error::Error + 'static)),
    Debug(&'a dyn fmt::Debug),
}

impl Value<'_> {
    /// Appends the value in the given format.
    pub(crate) fn render(self, out: &mut String, format: Format) {
        let json = format == Format::Json;
        match self {
            Value::Str(s) => push_str_value(out, s),
            Value::I64(v) => out.push_str(itoa::Buffer::new().format(v)),
            Value::U64(v) => out.push_str(itoa::Buffer::new().format(v)),
            Value::I128(v) => out.push_str(itoa::Buffer::new().format(v)),
            Value::U128(v) => out.push_str(itoa::Buffer::new().format(v)),
            Value::F64(v) => {
                if v.is_finite() {
                    // Rust's Display for f64 is a valid JSON number (no exponent,
                    // shortest round-trip digits).
                    let _ = write!(out, "{v}");
                } else if json {
                    // JSON has no NaN or infinity: keep the information as a string.
                    let _ = write!(out, "\"{v}\"");
                } else {
                    let _ = write!(out, "{v}");
                }
            }
            Value::Bool(v) => out.push_str(if v { "true" } else { "false" }),
            Value::Error(e) => {
                out.push('"');
                push_display_escaped(out, true, &e);
                out.push('"');
            }
            Value::Debug(d) => {
                if json {
                    out.push('"');
                    push_debug_escaped(out, true, d);
                    out.push('"');
                } else {
                    push_debug_escaped(out, false, d);
                }
            }
        }
    }

    /// Appends the value as plain (unquoted) text, escaped for the format;
    /// used for the message and the correlation id, which are always strings.
    pub(crate) fn render_plain(self, out: &mut String, format: Format) {
        let json = format == Format::Json;
        let esc = |out: &mut String, s: &str| {
            if json {
                escape_json(out, s);
            } else {
                escape_text(out, s);
            }
        };
        match self {
            Value::Str(s) => esc(out, s),
            Value::I64(v) => out.push_str(itoa::Buffer::new().format(v)),
            Value::U64(v) => out.push_str(itoa::Buffer::new().format(v)),
            Value::I128(v) => out.push_str(itoa::Buffer::new().format(v)),
            Value::U128(v) => out.push_str(itoa::Buffer::new().format(v)),
            Value::F64(v) => {
                let _ = write!(out, "{v}");
            }
            Value::Bool(v) => out.push_str(if v { "true" } else { "false" }),
            Value::Error(e) => push_display_escaped(out, json, &e),
            Value::Debug(d) => push_debug_escaped(out, json, d),
        }
    }
}

/// Something that receives the fields of a span or event one at a time.
pub(crate) trait Sink {
    fn field(&mut self, field: &Field, value: Value<'_>);
}

/// Adapts a [`Sink`] to tracing's [`Visit`].
pub(crate) struct Visitor<'a, S>(pub(crate) &'a mut S);

impl<S: Sink> Visit for Visitor<'_, S> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.field(field, Value::Str(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.field(field, Value::I64(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.field(field, Value::U64(value));
    }
    fn record_i128(&mut self, field: &Field, value: i128) {
        self.0.field(field, Value::I128(value));
    }
    fn record_u128(&mut self, field: &Field, value: u128) {
        self.0.field(field, Value::U128(value));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.field(field, Value::F64(value));
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.field(field, Value::Bool(value));
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.0.field(field, Value::Error(value));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.field(field, Value::Debug(value));
    }
}

/// One rendered field inside [`SpanFields::rendered`].
#[derive(Debug)]
struct Entry {
    name: &'static str,
    start: usize,
    end: usize,
}

/// The fields of one span, rendered ONCE (at creation and on `record`) as a
/// ready-to-copy fragment: `"a":1,"b":"x"` for JSON, `a=1 b="x"` for text.
#[derive(Debug, Default)]
pub(crate) struct SpanFields {
    pub(crate) rendered: String,
    entries: Vec<Entry>,
    /// The span's correlation id, already escaped for the format.
    pub(crate) correlation_id: Option<String>,
}

impl SpanFields {
    /// Appends (or replaces, if recorded before) the field `name`.
    fn set(&mut self, format: Format, name: &'static str, render: impl FnOnce(&mut String)) {
        let sep = match format {
            Format::Json => ',',
            Format::Text => ' ',
        };
        let old = self.entries.iter().position(|e| e.name == name);
        if !self.rendered.is_empty() {
            self.rendered.push(sep);
        }
        let start = self.rendered.len();
        push_key(&mut self.rendered, format, name);
        render(&mut self.rendered);
        let end = self.rendered.len();
        self.entries.push(Entry { name, start, end });
        if let Some(i) = old {
            let old = self.entries.remove(i);
            // Remove the old entry together with the separator after it (there
            // is one: the new entry was appended behind it).
            let removed = old.end + 1 - old.start;
            self.rendered.replace_range(old.start..=old.end, "");
            for e in &mut self.entries[i..] {
                e.start -= removed;
                e.end -= removed;
            }
        }
    }
}

/// Records span fields into a [`SpanFields`].
pub(crate) struct SpanSink<'a> {
    pub(crate) cfg: &'a FieldConfig,
    pub(crate) fields: &'a mut SpanFields,
}

impl Sink for SpanSink<'_> {
    fn field(&mut self, field: &Field, value: Value<'_>) {
        let name = field.name();
        let format = self.cfg.format;
        if name == self.cfg.correlation_field {
            let mut cid = self.fields.correlation_id.take().unwrap_or_default();
            cid.clear();
            value.render_plain(&mut cid, format);
            self.fields.correlation_id = Some(cid);
        } else if self.cfg.is_redacted(name) {
            self.fields
                .set(format, name, |out| push_str_value(out, REDACTED));
        } else {
            self.fields
                .set(format, name, |out| value.render(out, format));
        }
    }
}

/// Records event fields into the per-thread scratch buffers.
pub(crate) struct EventSink<'a> {
    pub(crate) cfg: &'a FieldConfig,
    /// Event fields, each preceded by its separator.
    pub(crate) fields: &'a mut String,
    /// The message, escaped, without quotes.
    pub(crate) message: &'a mut String,
    /// The event's own correlation id, escaped, without quotes.
    pub(crate) correlation_id: &'a mut String,
    pub(crate) has_correlation_id: bool,
}

impl Sink for EventSink<'_> {
    fn field(&mut self, field: &Field, value: Value<'_>) {
        let name = field.name();
        let format = self.cfg.format;
        if name == "message" {
            self.message.clear();
            value.render_plain(self.message, format);
        } else if name == self.cfg.correlation_field {
            self.correlation_id.clear();
            value.render_plain(self.correlation_id, format);
            self.has_correlation_id = true;
        } else {
            match format {
                Format::Json => self.fields.push(','),
                Format::Text => self.fields.push(' '),
            }
            push_key(self.fields, format, name);
            if self.cfg.is_redacted(name) {
                push_str_value(self.fields, REDACTED);
            } else {
                value.render(self.fields, format);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(s: &str) -> String {
        let mut out = String::new();
        escape_json(&mut out, s);
        out
    }

    #[test]
    fn json_escapes_quotes_backslashes_and_controls() {
        assert_eq!(json(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(json("\n\r\t\u{8}\u{c}"), r"\n\r\t\b\f");
        assert_eq!(json("\u{0}\u{1f}\u{1}"), r"\u0000\u001f\u0001");
        assert_eq!(json("grüß 🚀 \u{7f}"), "grüß 🚀 \u{7f}");
        assert_eq!(json(""), "");
    }

    #[test]
    fn swar_scan_finds_every_special_byte_at_every_position() {
        for special in (0_u8..0x20).chain([b'"', b'\\']) {
            for len in 1..20 {
                for pos in 0..len {
                    let mut bytes = vec![b'a'; len];
                    bytes[pos] = special;
                    assert_eq!(
                        clean_prefix_len(&bytes),
                        pos,
                        "byte {special:#x} at {pos}/{len}"
                    );
                }
            }
        }
        // Bytes next to the specials, and non-ASCII, need no escaping.
        let fine: Vec<u8> = [0x20_u8, b'!', b'#', b'[', b']', 0x7f, 0x80, 0xff].repeat(3);
        assert_eq!(clean_prefix_len(&fine), fine.len());
    }

    #[test]
    fn text_escapes_only_controls() {
        let mut out = String::new();
        escape_text(&mut out, "a\"b\nc\u{0}");
        assert_eq!(out, "a\"b\\nc\\u0000");
    }

    #[test]
    fn span_fields_replace_on_rerecord() {
        let mut f = SpanFields::default();
        f.set(Format::Json, "a", |o| o.push('1'));
        f.set(Format::Json, "b", |o| o.push('2'));
        f.set(Format::Json, "c", |o| o.push('3'));
        assert_eq!(f.rendered, r#""a":1,"b":2,"c":3"#);
        f.set(Format::Json, "b", |o| o.push_str("22"));
        assert_eq!(f.rendered, r#""a":1,"c":3,"b":22"#);
        f.set(Format::Json, "a", |o| o.push_str("11"));
        assert_eq!(f.rendered, r#""c":3,"b":22,"a":11"#);
        f.set(Format::Json, "a", |o| o.push('0'));
        assert_eq!(f.rendered, r#""c":3,"b":22,"a":0"#);
        let mut t = SpanFields::default();
        t.set(Format::Text, "x", |o| o.push('1'));
        t.set(Format::Text, "x", |o| o.push('2'));
        assert_eq!(t.rendered, "x=2");
    }
}
