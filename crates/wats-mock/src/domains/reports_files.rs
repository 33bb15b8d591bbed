//! The files of a stored report in the mock: its attachments (report-level `binaryData` and
//! step attachments, base64 in the WSJF) as one zip archive, written with the `zip` crate,
//! and its certificate, a one-page PDF naming the unit, the process and the result.

use std::io::Write as _;

use base64::Engine;
use serde_json::Value;

/// One attachment of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct File {
    /// Its name (unique within the report's archive).
    pub(crate) name: String,
    /// Its decoded bytes.
    pub(crate) data: Vec<u8>,
}

/// The decoded bytes of an attachment object (`{"name", "contentType", "data"}`); `None`
/// when `data` is missing or not base64.
pub(crate) fn decoded(att: &Value) -> Option<Vec<u8>> {
    let data = att.get("data")?.as_str()?;
    base64::engine::general_purpose::STANDARD
        .decode(data.trim())
        .ok()
}

fn collect_steps<'a>(step: &'a Value, out: &mut Vec<&'a Value>) {
    if let Some(a) = step.get("attachment").filter(|a| a.is_object()) {
        out.push(a);
    }
    for c in step
        .get("steps")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        collect_steps(c, out);
    }
}

/// Every attachment of a WSJF report, report-level first, then the steps' in tree order.
/// Attachments whose data is not base64 are left out; a name used twice gets ` (2)`, ` (3)`,
/// .. before its extension, so every archive entry is distinct.
pub(crate) fn attachments(report: &Value) -> Vec<File> {
    let mut found: Vec<&Value> = report
        .get("binaryData")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    if let Some(root) = report.get("root") {
        collect_steps(root, &mut found);
    }
    let mut out: Vec<File> = Vec::with_capacity(found.len());
    for (i, att) in found.into_iter().enumerate() {
        let Some(data) = decoded(att) else { continue };
        let base = att
            .get("name")
            .and_then(Value::as_str)
            .map(|n| n.replace(['/', '\\'], "_"))
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| format!("attachment-{}", i + 1));
        let mut name = base.clone();
        let mut n = 1;
        while out.iter().any(|f| f.name.eq_ignore_ascii_case(&name)) {
            n += 1;
            name = match base.rsplit_once('.') {
                Some((stem, ext)) if !stem.is_empty() => format!("{stem} ({n}).{ext}"),
                _ => format!("{base} ({n})"),
            };
        }
        out.push(File { name, data });
    }
    out
}

/// `files` as a zip archive (deflated entries).
///
/// # Errors
/// The writer's message (it writes to memory, so in practice never).
pub(crate) fn zip(files: &[File]) -> Result<Vec<u8>, String> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for f in files {
        w.start_file(f.name.as_str(), options)
            .map_err(|e| e.to_string())?;
        w.write_all(&f.data).map_err(|e| e.to_string())?;
    }
    w.finish()
        .map(std::io::Cursor::into_inner)
        .map_err(|e| e.to_string())
}

/// A PDF string literal: `(`, `)` and `\` escaped, anything outside printable ASCII as `?`.
fn pdf_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('(');
    for c in s.chars() {
        match c {
            '(' | ')' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            _ => out.push('?'),
        }
    }
    out.push(')');
    out
}

/// A one-page PDF certificate with one line per `(label, value)`.
///
/// Written by hand: five objects and a cross-reference table are all a text-only page
/// needs, and no PDF crate is in the tree (adding one for a test server's stand-in
/// document would cost more than these lines).
pub(crate) fn certificate_pdf(lines: &[(&str, String)]) -> Vec<u8> {
    let mut content = String::from("BT /F1 14 Tf 72 760 Td (Certificate of conformance) Tj\n");
    content.push_str("/F1 11 Tf 0 -28 Td\n");
    for (label, value) in lines {
        content.push_str(&pdf_string(&format!("{label}: {value}")));
        content.push_str(" Tj 0 -16 Td\n");
    }
    content.push_str("ET");
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] \
         /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
            .to_owned(),
        format!(
            "<< /Length {} >>\nstream\n{content}\nendstream",
            content.len()
        ),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    pdf.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        pdf.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    pdf.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    pdf
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use serde_json::json;

    use super::*;

    #[test]
    fn attachments_in_order_with_distinct_names_and_zip_round_trip() {
        let report = json!({
            "binaryData": [
                {"name": "log.txt", "contentType": "text/plain", "data": "bGluZSAx"},
                {"name": "bad", "data": "not base64 !"},
                {"name": "LOG.txt", "data": "Mg=="}
            ],
            "root": {"steps": [
                {"attachment": {"name": "log.txt", "data": "Mw=="}},
                {"steps": [{"attachment": {"name": "a/b.png", "data": "iVA="}}]},
                {"attachment": null}
            ]}
        });
        let files = attachments(&report);
        let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["log.txt", "LOG (2).txt", "log (3).txt", "a_b.png"]);
        assert_eq!(files[0].data, b"line 1");
        assert_eq!(files[3].data, [0x89, b'P']);

        let bytes = zip(&files).unwrap();
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(archive.len(), 4);
        for f in &files {
            let mut entry = archive.by_name(&f.name).unwrap();
            let mut got = Vec::new();
            entry.read_to_end(&mut got).unwrap();
            assert_eq!(got, f.data, "{}", f.name);
        }
        let empty = zip(&[]).unwrap();
        assert_eq!(
            zip::ZipArchive::new(std::io::Cursor::new(empty))
                .unwrap()
                .len(),
            0
        );
    }

    #[test]
    fn certificate_is_a_pdf_with_a_correct_xref() {
        let pdf = certificate_pdf(&[("Serial number", "SN (1)\\ü".to_owned())]);
        let text = String::from_utf8(pdf.clone()).unwrap();
        assert!(text.starts_with("%PDF-1.4\n"));
        assert!(text.ends_with("%%EOF\n"));
        assert!(text.contains("(Serial number: SN \\(1\\)\\\\?) Tj"));
        // Every xref offset points at its object.
        let xref_at: usize = text
            .rsplit("startxref\n")
            .next()
            .and_then(|t| t.lines().next())
            .unwrap()
            .parse()
            .unwrap();
        assert!(text[xref_at..].starts_with("xref\n"));
        for (n, line) in text[xref_at..].lines().skip(3).take(5).enumerate() {
            let off: usize = line[..10].parse().unwrap();
            assert!(
                text[off..].starts_with(&format!("{} 0 obj", n + 1)),
                "object {}",
                n + 1
            );
        }
    }
}
