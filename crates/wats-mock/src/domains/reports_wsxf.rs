//! WSXF (the WATS Standard XML Format) in the mock, both ways, with `quick-xml`:
//!
//! - [`to_wsjf`] reads enough of a submitted WSXF report to store it as WSJF: its id, type,
//!   identity (`SN`, `PN`, `Rev`), result, start, station, process, the `UUT`/`UUR` block,
//!   misc infos and the unit hierarchy. That is what the header query and the header search
//!   by misc info read; the step tree is not converted (a WSXF report keeps its original XML,
//!   answered verbatim by `GET /api/Report/Wsxf/{id}`).
//! - [`to_wsxf`] writes a stored WSJF report as WSXF: the report element, `UUT`/`UUR`,
//!   `Process`, `MiscInfo`, `ReportUnitHierarchy` and the step tree (name, type, status,
//!   numeric measurements, attachments by name). Every value is escaped by the writer.
//!
//! The element and attribute names follow the server's WSXF exports
//! (`<Reports xmlns="http://wats.virinco.com/schemas/WATS/Report/wsxf"><Report type="UUT"
//! ID=".." Start=".." Result="Passed" SN=".." PN=".." Rev="..">`).

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use serde_json::{Map, Value, json};

/// The WSXF namespace.
pub(crate) const NAMESPACE: &str = "http://wats.virinco.com/schemas/WATS/Report/wsxf";

/// WSJF status codes and their WSXF words.
const STATUS: [(&str, &str); 6] = [
    ("P", "Passed"),
    ("F", "Failed"),
    ("E", "Error"),
    ("T", "Terminated"),
    ("D", "Done"),
    ("S", "Skipped"),
];

/// The WSXF word of a WSJF status code (unknown codes kept).
fn status_word(code: &str) -> &str {
    STATUS
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(code))
        .map_or(code, |(_, w)| w)
}

/// The WSJF code of a WSXF status word (unknown words kept).
fn status_code(word: &str) -> &str {
    STATUS
        .iter()
        .find(|(c, w)| w.eq_ignore_ascii_case(word) || c.eq_ignore_ascii_case(word))
        .map_or(word, |(c, _)| c)
}

/// A WSXF report read as WSJF.
#[derive(Debug)]
pub(crate) struct Parsed {
    /// The WSJF object (`type`, `id` if the XML has one, `pn`, `sn`, ...).
    pub(crate) wsjf: Value,
    /// Whether the XML named the report's id (`ID`).
    pub(crate) has_id: bool,
}

/// The attributes of an element, by local name, unescaped.
fn attributes(e: &BytesStart<'_>) -> Result<Map<String, Value>, String> {
    let mut out = Map::new();
    for a in e.attributes() {
        let a = a.map_err(|e| format!("XML attribute: {e}"))?;
        let v = a
            .unescape_value()
            .map_err(|e| format!("XML value: {e}"))?
            .into_owned();
        let k = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
        out.insert(k, Value::String(v));
    }
    Ok(out)
}

/// Attribute `k` (ASCII case ignored), as a JSON string or `null`.
fn attr(a: &Map<String, Value>, k: &str) -> Value {
    a.iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(k))
        .map_or(Value::Null, |(_, v)| v.clone())
}

/// Attribute `k` as a JSON number when it parses as one, else `null`.
fn num(a: &Map<String, Value>, k: &str) -> Value {
    match attr(a, k) {
        Value::String(s) => s
            .trim()
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| s.trim().parse::<f64>().map(|f| json!(f)))
            .unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

/// Where the text of the element being read goes.
#[derive(Debug, Clone, Copy)]
enum TextTarget {
    None,
    /// `Comment` of the `UUT`/`UUR` block.
    Comment,
    /// The value of the last `MiscInfo`.
    Misc,
}

/// Reads a WSXF document (the first `Report` of it) as WSJF.
///
/// # Errors
/// A message when the XML is malformed or holds no `Report` element.
pub(crate) fn to_wsjf(xml: &[u8]) -> Result<Parsed, String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut stack: Vec<Vec<u8>> = Vec::new();
    let mut report: Option<Map<String, Value>> = None;
    let mut info = Map::new();
    let mut misc: Vec<Value> = Vec::new();
    let mut subs: Vec<Value> = Vec::new();
    let mut text = TextTarget::None;
    let mut text_buf = String::new();
    loop {
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| format!("XML at byte {}: {e}", reader.error_position()))?;
        let collecting = !matches!(text, TextTarget::None);
        match event {
            Event::Eof => break,
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(event, Event::Empty(_));
                let name = e.local_name().as_ref().to_vec();
                let a = attributes(e)?;
                let parent = stack.last().map(Vec::as_slice);
                // Only the first report's own elements (not a step's).
                let in_report = parent == Some(b"Report") && stack.len() == 2;
                match name.as_slice() {
                    b"Report" if report.is_none() => report = Some(a),
                    b"UUT" | b"UUR" if in_report => {
                        info.insert("user".into(), attr(&a, "UserLoginName"));
                        info.insert("batchSN".into(), attr(&a, "BatchSN"));
                        info.insert("execTime".into(), num(&a, "ExecutionTime"));
                        info.insert("fixtureId".into(), attr(&a, "FixtureId"));
                        info.insert("errorMessage".into(), attr(&a, "ErrorMessage"));
                        info.insert("refUUT".into(), attr(&a, "ReferencedUUT"));
                    }
                    b"Comment" if matches!(parent, Some(b"UUT" | b"UUR")) && stack.len() == 3 => {
                        text = TextTarget::Comment;
                    }
                    b"Process" if in_report => {
                        if let Some(r) = report.as_mut() {
                            r.insert("processCode".into(), num(&a, "Code"));
                            r.insert("processName".into(), attr(&a, "Name"));
                        }
                    }
                    b"MiscInfo" if in_report => {
                        let numeric = num(&a, "Numeric");
                        misc.push(json!({"description": attr(&a, "Description"),
                            "text": Value::Null, "numeric": numeric}));
                        text = TextTarget::Misc;
                    }
                    b"ReportUnitHierarchy" if in_report => subs.push(json!({
                        "pn": attr(&a, "PN"), "sn": attr(&a, "SN"), "rev": attr(&a, "Rev"),
                        "partType": attr(&a, "PartType"), "position": num(&a, "Position"),
                    })),
                    _ => {}
                }
                if empty {
                    text = TextTarget::None;
                } else {
                    stack.push(name);
                    text_buf.clear();
                }
            }
            Event::Text(t) if collecting => {
                text_buf.push_str(&t.decode().map_err(|e| format!("XML text: {e}"))?);
            }
            Event::CData(t) if collecting => {
                text_buf.push_str(&t.decode().map_err(|e| format!("XML text: {e}"))?);
            }
            Event::GeneralRef(r) if collecting => {
                let ch = r.resolve_char_ref().map_err(|e| format!("XML text: {e}"))?;
                match ch {
                    Some(c) => text_buf.push(c),
                    None => {
                        let name = r.decode().map_err(|e| format!("XML text: {e}"))?;
                        let resolved = quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| format!("XML text: unknown entity &{name};"))?;
                        text_buf.push_str(resolved);
                    }
                }
            }
            Event::End(_) => {
                stack.pop();
                match std::mem::replace(&mut text, TextTarget::None) {
                    TextTarget::Comment => {
                        info.insert("comment".into(), Value::String(text_buf.clone()));
                    }
                    TextTarget::Misc => {
                        if let Some(m) = misc.last_mut() {
                            if !text_buf.is_empty() {
                                m["text"] = Value::String(text_buf.clone());
                            }
                        }
                    }
                    TextTarget::None => {}
                }
                text_buf.clear();
            }
            _ => {}
        }
        buf.clear();
    }
    let Some(r) = report else {
        return Err("The WSXF document holds no Report element.".into());
    };
    let kind = match attr(&r, "type").as_str().map(str::to_ascii_uppercase) {
        Some(t) if t == "UUR" || t == "R" => "R",
        _ => "T",
    };
    let id = attr(&r, "ID");
    let has_id = id.is_string();
    let mut w = Map::new();
    w.insert("type".into(), json!(kind));
    if has_id {
        w.insert("id".into(), id);
    }
    for (k, x) in [
        ("pn", "PN"),
        ("sn", "SN"),
        ("rev", "Rev"),
        ("start", "Start"),
        ("startUTC", "Start_utc"),
        ("machineName", "MachineName"),
        ("location", "Location"),
        ("purpose", "Purpose"),
        ("processName", "processName"),
    ] {
        w.insert(k.into(), attr(&r, x));
    }
    w.insert(
        "processCode".into(),
        r.get("processCode").cloned().unwrap_or(Value::Null),
    );
    if let Value::String(res) = attr(&r, "Result") {
        w.insert("result".into(), json!(status_code(&res)));
    }
    w.insert(
        if kind == "T" { "uut" } else { "uur" }.into(),
        Value::Object(info),
    );
    w.insert("miscInfos".into(), Value::Array(misc));
    w.insert("subUnits".into(), Value::Array(subs));
    Ok(Parsed {
        wsjf: Value::Object(w),
        has_id,
    })
}

/// A JSON member as attribute text: strings as they are, numbers and booleans printed,
/// `null` and absent members left out.
fn text_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "1" } else { "0" }.to_owned()),
        _ => None,
    }
}

/// An element with the attributes of `pairs` whose values are set.
fn element<'a>(name: &'a str, pairs: &[(&str, Option<String>)]) -> BytesStart<'a> {
    let mut el = BytesStart::new(name);
    for (k, v) in pairs {
        if let Some(v) = v {
            el.push_attribute((*k, v.as_str()));
        }
    }
    el
}

type W = Writer<Vec<u8>>;

fn io(e: &std::io::Error) -> String {
    e.to_string()
}

fn write_step(w: &mut W, step: &Value) -> Result<(), String> {
    let get = |k: &str| text_of(step.get(k));
    let status = get("status").map(|s| status_word(&s).to_owned());
    let el = element(
        "Step",
        &[
            ("Id", get("id")),
            ("Group", get("group")),
            ("Name", get("name")),
            ("StepType", get("stepType")),
            ("Status", status),
        ],
    );
    w.write_event(Event::Start(el)).map_err(|e| io(&e))?;
    for m in step
        .get("numericMeas")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let g = |k: &str| text_of(m.get(k));
        let status = g("status").map(|s| status_word(&s).to_owned());
        let el = element(
            "NumericLimit",
            &[
                ("Name", g("name")),
                ("NumericValue", g("value")),
                ("LowLimit", g("lowLimit")),
                ("HighLimit", g("highLimit")),
                ("Units", g("unit")),
                ("CompOperator", g("compOp")),
                ("Status", status),
            ],
        );
        w.write_event(Event::Empty(el)).map_err(|e| io(&e))?;
    }
    if let Some(att) = step.get("attachment").filter(|a| a.is_object()) {
        let size = super::files::decoded(att).map(|b| b.len().to_string());
        let el = element(
            "Attachment",
            &[
                ("Name", text_of(att.get("name"))),
                ("ContentType", text_of(att.get("contentType"))),
                ("Size", size),
            ],
        );
        w.write_event(Event::Empty(el)).map_err(|e| io(&e))?;
    }
    for child in step
        .get("steps")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        write_step(w, child)?;
    }
    w.write_event(Event::End(BytesEnd::new("Step")))
        .map_err(|e| io(&e))?;
    Ok(())
}

/// A stored WSJF report written as WSXF.
///
/// # Errors
/// A message when the report is not a JSON object (or, in principle, the writer fails).
pub(crate) fn to_wsxf(wsjf: &[u8]) -> Result<Vec<u8>, String> {
    let r: Value = serde_json::from_slice(wsjf).map_err(|e| e.to_string())?;
    if !r.is_object() {
        return Err("The report is not a JSON object.".into());
    }
    let get = |k: &str| text_of(r.get(k));
    let uur = r.get("type").and_then(Value::as_str) == Some("R");
    let mut w = Writer::new(Vec::with_capacity(1024 + wsjf.len() / 2));
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("utf-8"), None)))
        .map_err(|e| io(&e))?;
    let mut root = BytesStart::new("Reports");
    root.push_attribute(("xmlns", NAMESPACE));
    w.write_event(Event::Start(root)).map_err(|e| io(&e))?;
    let result = get("result").map(|s| status_word(&s).to_owned());
    let report = element(
        "Report",
        &[
            ("type", Some(if uur { "UUR" } else { "UUT" }.to_owned())),
            ("ID", get("id")),
            ("Start_utc", get("startUTC")),
            ("Start", get("start")),
            ("Result", result),
            ("SN", get("sn")),
            ("PN", get("pn")),
            ("Rev", get("rev")),
            ("MachineName", get("machineName")),
            ("Location", get("location")),
            ("Purpose", get("purpose")),
        ],
    );
    w.write_event(Event::Start(report)).map_err(|e| io(&e))?;
    let (block, info) = if uur {
        ("UUR", r.get("uur"))
    } else {
        ("UUT", r.get("uut"))
    };
    if let Some(info) = info.filter(|i| i.is_object()) {
        let g = |k: &str| text_of(info.get(k));
        let el = element(
            block,
            &[
                ("UserLoginName", g("user")),
                ("BatchSN", g("batchSN")),
                ("ExecutionTime", g("execTime")),
                ("FixtureId", g("fixtureId")),
                ("ErrorMessage", g("errorMessage")),
                ("ReferencedUUT", g("refUUT")),
            ],
        );
        w.write_event(Event::Start(el)).map_err(|e| io(&e))?;
        if let Some(c) = g("comment") {
            w.write_event(Event::Start(BytesStart::new("Comment")))
                .map_err(|e| io(&e))?;
            w.write_event(Event::Text(BytesText::new(&c)))
                .map_err(|e| io(&e))?;
            w.write_event(Event::End(BytesEnd::new("Comment")))
                .map_err(|e| io(&e))?;
        }
        w.write_event(Event::End(BytesEnd::new(block)))
            .map_err(|e| io(&e))?;
    }
    let process = element(
        "Process",
        &[("Code", get("processCode")), ("Name", get("processName"))],
    );
    w.write_event(Event::Empty(process)).map_err(|e| io(&e))?;
    for m in r
        .get("miscInfos")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let el = element(
            "MiscInfo",
            &[
                ("Description", text_of(m.get("description"))),
                ("Numeric", text_of(m.get("numeric"))),
            ],
        );
        match text_of(m.get("text")) {
            Some(t) => {
                w.write_event(Event::Start(el)).map_err(|e| io(&e))?;
                w.write_event(Event::Text(BytesText::new(&t)))
                    .map_err(|e| io(&e))?;
                w.write_event(Event::End(BytesEnd::new("MiscInfo")))
                    .map_err(|e| io(&e))?;
            }
            None => w.write_event(Event::Empty(el)).map_err(|e| io(&e))?,
        }
    }
    for s in r
        .get("subUnits")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let g = |k: &str| text_of(s.get(k));
        let el = element(
            "ReportUnitHierarchy",
            &[
                ("PartType", g("partType")),
                ("PN", g("pn")),
                ("SN", g("sn")),
                ("Rev", g("rev")),
                ("Position", g("position")),
            ],
        );
        w.write_event(Event::Empty(el)).map_err(|e| io(&e))?;
    }
    if let Some(root_step) = r.get("root").filter(|s| s.is_object()) {
        write_step(&mut w, root_step)?;
    }
    w.write_event(Event::End(BytesEnd::new("Report")))
        .map_err(|e| io(&e))?;
    w.write_event(Event::End(BytesEnd::new("Reports")))
        .map_err(|e| io(&e))?;
    Ok(w.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    const UUR: &str = r#"<?xml version="1.0" encoding="utf-8" ?>
<Reports xmlns="http://wats.virinco.com/schemas/WATS/Report/wsxf">
  <Report type="UUR" ID="22F77B28-80B3-4AD4-83B7-6439F1CCC245" Start="2017-07-07T07:17:16.727Z"
          SN="SN &amp; 1" PN="PN-1" Rev="R1" MachineName="Web Client" Location="" Purpose="">
    <UUR UserLoginName="ola" ExecutionTime="122" ReferencedUUT="9EE40DD0-7009-4CEA-92AB-7671C42EA86A">
      <Comment>Comment &lt;on&gt; UUR</Comment>
      <Process Code="10" Name="SW Debug" />
    </UUR>
    <Process Code="500" Name="Repair" />
    <ReportUnitHierarchy Idx="1" PN="Sub-1" SN="S-1" Rev="2" Position="1" />
    <MiscInfo Description="Order">1234<![CDATA[<5>]]></MiscInfo>
    <MiscInfo Description="Count" Numeric="3"/>
  </Report>
</Reports>"#;

    #[test]
    fn reads_a_uur_with_entities_cdata_and_nested_process() {
        let p = to_wsjf(UUR.as_bytes()).unwrap();
        assert!(p.has_id);
        let w = p.wsjf;
        assert_eq!(w["type"], "R");
        assert_eq!(w["id"], "22F77B28-80B3-4AD4-83B7-6439F1CCC245");
        assert_eq!(w["sn"], "SN & 1");
        // The report's own process, not the failed test operation inside `UUR`.
        assert_eq!(w["processCode"], 500);
        assert_eq!(w["uur"]["user"], "ola");
        assert_eq!(w["uur"]["execTime"], 122);
        assert_eq!(w["uur"]["comment"], "Comment <on> UUR");
        assert_eq!(w["uur"]["refUUT"], "9EE40DD0-7009-4CEA-92AB-7671C42EA86A");
        assert_eq!(w["miscInfos"][0]["text"], "1234<5>");
        assert_eq!(w["miscInfos"][1]["numeric"], 3);
        assert_eq!(w["subUnits"][0]["pn"], "Sub-1");
    }

    #[test]
    fn refuses_what_is_not_a_report() {
        assert!(to_wsjf(b"<Reports></Reports>").is_err());
        assert!(to_wsjf(b"<Reports><Report></Reports>").is_err());
        assert!(to_wsxf(b"[1]").is_err());
        assert!(to_wsxf(b"{").is_err());
    }

    #[test]
    fn writes_wsjf_as_wsxf_and_reads_it_back() {
        let wsjf = json!({
            "type": "T", "id": "b0612e7a-ea2f-423f-bfd8-505ca52ab042", "pn": "P<1>", "sn": "S\"1",
            "rev": "A", "result": "F", "processCode": 10, "processName": "SW Debug",
            "start": "2025-12-07T23:58:08+01:00", "machineName": "ST-1",
            "uut": {"user": "op", "comment": "a & b", "execTime": 1.5},
            "miscInfos": [{"description": "Firmware", "text": "1.2", "numeric": null}],
            "subUnits": [{"pn": "PSU", "sn": "P-1", "rev": "B", "partType": "PSU"}],
            "root": {"id": 1, "name": "Main", "stepType": "SequenceCall", "status": "F",
                "steps": [{"id": 2, "name": "V", "stepType": "ET_NLT", "status": "P",
                    "numericMeas": [{"value": 5.0, "unit": "V", "compOp": "LOG", "status": "P"}],
                    "attachment": {"name": "log.txt", "contentType": "text/plain", "data": "aGk="}}]}
        });
        let xml = to_wsxf(&serde_json::to_vec(&wsjf).unwrap()).unwrap();
        let text = String::from_utf8(xml.clone()).unwrap();
        assert!(text.contains(r#"<Report type="UUT" ID="b0612e7a-ea2f-423f-bfd8-505ca52ab042""#));
        assert!(text.contains(r#"Result="Failed" SN="S&quot;1" PN="P&lt;1&gt;""#));
        assert!(text.contains(r#"<Attachment Name="log.txt" ContentType="text/plain" Size="2"/>"#));
        assert!(text.contains(
            r#"<NumericLimit NumericValue="5.0" Units="V" CompOperator="LOG" Status="Passed"/>"#
        ));
        let back = to_wsjf(&xml).unwrap().wsjf;
        for k in [
            "id",
            "pn",
            "sn",
            "rev",
            "result",
            "processCode",
            "machineName",
        ] {
            assert_eq!(back[k], wsjf[k], "{k}");
        }
        assert_eq!(back["uut"]["comment"], "a & b");
        assert_eq!(back["miscInfos"][0]["text"], "1.2");
        assert_eq!(back["subUnits"][0]["sn"], "P-1");
    }
}
