//! Reading serial numbers out of a take, reserve or export answer: a JSON list, an XML
//! document of `<SN id="..."/>` elements, or a CSV file, bare or inside a JSON string.
//!
//! XML is read with `quick-xml`. CSV is read by the small RFC 4180 reader below, written
//! here rather than taken from the `csv` crate because the workspace does not depend on it
//! and the job is one column of one small file: quoted fields (separators, line breaks and
//! doubled quotes inside), LF / CRLF / CR line ends, `,` `;` or tab separators and an
//! optional header row naming the serial-number column. Malformed input is an
//! [`Error::Decode`], never a panic and never a partial list.

use serde_json::Value;
use wats_core::{Error, Result};

fn decode_error(message: String) -> Error {
    Error::Decode {
        target: "serial numbers",
        path: ".".to_owned(),
        message,
    }
}

/// The serial numbers in a take, reserve or export answer, in the server's order.
///
/// Reads a JSON list (of strings, numbers, or objects with `id`, `serialNumber` or `sn`),
/// XML with `<SN id="..."/>` elements (any namespace prefix, ASCII case ignored), CSV (a
/// header row naming a `SerialNumber`, `SN`, `Serial`, `Id`, `Number` or `Address` column,
/// else the first column), a JSON string holding XML or a multi-line CSV, or an object whose
/// `sn` member holds one of those (the internal reserve answer). An empty body is an empty
/// list.
///
/// ```
/// let csv = b"SerialNumber;State\r\n\"SN;1\";Taken\r\nSN-2;Taken\r\n";
/// assert_eq!(wats_http::parse_serial_numbers(csv).unwrap(), ["SN;1", "SN-2"]);
/// let xml = br#"<SerialNumbers><SN id="A&amp;B"/></SerialNumbers>"#;
/// assert_eq!(wats_http::parse_serial_numbers(xml).unwrap(), ["A&B"]);
/// ```
///
/// # Errors
/// [`Error::Decode`] for malformed JSON, XML or CSV (an unterminated quote, text after a
/// closing quote) and for JSON that names no serial number.
pub fn parse_serial_numbers(body: &[u8]) -> Result<Vec<String>> {
    let text = String::from_utf8_lossy(body);
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    if trimmed.is_empty() || trimmed == "null" {
        return Ok(Vec::new());
    }
    if trimmed.starts_with('<') {
        return parse_sn_xml(trimmed);
    }
    if trimmed.starts_with(['[', '{']) {
        let value: Value = wats_core::json::from_slice(trimmed.as_bytes())?;
        return from_value(&value);
    }
    // A JSON string (XML or CSV inside), else a CSV file whose first field is quoted.
    if trimmed.starts_with('"') {
        if let Ok(value) = serde_json::from_str::<Value>(trimmed) {
            return from_value(&value);
        }
    }
    parse_sn_csv(trimmed)
}

fn from_value(value: &Value) -> Result<Vec<String>> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::String(s) => {
            let s = s.trim_start_matches('\u{feff}').trim();
            if s.is_empty() {
                Ok(Vec::new())
            } else if s.starts_with('<') {
                parse_sn_xml(s)
            } else if s.contains(['\n', '\r']) {
                parse_sn_csv(s)
            } else {
                Ok(vec![s.to_owned()])
            }
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                scalar(item)
                    .or_else(|| {
                        ["id", "serialNumber", "sn", "SN", "Id", "SerialNumber"]
                            .iter()
                            .find_map(|k| item.get(*k).and_then(scalar))
                    })
                    .ok_or_else(|| decode_error(format!("element [{i}] names no serial number")))
            })
            .collect(),
        Value::Object(map) => match ["sn", "SN", "serialNumbers"]
            .iter()
            .find_map(|k| map.get(*k))
        {
            Some(inner) => from_value(inner),
            None => Err(decode_error(
                "an object without `sn` or `serialNumbers`".to_owned(),
            )),
        },
        other => Err(decode_error(format!("unexpected answer {other}"))),
    }
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Every `id` attribute of an `SN` element (any namespace prefix, ASCII case ignored), in
/// document order. Parsed with `quick-xml`: entities are decoded, comments and CDATA do not
/// confuse it, and a malformed document is an error, not a partial list.
pub(crate) fn parse_sn_xml(xml: &str) -> Result<Vec<String>> {
    use quick_xml::events::Event;

    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                if !e.local_name().as_ref().eq_ignore_ascii_case(b"SN") {
                    continue;
                }
                for attr in e.attributes() {
                    let attr = attr.map_err(|err| decode_error(format!("XML attribute: {err}")))?;
                    if attr.key.local_name().as_ref().eq_ignore_ascii_case(b"id") {
                        let v = attr
                            .unescape_value()
                            .map_err(|err| decode_error(format!("XML value: {err}")))?;
                        out.push(v.into_owned());
                    }
                }
            }
            Ok(Event::Eof) => return Ok(out),
            Ok(_) => {}
            Err(err) => {
                return Err(decode_error(format!(
                    "XML at byte {}: {err}",
                    reader.error_position()
                )));
            }
        }
    }
}

/// Header names of the serial-number column, compared without case, spaces, `_` and `-`.
const SN_COLUMNS: &[&str] = &[
    "serialnumber",
    "serialnumbers",
    "serialno",
    "serial",
    "sn",
    "id",
    "number",
    "address",
];

fn is_sn_header(field: &str) -> bool {
    let norm: String = field
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect();
    SN_COLUMNS.contains(&norm.as_str())
}

/// The serial numbers of a CSV file: the column a header row names, else the first; empty
/// values are skipped.
pub(crate) fn parse_sn_csv(text: &str) -> Result<Vec<String>> {
    let records = csv_records(text, separator(text))?;
    let mut rows = records.into_iter();
    let Some(first) = rows.next() else {
        return Ok(Vec::new());
    };
    let column = first.iter().position(|f| is_sn_header(f));
    let data = match column {
        Some(_) => None,
        None => Some(first),
    };
    let column = column.unwrap_or(0);
    Ok(data
        .into_iter()
        .chain(rows)
        .filter_map(|mut r| (column < r.len()).then(|| r.swap_remove(column)))
        .filter(|v| !v.is_empty())
        .collect())
}

/// The separator of the first line: whichever of `,`, `;` and tab occurs most outside
/// quotes (`,` on a tie or when none does).
fn separator(text: &str) -> char {
    let mut counts = [0usize; 3];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            ',' if !quoted => counts[0] += 1,
            ';' if !quoted => counts[1] += 1,
            '\t' if !quoted => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).fold(0, |b, i| if counts[i] > counts[b] { i } else { b });
    [',', ';', '\t'][best]
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum At {
    /// Before a field's first character (leading blanks are skipped).
    Start,
    /// Inside an unquoted field.
    Bare,
    /// Inside a quoted field.
    Quoted,
    /// Just after a quote inside a quoted field: a doubled quote or the closing one.
    QuoteInQuoted,
    /// After a closing quote: only blanks, a separator or a line end may follow.
    Closed,
}

/// The records of an RFC 4180 text with separator `sep`. Unquoted fields are trimmed of
/// blanks; quoted fields are kept exactly; blank lines are skipped.
fn csv_records(text: &str, sep: char) -> Result<Vec<Vec<String>>> {
    let mut records = Vec::new();
    let mut record: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut at = At::Start;
    let mut line = 1usize;
    let is_blank = |c: char| c == ' ' || (c == '\t' && sep != '\t');

    let end_field = |record: &mut Vec<String>, field: &mut String, bare: bool| {
        let mut f = std::mem::take(field);
        if bare {
            f.truncate(f.trim_end_matches(is_blank).len());
        }
        record.push(f);
    };
    let end_record = |records: &mut Vec<Vec<String>>, record: &mut Vec<String>| {
        let r = std::mem::take(record);
        // A blank line is one empty unquoted field: skip it.
        if !(r.len() == 1 && r[0].is_empty()) {
            records.push(r);
        }
    };

    for c in text.chars() {
        let newline = c == '\n' || c == '\r';
        match at {
            At::Start | At::Bare if c == sep => {
                end_field(&mut record, &mut field, true);
                at = At::Start;
            }
            At::Start | At::Bare if newline => {
                end_field(&mut record, &mut field, true);
                end_record(&mut records, &mut record);
                at = At::Start;
            }
            At::Start if is_blank(c) => {}
            At::Start if c == '"' => at = At::Quoted,
            At::Start | At::Bare => {
                field.push(c);
                at = At::Bare;
            }
            At::Quoted if c == '"' => at = At::QuoteInQuoted,
            At::Quoted => field.push(c),
            At::QuoteInQuoted if c == '"' => {
                field.push('"');
                at = At::Quoted;
            }
            At::QuoteInQuoted | At::Closed if c == sep => {
                end_field(&mut record, &mut field, false);
                at = At::Start;
            }
            At::QuoteInQuoted | At::Closed if newline => {
                end_field(&mut record, &mut field, false);
                end_record(&mut records, &mut record);
                at = At::Start;
            }
            At::QuoteInQuoted | At::Closed if is_blank(c) => at = At::Closed,
            At::QuoteInQuoted | At::Closed => {
                return Err(decode_error(format!(
                    "CSV line {line}: {c:?} after a closing quote"
                )));
            }
        }
        if newline && at == At::Start {
            line += 1;
        }
    }
    match at {
        At::Quoted => Err(decode_error(format!(
            "CSV line {line}: a quoted field is not closed"
        ))),
        At::Start if record.is_empty() && field.is_empty() => Ok(records),
        At::Start | At::Bare => {
            end_field(&mut record, &mut field, true);
            end_record(&mut records, &mut record);
            Ok(records)
        }
        At::QuoteInQuoted | At::Closed => {
            end_field(&mut record, &mut field, false);
            end_record(&mut records, &mut record);
            Ok(records)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_in_every_form() {
        let xml = r#"<?xml version="1.0"?><SerialNumbers type="PCBA">
            <!-- <SN id="COMMENTED"/> --><SN id="SN-1"/><SN id="A&amp;B">x</SN>
            <ns:sn ID="SN-3"/><Other id="no"/></SerialNumbers>"#;
        let want = ["SN-1", "A&B", "SN-3"];
        assert_eq!(parse_serial_numbers(xml.as_bytes()).unwrap(), want);
        let as_json_string = serde_json::to_vec(xml).unwrap();
        assert_eq!(parse_serial_numbers(&as_json_string).unwrap(), want);
        let reserve = serde_json::to_vec(&serde_json::json!({ "sn": xml })).unwrap();
        assert_eq!(parse_serial_numbers(&reserve).unwrap(), want);
        assert_eq!(
            parse_serial_numbers(br#"["S1", {"id": "S2"}, {"serialNumber": "S3"}, 4]"#).unwrap(),
            ["S1", "S2", "S3", "4"]
        );
        assert!(parse_serial_numbers(b"").unwrap().is_empty());
        assert!(parse_serial_numbers(b"[]").unwrap().is_empty());
        assert!(parse_serial_numbers(b" null ").unwrap().is_empty());
        assert_eq!(parse_serial_numbers(br#""SN-9""#).unwrap(), ["SN-9"]);
    }

    #[test]
    fn csv_answers_with_and_without_a_header() {
        let cases: &[(&str, &[&str])] = &[
            // Header naming the column (not the first), CRLF, a quoted separator.
            (
                "State,SerialNumber\r\nTaken,\"SN,1\"\r\nTaken,SN-2\r\n",
                &["SN,1", "SN-2"],
            ),
            // No header: the first column; blank lines and empty values skipped.
            ("SN-1\n\nSN-2,x\n,y\n", &["SN-1", "SN-2"]),
            // Semicolons (a European export), a BOM, a doubled quote and a line break
            // inside quotes, blanks around fields.
            (
                "\u{feff}Serial Number ; State\n \"A \"\"big\"\" one\" ; Free\n\"two\nlines\";Free",
                &["A \"big\" one", "two\nlines"],
            ),
            // Tabs; a lone CR as line end; no line end at the end.
            ("sn\tstate\rB-1\tFree\rB-2\tFree", &["B-1", "B-2"]),
            // A header only.
            ("SerialNumber\r\n", &[]),
            // A bare word is one serial number.
            ("SN-7", &["SN-7"]),
            // Every field quoted, the header too (not a JSON string).
            (
                "\"State\",\"SerialNumber\"\r\n\"Free\",\"Q-1\"\r\n",
                &["Q-1"],
            ),
            // A short row does not fit the named column: skipped.
            ("a,serialNumber\nonly\nx,S-1\n", &["S-1"]),
        ];
        for (csv, want) in cases {
            assert_eq!(
                parse_serial_numbers(csv.as_bytes()).unwrap(),
                *want,
                "{csv:?}"
            );
        }
        // CSV inside a JSON string (a multi-line one), as the XML form comes.
        let wrapped = serde_json::to_vec("SerialNumber\nS-1\nS-2\n").unwrap();
        assert_eq!(parse_serial_numbers(&wrapped).unwrap(), ["S-1", "S-2"]);
    }

    #[test]
    fn malformed_answers_are_errors() {
        for bad in [
            &b"<SN id=\"a\"><x></SN>"[..],
            b"<SN id=\"unterminated/>",
            b"[true]",
            b"{\"other\": 1}",
            b"[1, 2",
            b"SerialNumber\n\"never closed\n",
            b"SerialNumber\n\"closed\"x\n",
        ] {
            assert!(
                matches!(parse_serial_numbers(bad), Err(Error::Decode { .. })),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    /// Odd bytes never panic: every prefix of a set of hostile inputs, and noise.
    #[test]
    fn odd_input_never_panics() {
        let seeds: [&[u8]; 8] = [
            b"\"a\"\"b\",\"\r\n\"\"\"\r\r\n,,;;\t\t\"",
            "\u{feff}\u{feff}SN;\"é\u{1F600}\";\n\u{0}\"x".as_bytes(),
            b"<SN id='1'/><SN id=\"&bogus;\"/>",
            b"\"\\u0000\\n\\r\"",
            b"\xff\xfe\xfd,\"\xc3\",\n",
            b"{\"sn\":{\"sn\":{\"sn\":\"SerialNumber\\n\\\"x\"}}}",
            b"[\"\",{},{\"id\":null},{\"id\":[]}]",
            b"id\n\"\"\n\" \"\n",
        ];
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut noise = Vec::new();
        for _ in 0..4096 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            noise.push(b",;\t\"\r\n ab<>SN=id{}[]\xc3"[(state % 21) as usize]);
        }
        for seed in seeds.iter().copied().chain([&noise[..]]) {
            for end in 0..=seed.len().min(512) {
                let _ = parse_serial_numbers(&seed[..end]);
            }
        }
        // The noise as a whole, through every separator choice.
        let text = String::from_utf8_lossy(&noise);
        for sep in [',', ';', '\t'] {
            let _ = csv_records(&text, sep);
        }
    }
}
