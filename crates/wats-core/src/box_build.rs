//! A box-build template: which child products (and how many, of which revisions) an
//! assembly needs, read from the product hierarchy, and which of them a unit still lacks;
//! and its editor ([`BoxBuildEditor`]): add, update and remove child lines, validate them,
//! and plan the relation calls that turn the server's template into the edited one.

use crate::product_meta::ProductInfo;
use crate::unit::Unit;

#[path = "box_build_edit.rs"]
mod edit;
pub use edit::{BoxBuildEditor, BoxBuildError, BoxBuildPlan};

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
    /// The child revision the relation links (`Revision` of the hierarchy row); a line
    /// added with the editor needs one.
    pub revision: Option<String>,
    /// The line's item (position) number (`ItemNumber`), when known.
    pub item_number: Option<String>,
    /// The server's id of the line (`ProductRevisionRelationId`); `None` for a line not
    /// saved yet.
    pub relation_id: Option<String>,
    /// The child revision's id (`ProductRevisionId`), when known.
    pub product_revision_id: Option<String>,
}

impl BoxBuildChild {
    /// A new child line: `quantity` units of `part_number`, linked through its revision
    /// `revision`, any revision fitting (see [`with_revision_mask`](Self::with_revision_mask)).
    pub fn new(part_number: impl Into<String>, revision: impl Into<String>, quantity: u32) -> Self {
        BoxBuildChild {
            part_number: part_number.into(),
            quantity,
            revision_mask: None,
            revision: Some(revision.into()),
            item_number: None,
            relation_id: None,
            product_revision_id: None,
        }
    }

    /// Only the revisions `mask` accepts fit (`A,B`, `1.%`).
    #[must_use]
    pub fn with_revision_mask(mut self, mask: impl Into<String>) -> Self {
        self.revision_mask = Some(mask.into());
        self
    }

    /// The line's item (position) number.
    #[must_use]
    pub fn with_item_number(mut self, item_number: impl Into<String>) -> Self {
        self.item_number = Some(item_number.into());
        self
    }

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
    /// The assembly revision's id (`ProductRevisionId`), the parent of every relation.
    pub product_revision_id: Option<String>,
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
                revision: r.revision.as_str().map(str::to_owned),
                item_number: r
                    .extra
                    .get("ItemNumber")
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_owned),
                relation_id: r.product_revision_relation_id.as_str().map(str::to_owned),
                product_revision_id: r.product_revision_id.as_str().map(str::to_owned),
            })
            .collect();
        Some(BoxBuild {
            part_number: root.part_number.as_str().unwrap_or("").to_owned(),
            revision: root.revision.as_str().unwrap_or("").to_owned(),
            product_revision_id: root_id.map(str::to_owned),
            children,
        })
    }

    /// An editor over this template: change its child lines, then
    /// [`plan`](BoxBuildEditor::plan) the relation calls (or let
    /// `products().internal().apply_box_build(..)` of wats-http send them).
    pub fn edit(&self) -> BoxBuildEditor {
        BoxBuildEditor::new(self)
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

    /// The child line of `part_number` (ASCII case ignored), if the template has one.
    pub fn child(&self, part_number: &str) -> Option<&BoxBuildChild> {
        self.children
            .iter()
            .find(|c| c.part_number.eq_ignore_ascii_case(part_number.trim()))
    }

    /// Whether a unit of `part_number` at `revision` fits the template: it has a line of
    /// that part number whose mask accepts the revision (pyWATS' `validate_subunit`).
    pub fn accepts(&self, part_number: &str, revision: &str) -> bool {
        self.child(part_number)
            .is_some_and(|c| c.accepts_revision(revision))
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
            revision_mask: m.map(str::to_owned),
            ..BoxBuildChild::new("X", "A", 1)
        };
        assert!(c(None).accepts_revision("anything"));
        assert!(c(Some("A, B")).accepts_revision("b"));
        assert!(!c(Some("A,B")).accepts_revision("C"));
        assert!(c(Some("1.%")).accepts_revision("1.20"));
        assert!(!c(Some("1.%")).accepts_revision("2.0"));
        assert!(c(Some("R_v*")).accepts_revision("R1v9"));
        let t = BoxBuild {
            part_number: "BOX".into(),
            revision: "A".into(),
            product_revision_id: None,
            children: vec![c(Some("2.%"))],
        };
        assert!(t.accepts("x", "2.5"));
        assert!(!t.accepts("X", "3.0"));
        assert!(!t.accepts("Y", "2.0"));
        assert_eq!(t.child(" x ").map(|c| c.quantity), Some(1));
    }
}
