//! Human tables, JSON documents and colours.
//!
//! Colours go through `anstream`, which drops the escape codes when the stream is not a
//! terminal or `NO_COLOR` is set. The table is hand-written: left-aligned columns padded to
//! the widest cell are a dozen lines, not worth a dependency.

use std::io::Write;

use anstyle::{AnsiColor, Style};
use serde::Serialize;

use crate::exit::Failure;

/// Green: delivered, ok.
pub(crate) const GOOD: Style = AnsiColor::Green.on_default();
/// Yellow: spooled, waiting.
pub(crate) const WARN: Style = AnsiColor::Yellow.on_default();
/// Red: rejected, failed.
pub(crate) const BAD: Style = AnsiColor::Red.on_default().bold();
/// Bold: headings.
pub(crate) const HEAD: Style = Style::new().bold();

/// `text` in `style` (plain when colours are off: anstream strips the codes).
pub(crate) fn paint(style: Style, text: &str) -> String {
    format!("{style}{text}{style:#}")
}

/// Print one JSON document on stdout.
pub(crate) fn json<T: Serialize + ?Sized>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::failed(format!("cannot encode JSON output: {e}")))?;
    line(&text)
}

/// Print one JSON line on stdout (for streams), flushed at once.
pub(crate) fn json_line<T: Serialize + ?Sized>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string(value)
        .map_err(|e| Failure::failed(format!("cannot encode JSON output: {e}")))?;
    line(&text)
}

/// Print a line on stdout (colours stripped when not a terminal). A closed pipe is not an
/// error worth a message.
pub(crate) fn line(text: &str) -> Result<(), Failure> {
    let mut out = anstream::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::failed(format!("cannot write to stdout: {e}"))),
    }
}

/// Print a message on stderr (colours stripped when not a terminal).
pub(crate) fn note(text: &str) {
    let mut err = anstream::stderr().lock();
    let _ = writeln!(err, "{text}");
}

/// A table with a header row.
#[derive(Debug, Default)]
pub(crate) struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column names.
    pub(crate) fn new(header: &[&str]) -> Table {
        Table {
            header: header.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
        }
    }

    /// Add a row.
    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// The table as text, columns padded to their widest cell.
    pub(crate) fn render(&self) -> String {
        let mut widths: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                if let Some(w) = widths.get_mut(i) {
                    *w = (*w).max(cell.chars().count());
                }
            }
        }
        let fmt_row = |cells: &[String]| {
            let mut line = String::new();
            for (i, cell) in cells.iter().enumerate() {
                let width = widths.get(i).copied().unwrap_or(0);
                if i + 1 == cells.len() {
                    line.push_str(cell);
                } else {
                    line.push_str(cell);
                    line.extend(std::iter::repeat_n(' ', width - cell.chars().count() + 2));
                }
            }
            line
        };
        let mut out = paint(HEAD, &fmt_row(&self.header));
        for row in &self.rows {
            out.push('\n');
            out.push_str(&fmt_row(row));
        }
        out
    }

    /// Print the table on stdout.
    pub(crate) fn print(&self) -> Result<(), Failure> {
        line(&self.render())
    }
}

/// An optional value as table text.
pub(crate) fn opt(value: Option<&str>) -> String {
    value.unwrap_or("-").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_pads_columns() {
        let mut t = Table::new(&["id", "name"]);
        t.row(vec!["1".into(), "one".into()]);
        t.row(vec!["1000".into(), "x".into()]);
        let text = anstream::adapter::strip_str(&t.render()).to_string();
        assert_eq!(text, "id    name\n1     one\n1000  x");
    }
}
