//! The text members of the analytics filter and their wildcard rules: what the server
//! reads in them (`%` any run, `_` one character, `;` a list, `[x]` the literal `x`; see
//! `docs/API-gaps/analytics.md` for what is verified and what is assumed),
//! [`escape_literal`], and the three setters of each member (`name` escaped, `name_pattern`
//! as written, `name_any` a `;` list of literals).

use super::WatsFilter;
use crate::error::{Error, Result};

/// `value` as a literal for a text member: `%`, `_` and `[` escaped with brackets (the
/// SQL Server `LIKE` form; that the server matches with `LIKE` is assumed, see
/// `docs/API-gaps/analytics.md`). `*`, `?` and `!` are sent as they are. A `;` cannot be
/// escaped (the server splits lists on it): an error.
///
/// # Errors
/// [`Error::InvalidInput`] naming `field` when `value` holds a `;`.
pub fn escape_literal(field: &str, value: &str) -> Result<String> {
    if value.contains(';') {
        return Err(Error::InvalidInput {
            field: field.to_owned(),
            message: format!(
                "{value:?} holds ';', which the server reads as a list separator and which \
                 cannot be escaped; use the *_pattern setter to send a list on purpose"
            ),
        });
    }
    let mut out = String::with_capacity(value.len() + 4);
    for c in value.chars() {
        match c {
            '%' => out.push_str("[%]"),
            '_' => out.push_str("[_]"),
            '[' => out.push_str("[[]"),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Define the text members: `name` (literal, escaped), `name_pattern` (as written),
/// `name_any` (a `;` list of literals).
macro_rules! text_members {
    ($( $field:ident, $pattern:ident, $any:ident, $key:literal; )*) => {
        /// The text members, in schema order.
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub(super) struct Text {
            $( $field: Option<String>, )*
        }

        impl Text {
            pub(super) fn entries(&self) -> impl Iterator<Item = (&'static str, &str)> {
                [$( ($key, self.$field.as_deref()) ),*]
                    .into_iter()
                    .filter_map(|(k, v)| v.map(|v| (k, v)))
            }
        }

        impl WatsFilter {
            $(
                #[doc = concat!("`", $key, "`: exactly this value (wildcards escaped, a `;` is an error).")]
                pub fn $field(mut self, value: &str) -> Self {
                    match escape_literal($key, value) {
                        Ok(v) => self.text.$field = Some(v),
                        Err(e) => self.fail(e),
                    }
                    self
                }

                #[doc = concat!("`", $key, "`: a pattern sent as written (`%` any run, `_` one character, `;` a list).")]
                pub fn $pattern(mut self, pattern: &str) -> Self {
                    self.text.$field = Some(pattern.to_owned());
                    self
                }

                #[doc = concat!("`", $key, "`: any of these values (each escaped, sent as a `;` list).")]
                pub fn $any<I, S>(mut self, values: I) -> Self
                where
                    I: IntoIterator<Item = S>,
                    S: AsRef<str>,
                {
                    let mut list = Vec::new();
                    for v in values {
                        match escape_literal($key, v.as_ref()) {
                            Ok(v) => list.push(v),
                            Err(e) => {
                                self.fail(e);
                                return self;
                            }
                        }
                    }
                    self.text.$field = Some(list.join(";"));
                    self
                }
            )*
        }
    };
}

text_members! {
    serial_number, serial_number_pattern, serial_number_any, "serialNumber";
    part_number, part_number_pattern, part_number_any, "partNumber";
    revision, revision_pattern, revision_any, "revision";
    batch_number, batch_number_pattern, batch_number_any, "batchNumber";
    station_name, station_name_pattern, station_name_any, "stationName";
    test_operation, test_operation_pattern, test_operation_any, "testOperation";
    status, status_pattern, status_any, "status";
    misc_description, misc_description_pattern, misc_description_any, "miscDescription";
    misc_value, misc_value_pattern, misc_value_any, "miscValue";
    product_group, product_group_pattern, product_group_any, "productGroup";
    level, level_pattern, level_any, "level";
    sw_filename, sw_filename_pattern, sw_filename_any, "swFilename";
    sw_version, sw_version_pattern, sw_version_any, "swVersion";
    socket, socket_pattern, socket_any, "socket";
}
