//! A box-build template: which child products (and how many, of which revisions) an
//! assembly needs, read from the product hierarchy, and which of them a unit still lacks.

use crate::product_meta::ProductInfo;
use crate::unit::Unit;

/// One child line of a [`BoxBuild`]: a part number, how many, which revisions fit.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BoxBuildChild {
    /// The child's part number.
    pub part_number: String,
    /// How many the assembly holds.
    pub quantity: u32,
    /// The revisions that fit (`A,B`, `1.%`, `*`); `None` is any.
    pub revision_mask: Option<String>,
}

impl BoxBuildChild {
    /// Whether `revision` fits the mask: a comma-separated list of patterns where `%` and
    /// `*` match any run of characters and `_`/`?` one character (ASCII case ignored).
    pub fn accepts_revision(&self, revision: &str) -> bool {
        let Some(mask) = self
            .revision_mask
            .as_deref()
            .filter(|m| !m.trim().is_empty())
        else {
            return true;
        };
        mask.split([',', ';'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .any(|p| like(p.as_bytes(), revision.trim().as_bytes()))
    }
}

/// SQL-`LIKE`-style match, ASCII case-insensitive.
fn like(pat: &[u8], s: &[u8]) -> bool {
    match pat.split_first() {
        None => s.is_empty(),
        Some((b'%' | b'*', rest)) => (0..=s.len()).any(|i| like(rest, &s[i..])),
        Some((b'_' | b'?', rest)) => !s.is_empty() && like(rest, &s[1..]),
        Some((c, rest)) => s
            .split_first()
            .is_some_and(|(d, tail)| c.eq_ignore_ascii_case(d) && like(rest, tail)),
    }
}

/// What a unit lacks of one child line.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Missing {
    /// The child line.
    pub child: BoxBuildChild,
    /// How many fitting child units are attached.
    pub present: u32,
    /// How many more are needed.
    pub missing: u32,
}

/// A box-build template of a product revision, from its hierarchy
/// (`products().internal().product_info(..)`): its direct children.
///
/// ```
/// use wats_core::{BoxBuild, ProductInfo, Unit};
/// let rows: Vec<ProductInfo> = serde_json::from_str(r#"[
///   {"PartNumber":"BOX-1","Revision":"A","ProductRevisionId":"p","Level":0},
///   {"PartNumber":"PSU-1","ProductRevisionId":"c1","ParentProductRevisionId":"p","Quantity":2,"RevisionMask":"B%","Level":1},
///   {"PartNumber":"FAN-1","ProductRevisionId":"c2","ParentProductRevisionId":"p","Quantity":1,"Level":1}
/// ]"#).unwrap();
/// let template = BoxBuild::from_hierarchy(&rows).unwrap();
/// let unit: Unit = serde_json::from_str(r#"{"serialNumber":"S1","partNumber":"BOX-1",
///   "subUnits":[{"serialNumber":"P1","partNumber":"PSU-1","revision":"B2"},
///               {"serialNumber":"P2","partNumber":"PSU-1","revision":"A1"}]}"#).unwrap();
/// let missing = template.missing(&unit);
/// assert_eq!(missing.len(), 2);
/// assert_eq!((missing[0].child.part_number.as_str(), missing[0].missing), ("PSU-1", 1));
/// assert_eq!((missing[1].child.part_number.as_str(), missing[1].missing), ("FAN-1", 1));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BoxBuild {
    /// The assembly's part number.
    pub part_number: String,
    /// The assembly's revision.
    pub revision: String,
    /// Its direct children.
    pub children: Vec<BoxBuildChild>,
}

impl BoxBuild {
    /// The template from hierarchy rows: the root is the row with `Level` 0 (else the first
    /// row); the children are the rows whose `ParentProductRevisionId` is the root's
    /// `ProductRevisionId` (or, without ids, the rows of `Level` 1). `None` for no rows.
    pub fn from_hierarchy(rows: &[ProductInfo]) -> Option<BoxBuild> {
        let root = rows
            .iter()
            .find(|r| r.level.value() == Some(&0))
            .or_else(|| rows.first())?;
        let root_id = root.product_revision_id.as_str();
        let children = rows
            .iter()
            .filter(|r| !std::ptr::eq(*r, root))
            .filter(|r| match (root_id, r.parent_product_revision_id.as_str()) {
                (Some(id), Some(parent)) => id.eq_ignore_ascii_case(parent),
                _ => r.level.value() == Some(&1),
            })
            .map(|r| BoxBuildChild {
                part_number: r.part_number.as_str().unwrap_or("").to_owned(),
                quantity: r
                    .quantity
                    .value()
                    .and_then(|q| u32::try_from(*q).ok())
                    .unwrap_or(1),
                revision_mask: r.revision_mask.as_str().map(str::to_owned),
            })
            .collect();
        Some(BoxBuild {
            part_number: root.part_number.as_str().unwrap_or("").to_owned(),
            revision: root.revision.as_str().unwrap_or("").to_owned(),
            children,
        })
    }

    /// The child lines `unit` does not fill yet: for each, the fitting sub-units attached
    /// (same part number, ASCII case ignored, revision accepted by the mask) and how many
    /// more are needed. Empty when the assembly is complete.
    pub fn missing(&self, unit: &Unit) -> Vec<Missing> {
        let subs = unit.sub_units.items();
        self.children
            .iter()
            .filter_map(|child| {
                let present = subs
                    .iter()
                    .filter(|s| {
                        s.part_number
                            .as_str()
                            .is_some_and(|pn| pn.eq_ignore_ascii_case(&child.part_number))
                            && child.accepts_revision(s.revision.as_str().unwrap_or(""))
                    })
                    .count();
                let present = u32::try_from(present).unwrap_or(u32::MAX);
                (present < child.quantity).then(|| Missing {
                    child: child.clone(),
                    present,
                    missing: child.quantity - present,
                })
            })
            .collect()
    }

    /// Whether `unit` holds every child the template asks for.
    pub fn is_complete(&self, unit: &Unit) -> bool {
        self.missing(unit).is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        let c = |m: Option<&str>| BoxBuildChild {
            part_number: "X".into(),
            quantity: 1,
            revision_mask: m.map(str::to_owned),
        };
        assert!(c(None).accepts_revision("anything"));
        assert!(c(Some("A, B")).accepts_revision("b"));
        assert!(!c(Some("A,B")).accepts_revision("C"));
        assert!(c(Some("1.%")).accepts_revision("1.20"));
        assert!(!c(Some("1.%")).accepts_revision("2.0"));
        assert!(c(Some("R_v*")).accepts_revision("R1v9"));
    }
}
