//! A small OData `$filter` parser and evaluator over JSON objects.
//!
//! Supported: `eq ne gt ge lt le`, `in (..)`, `and or not`, parentheses,
//! `contains/startswith/endswith(field, 'x')`, `substringof('x', field)`,
//! `tolower/toupper(field)`; literals: `'quoted'` strings with `''` escapes,
//! numbers, `true false null`, unquoted ISO-8601 date-times
//! (`start ge 2026-01-01T00:00:00Z`), `datetime'..'`. String comparisons
//! ignore ASCII case, like the real server's SQL collation. Property names are
//! matched case-insensitively against the schema's field list; an unknown
//! name is an error (the real server answers 400).

use std::borrow::Cow;
use std::cmp::Ordering;

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde_json::{Map, Value};

/// A parsed filter expression.
#[derive(Debug, Clone)]
pub(crate) enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Cmp(Operand, CmpOp, Operand),
    In(Operand, Vec<Operand>),
    Str(StrFn, Operand, Operand),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StrFn {
    Contains,
    StartsWith,
    EndsWith,
}

#[derive(Debug, Clone)]
pub(crate) enum Operand {
    Field(&'static str),
    Lit(Lit),
    Lower(Box<Operand>),
    Upper(Box<Operand>),
}

#[derive(Debug, Clone)]
pub(crate) enum Lit {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    Date(DateTime<FixedOffset>),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    Comma,
    Str(String),
    Word(String),
}

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut chars = s.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push(Tok::LParen);
            }
            ')' => {
                chars.next();
                out.push(Tok::RParen);
            }
            ',' => {
                chars.next();
                out.push(Tok::Comma);
            }
            '\'' => {
                chars.next();
                let mut lit = String::new();
                loop {
                    match chars.next() {
                        None => return Err(format!("unterminated string literal at position {i}")),
                        Some((_, '\'')) => {
                            if chars.peek().map(|&(_, c)| c) == Some('\'') {
                                chars.next();
                                lit.push('\'');
                            } else {
                                break;
                            }
                        }
                        Some((_, c)) => lit.push(c),
                    }
                }
                out.push(Tok::Str(lit));
            }
            _ => {
                let mut word = String::new();
                while let Some(&(_, c)) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '(' | ')' | ',' | '\'') {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                out.push(Tok::Word(word));
            }
        }
    }
    Ok(out)
}

struct Parser<'f> {
    toks: Vec<Tok>,
    pos: usize,
    fields: &'f [&'static str],
    /// Nesting depth of `(`, `not` and `tolower(`/`toupper(`: bounded so that a long
    /// run of them is an error, not a stack overflow.
    depth: usize,
}

/// Deepest nesting a filter may have.
const MAX_DEPTH: usize = 64;

/// Parses `filter`, resolving property names against `fields`.
pub(crate) fn parse(filter: &str, fields: &[&'static str]) -> Result<Expr, String> {
    let toks = tokenize(filter)?;
    if toks.is_empty() {
        return Err("the $filter expression is empty".to_owned());
    }
    let mut p = Parser {
        toks,
        pos: 0,
        fields,
        depth: 0,
    };
    let e = p.or()?;
    if let Some(t) = p.toks.get(p.pos) {
        return Err(format!("unexpected token {t:?}"));
    }
    Ok(e)
}

fn kw(t: Option<&Tok>, k: &str) -> bool {
    matches!(t, Some(Tok::Word(w)) if w.eq_ignore_ascii_case(k))
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn peek2(&self) -> Option<&Tok> {
        self.toks.get(self.pos + 1)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }
    fn descend(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!("the $filter nests deeper than {MAX_DEPTH} levels"));
        }
        Ok(())
    }
    fn expect(&mut self, t: &Tok) -> Result<(), String> {
        match self.next() {
            Some(ref got) if got == t => Ok(()),
            got => Err(format!("expected {t:?}, found {got:?}")),
        }
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut l = self.and()?;
        while kw(self.peek(), "or") {
            self.pos += 1;
            let r = self.and()?;
            l = Expr::Or(Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut l = self.not()?;
        while kw(self.peek(), "and") {
            self.pos += 1;
            let r = self.not()?;
            l = Expr::And(Box::new(l), Box::new(r));
        }
        Ok(l)
    }

    fn not(&mut self) -> Result<Expr, String> {
        if kw(self.peek(), "not") {
            self.pos += 1;
            self.descend()?;
            let inner = self.not()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, String> {
        if self.peek() == Some(&Tok::LParen) {
            self.pos += 1;
            self.descend()?;
            let e = self.or()?;
            self.depth -= 1;
            self.expect(&Tok::RParen)?;
            return Ok(e);
        }
        if let (Some(Tok::Word(w)), Some(Tok::LParen)) = (self.peek(), self.peek2()) {
            let f = match w.to_ascii_lowercase().as_str() {
                "contains" => Some((StrFn::Contains, false)),
                "startswith" => Some((StrFn::StartsWith, false)),
                "endswith" => Some((StrFn::EndsWith, false)),
                "substringof" => Some((StrFn::Contains, true)),
                _ => None,
            };
            if let Some((f, swapped)) = f {
                self.pos += 2;
                let a = self.operand()?;
                self.expect(&Tok::Comma)?;
                let b = self.operand()?;
                self.expect(&Tok::RParen)?;
                let (hay, needle) = if swapped { (b, a) } else { (a, b) };
                let e = Expr::Str(f, hay, needle);
                // `contains(a,'x') eq true` is legal OData too.
                if kw(self.peek(), "eq") || kw(self.peek(), "ne") {
                    let ne = kw(self.peek(), "ne");
                    self.pos += 1;
                    let want = match self.next() {
                        Some(Tok::Word(w)) if w.eq_ignore_ascii_case("true") => true,
                        Some(Tok::Word(w)) if w.eq_ignore_ascii_case("false") => false,
                        t => return Err(format!("expected true or false, found {t:?}")),
                    };
                    return Ok(if want != ne {
                        e
                    } else {
                        Expr::Not(Box::new(e))
                    });
                }
                return Ok(e);
            }
        }
        let left = self.operand()?;
        let op = match self.next() {
            Some(Tok::Word(w)) => match w.to_ascii_lowercase().as_str() {
                "eq" => CmpOp::Eq,
                "ne" => CmpOp::Ne,
                "gt" => CmpOp::Gt,
                "ge" => CmpOp::Ge,
                "lt" => CmpOp::Lt,
                "le" => CmpOp::Le,
                "in" => {
                    self.expect(&Tok::LParen)?;
                    let mut items = vec![self.operand()?];
                    while self.peek() == Some(&Tok::Comma) {
                        self.pos += 1;
                        items.push(self.operand()?);
                    }
                    self.expect(&Tok::RParen)?;
                    return Ok(Expr::In(left, items));
                }
                other => return Err(format!("unknown operator '{other}'")),
            },
            t => return Err(format!("expected a comparison operator, found {t:?}")),
        };
        let right = self.operand()?;
        Ok(Expr::Cmp(left, op, right))
    }

    fn operand(&mut self) -> Result<Operand, String> {
        match self.next() {
            Some(Tok::Str(s)) => Ok(Operand::Lit(Lit::Str(s))),
            Some(Tok::Word(w)) => {
                let lower = w.to_ascii_lowercase();
                if self.peek() == Some(&Tok::LParen) && (lower == "tolower" || lower == "toupper") {
                    self.pos += 1;
                    self.descend()?;
                    let inner = self.operand()?;
                    self.depth -= 1;
                    self.expect(&Tok::RParen)?;
                    return Ok(if lower == "tolower" {
                        Operand::Lower(Box::new(inner))
                    } else {
                        Operand::Upper(Box::new(inner))
                    });
                }
                if lower == "datetime" || lower == "datetimeoffset" {
                    if let Some(Tok::Str(s)) = self.peek().cloned() {
                        self.pos += 1;
                        return parse_date(&s)
                            .map(|d| Operand::Lit(Lit::Date(d)))
                            .ok_or_else(|| format!("invalid date-time literal '{s}'"));
                    }
                }
                match lower.as_str() {
                    "true" => return Ok(Operand::Lit(Lit::Bool(true))),
                    "false" => return Ok(Operand::Lit(Lit::Bool(false))),
                    "null" => return Ok(Operand::Lit(Lit::Null)),
                    _ => {}
                }
                let first = w.chars().next().unwrap_or(' ');
                if first.is_ascii_digit() || first == '-' {
                    if let Some(d) = parse_date(&w) {
                        return Ok(Operand::Lit(Lit::Date(d)));
                    }
                    if let Ok(n) = w.parse::<f64>() {
                        return Ok(Operand::Lit(Lit::Num(n)));
                    }
                    if uuid::Uuid::parse_str(&w).is_ok() {
                        return Ok(Operand::Lit(Lit::Str(w)));
                    }
                    return Err(format!("invalid literal '{w}'"));
                }
                self.fields
                    .iter()
                    .find(|f| f.eq_ignore_ascii_case(&w))
                    .map(|f| Operand::Field(f))
                    .ok_or_else(|| format!("could not find a property named '{w}'"))
            }
            t => Err(format!("expected a property or a literal, found {t:?}")),
        }
    }
}

/// Parses an ISO-8601 date-time (any number of fractional digits) or a date.
pub(crate) fn parse_date(s: &str) -> Option<DateTime<FixedOffset>> {
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d);
    }
    if s.len() == 10 {
        let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
        return Some(d.and_hms_opt(0, 0, 0)?.and_utc().fixed_offset());
    }
    None
}

#[derive(Debug)]
enum V<'a> {
    Str(Cow<'a, str>),
    Num(f64),
    Bool(bool),
    Null,
    Date(DateTime<FixedOffset>),
}

fn resolve<'a>(op: &'a Operand, obj: &'a Map<String, Value>) -> V<'a> {
    match op {
        Operand::Field(f) => match obj.get(*f) {
            Some(Value::String(s)) => V::Str(Cow::Borrowed(s)),
            Some(Value::Number(n)) => n.as_f64().map_or(V::Null, V::Num),
            Some(Value::Bool(b)) => V::Bool(*b),
            _ => V::Null,
        },
        Operand::Lit(Lit::Str(s)) => V::Str(Cow::Borrowed(s)),
        Operand::Lit(Lit::Num(n)) => V::Num(*n),
        Operand::Lit(Lit::Bool(b)) => V::Bool(*b),
        Operand::Lit(Lit::Null) => V::Null,
        Operand::Lit(Lit::Date(d)) => V::Date(*d),
        Operand::Lower(inner) => match resolve(inner, obj) {
            V::Str(s) => V::Str(Cow::Owned(s.to_lowercase())),
            other => other,
        },
        Operand::Upper(inner) => match resolve(inner, obj) {
            V::Str(s) => V::Str(Cow::Owned(s.to_uppercase())),
            other => other,
        },
    }
}

fn ci_cmp(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

fn compare(a: &V<'_>, b: &V<'_>) -> Option<Ordering> {
    match (a, b) {
        (V::Str(x), V::Str(y)) => Some(ci_cmp(x, y)),
        (V::Num(x), V::Num(y)) => x.partial_cmp(y),
        (V::Bool(x), V::Bool(y)) => Some(x.cmp(y)),
        (V::Null, V::Null) => Some(Ordering::Equal),
        (V::Date(x), V::Date(y)) => Some(x.cmp(y)),
        (V::Date(x), V::Str(y)) => parse_date(y).map(|y| x.cmp(&y)),
        (V::Str(x), V::Date(y)) => parse_date(x).map(|x| x.cmp(y)),
        (V::Num(x), V::Str(y)) => y.trim().parse::<f64>().ok().and_then(|y| x.partial_cmp(&y)),
        (V::Str(x), V::Num(y)) => x.trim().parse::<f64>().ok().and_then(|x| x.partial_cmp(y)),
        _ => None,
    }
}

fn str_fn(f: StrFn, hay: &str, needle: &str) -> bool {
    let hay = hay.to_ascii_lowercase();
    let needle = needle.to_ascii_lowercase();
    match f {
        StrFn::Contains => hay.contains(&needle),
        StrFn::StartsWith => hay.starts_with(&needle),
        StrFn::EndsWith => hay.ends_with(&needle),
    }
}

/// Evaluates `expr` against one JSON object.
pub(crate) fn eval(expr: &Expr, obj: &Map<String, Value>) -> bool {
    match expr {
        Expr::And(a, b) => eval(a, obj) && eval(b, obj),
        Expr::Or(a, b) => eval(a, obj) || eval(b, obj),
        Expr::Not(a) => !eval(a, obj),
        Expr::Cmp(l, op, r) => {
            let ord = compare(&resolve(l, obj), &resolve(r, obj));
            match op {
                CmpOp::Eq => ord == Some(Ordering::Equal),
                CmpOp::Ne => ord != Some(Ordering::Equal),
                CmpOp::Gt => ord == Some(Ordering::Greater),
                CmpOp::Ge => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
                CmpOp::Lt => ord == Some(Ordering::Less),
                CmpOp::Le => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
            }
        }
        Expr::In(l, items) => {
            let l = resolve(l, obj);
            items
                .iter()
                .any(|i| compare(&l, &resolve(i, obj)) == Some(Ordering::Equal))
        }
        Expr::Str(f, hay, needle) => match (resolve(hay, obj), resolve(needle, obj)) {
            (V::Str(h), V::Str(n)) => str_fn(*f, &h, &n),
            _ => false,
        },
    }
}

/// Compares two JSON values the way `$orderby` does (strings ignore ASCII
/// case, date-time strings compare as instants, missing values sort first).
pub(crate) fn order_values(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    fn v(x: Option<&Value>) -> V<'_> {
        match x {
            Some(Value::String(s)) => parse_date(s).map_or(V::Str(Cow::Borrowed(s)), V::Date),
            Some(Value::Number(n)) => n.as_f64().map_or(V::Null, V::Num),
            Some(Value::Bool(b)) => V::Bool(*b),
            _ => V::Null,
        }
    }
    let (a, b) = (v(a), v(b));
    match (&a, &b) {
        (V::Null, V::Null) => Ordering::Equal,
        (V::Null, _) => Ordering::Less,
        (_, V::Null) => Ordering::Greater,
        _ => compare(&a, &b).unwrap_or(Ordering::Equal),
    }
}

/// Parse `filter` against the report-header schema and evaluate it on `object`; for the
/// fuzz targets and property tests. Never panics: a filter it cannot take is an `Err`.
#[doc(hidden)]
pub fn filter_matches(filter: &str, object: &Value) -> Result<bool, String> {
    let expr = parse(filter, crate::store::HEADER_FIELDS)?;
    Ok(object.as_object().is_some_and(|o| eval(&expr, o)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const FIELDS: &[&str] = &[
        "serialNumber",
        "partNumber",
        "start",
        "processCode",
        "result",
    ];

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => panic!("not an object"),
        }
    }

    fn check(filter: &str, o: &Map<String, Value>) -> bool {
        eval(&parse(filter, FIELDS).unwrap(), o)
    }

    #[test]
    fn evaluates_common_filters() {
        let o = obj(json!({
            "serialNumber": "S'N 1",
            "partNumber": "PN-1",
            "start": "2026-01-30T22:01:41.4707353+01:00",
            "processCode": 10,
            "result": "P"
        }));
        assert!(check("serialNumber eq 'S''N 1'", &o));
        assert!(check(
            "SerialNumber eq 's''n 1' and partNumber eq 'PN-1'",
            &o
        ));
        assert!(!check(
            "serialNumber eq 'S''N 1' and partNumber eq 'PN-2'",
            &o
        ));
        assert!(check(
            "partNumber eq 'x' or (processCode ge 10 and processCode lt 20)",
            &o
        ));
        assert!(check("not (result eq 'F')", &o));
        assert!(check(
            "start ge 2026-01-30T21:00:00Z and start le 2026-01-30T22:00:00Z",
            &o
        ));
        assert!(!check("start gt 2026-01-31", &o));
        assert!(check(
            "contains(serialNumber, 'N 1') and startswith(partNumber,'pn')",
            &o
        ));
        assert!(check("partNumber in ('A', 'PN-1')", &o));
        assert!(check("substringof('PN', partNumber) eq true", &o));
        assert!(check("tolower(partNumber) eq 'pn-1'", &o));
        assert!(check("processCode eq '10'", &o));
    }

    #[test]
    fn rejects_bad_filters() {
        assert!(parse("nosuch eq 1", FIELDS).is_err());
        assert!(parse("serialNumber eq 'open", FIELDS).is_err());
        assert!(parse("serialNumber xx 'a'", FIELDS).is_err());
        assert!(parse("serialNumber eq 'a' and", FIELDS).is_err());
        assert!(parse("(serialNumber eq 'a'", FIELDS).is_err());
        assert!(parse("", FIELDS).is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        for filter in [
            "(".repeat(100_000) + "serialNumber eq 'a'" + &")".repeat(100_000),
            "not ".repeat(100_000) + "serialNumber eq 'a'",
            "tolower(".repeat(100_000) + "serialNumber" + &")".repeat(100_000) + " eq 'a'",
        ] {
            let err = parse(&filter, FIELDS).unwrap_err();
            assert!(err.contains("deeper"), "{err}");
        }
        let ok = "(".repeat(60) + "serialNumber eq 'a'" + &")".repeat(60);
        assert!(check(&ok, &obj(json!({"serialNumber": "A"}))));
        let ok = "not ".repeat(60) + "serialNumber eq 'a'";
        assert!(check(&ok, &obj(json!({"serialNumber": "A"}))));
        // Truncated expressions are errors, never an index past the end.
        for filter in [
            "serialNumber eq",
            "contains(serialNumber,'a') eq",
            "(",
            "not",
            "x in (",
        ] {
            assert!(parse(filter, FIELDS).is_err(), "{filter}");
        }
    }
}
