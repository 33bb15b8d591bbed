//! How the mock reads the text members of an analytics filter: a `;` list of SQL Server
//! `LIKE` patterns (the reading `docs/API-gaps/analytics.md` records, with its evidence).
//! Hand-written: a few dozen lines for `%`, `_` and bracket sets; a regex or glob crate
//! would need the same translation of the pattern and add a dependency to the mock.

/// `value` matches a WATS filter text: a `;` list of patterns, each read as SQL Server
/// `LIKE` reads it (the assumption `docs/API-gaps/analytics.md` records): `%` any run, `_`
/// one character, `[abc]` / `[a-c]` one character of a set or range, `[^abc]` one
/// character outside it (so `[%]`, `[_]` and `[[]` are the literal `%`, `_` and `[`); an
/// unclosed `[` matches nothing, as in SQL Server; letters compare case-insensitively
/// (SQL Server's default collation).
pub(crate) fn matches(pattern: &str, value: &str) -> bool {
    let v: Vec<char> = value.to_lowercase().chars().collect();
    pattern
        .split(';')
        .any(|p| tokens(p).is_some_and(|t| like(&t, &v)))
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Any,
    One,
    Lit(char),
    /// A bracket set: its members (single characters and ranges), negated or not.
    Set(Vec<(char, char)>, bool),
}

/// The tokens of one pattern; `None` when a `[` is never closed.
fn tokens(p: &str) -> Option<Vec<Tok>> {
    let chars: Vec<char> = p.to_lowercase().chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '%' => out.push(Tok::Any),
            '_' => out.push(Tok::One),
            '[' => {
                let mut j = i + 1;
                let negated =
                    chars.get(j) == Some(&'^') && chars.get(j + 1).is_some_and(|c| *c != ']');
                if negated {
                    j += 1;
                }
                let close = j + chars.get(j + 1..)?.iter().position(|c| *c == ']')? + 1;
                let body = &chars[j..close];
                let mut set = Vec::new();
                let mut k = 0;
                while k < body.len() {
                    if k + 2 < body.len() && body[k + 1] == '-' {
                        set.push((body[k], body[k + 2]));
                        k += 3;
                    } else {
                        set.push((body[k], body[k]));
                        k += 1;
                    }
                }
                out.push(Tok::Set(set, negated));
                i = close + 1;
                continue;
            }
            c => out.push(Tok::Lit(c)),
        }
        i += 1;
    }
    Some(out)
}

fn like(p: &[Tok], v: &[char]) -> bool {
    match p.split_first() {
        None => v.is_empty(),
        Some((Tok::Any, rest)) => (0..=v.len()).any(|i| like(rest, &v[i..])),
        Some((Tok::One, rest)) => !v.is_empty() && like(rest, &v[1..]),
        Some((Tok::Lit(c), rest)) => v.first() == Some(c) && like(rest, &v[1..]),
        Some((Tok::Set(set, negated), rest)) => v.first().is_some_and(|c| {
            set.iter().any(|(lo, hi)| lo <= c && c <= hi) != *negated && like(rest, &v[1..])
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_lists_and_escapes() {
        assert!(matches("PCB-%", "pcb-100"));
        assert!(matches("A_C", "ABC"));
        assert!(!matches("A[_]C", "ABC"));
        assert!(matches("A[_]C", "A_C"));
        assert!(matches("X;Y%", "Yes"));
        assert!(!matches("X;Y", "Z"));
        assert!(matches("100[%]", "100%"));
        assert!(!matches("100[%]", "1000"));
        assert!(matches("A[[]B", "A[B"));
        // Sets, ranges and negated sets, as SQL Server reads them.
        assert!(matches("SN-[0-4]7", "SN-37"));
        assert!(!matches("SN-[0-4]7", "SN-57"));
        assert!(matches("SN-[^0-4]7", "SN-57"));
        assert!(!matches("SN-[^0-4]7", "SN-37"));
        assert!(matches("[ab]%", "b-1"));
        // An unclosed `[` matches nothing; a lone `]` is itself.
        assert!(!matches("A[B", "A[B"));
        assert!(matches("A]B", "A]B"));
        // Empty list items match only the empty value.
        assert!(matches("X;", ""));
        assert!(!matches("X;", "Y"));
    }
}
