//! The box-build template editor (pyWATS' `BoxBuildTemplate`): a working copy of a
//! [`BoxBuild`]'s child lines that refuses invalid edits, and a [`BoxBuildPlan`] of the
//! relation calls (removes, updates, adds) that turn the server's template into the edited
//! one. No I/O: wats-http's `products().internal().apply_box_build(..)` sends a plan.
//!
//! Unlike pyWATS, which keeps a log of pending calls, the plan is a diff of the template as
//! read and as edited: removing a line and adding it back is no call at all, and changing a
//! line twice is one update.

use super::{BoxBuild, BoxBuildChild};
use crate::error::Error;
use crate::product_meta::RevisionRelation;
use crate::value::Field;

/// Why a box-build edit or plan is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BoxBuildError {
    /// A child line without a part number.
    #[error("a box-build child has an empty part number")]
    EmptyPartNumber,
    /// A quantity of 0.
    #[error("box-build child {part_number}: the quantity must be at least 1")]
    ZeroQuantity {
        /// The child's part number.
        part_number: String,
    },
    /// Two lines of the same part number (ASCII case ignored).
    #[error("box-build child {part_number} is listed more than once")]
    Duplicate {
        /// The child's part number.
        part_number: String,
    },
    /// A revision mask that is not a comma-separated list of patterns.
    #[error("box-build child {part_number}: revision mask {mask:?} {reason}")]
    BadMask {
        /// The child's part number.
        part_number: String,
        /// The mask.
        mask: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An update or removal of a part number the template does not hold.
    #[error("the box-build template has no child {part_number}")]
    UnknownChild {
        /// The part number asked for.
        part_number: String,
    },
    /// A line to add without the child revision it links.
    #[error("box-build child {part_number}: a child revision is needed to add it")]
    NoRevision {
        /// The child's part number.
        part_number: String,
    },
    /// A line of the server's template to change or remove has no relation id.
    #[error("box-build child {part_number}: the server's line has no relation id")]
    NoRelationId {
        /// The child's part number.
        part_number: String,
    },
    /// Lines to add, but the template does not know its own revision id.
    #[error("the box-build template of {part_number} has no product revision id")]
    NoParentId {
        /// The assembly's part number.
        part_number: String,
    },
}

impl From<BoxBuildError> for Error {
    fn from(e: BoxBuildError) -> Error {
        Error::InvalidInput {
            field: "box build".to_owned(),
            message: e.to_string(),
        }
    }
}

/// Checks a revision mask: non-blank, a list of patterns separated by `,` or `;`, none empty
/// and none holding a space or control character. (`%`/`*` and `_`/`?` are the wildcards
/// of [`BoxBuildChild::accepts_revision`]; every other character is literal.)
fn check_mask(part_number: &str, mask: &str) -> Result<(), BoxBuildError> {
    let bad = |reason| BoxBuildError::BadMask {
        part_number: part_number.to_owned(),
        mask: mask.to_owned(),
        reason,
    };
    if mask.trim().is_empty() {
        return Err(bad(
            "is blank (leave the mask unset to accept any revision)",
        ));
    }
    for pattern in mask.split([',', ';']).map(str::trim) {
        if pattern.is_empty() {
            return Err(bad("has an empty pattern between separators"));
        }
        if pattern.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("has a space or control character inside a pattern"));
        }
    }
    Ok(())
}

/// Checks one line on its own: a part number, a quantity of at least 1, a valid mask.
fn check_child(c: &BoxBuildChild) -> Result<(), BoxBuildError> {
    if c.part_number.trim().is_empty() {
        return Err(BoxBuildError::EmptyPartNumber);
    }
    if c.quantity == 0 {
        return Err(BoxBuildError::ZeroQuantity {
            part_number: c.part_number.clone(),
        });
    }
    match &c.revision_mask {
        Some(mask) => check_mask(&c.part_number, mask),
        None => Ok(()),
    }
}

fn same_part(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

/// A working copy of a box-build template's child lines. Every edit is checked as it is
/// made (a part number, a quantity of at least 1, a valid revision mask, no second line of
/// the same part number); [`validate`](Self::validate) checks the whole (the template as
/// read may already break a rule); [`plan`](Self::plan) says which relation calls reach it.
///
/// ```
/// use wats_core::{BoxBuild, BoxBuildChild, ProductInfo};
/// let rows: Vec<ProductInfo> = serde_json::from_str(r#"[
///   {"PartNumber":"BOX-1","Revision":"A","ProductRevisionId":"p","Level":0},
///   {"PartNumber":"PSU-1","Revision":"B","ProductRevisionId":"c1","ParentProductRevisionId":"p",
///    "ProductRevisionRelationId":"r1","Quantity":1,"Level":1},
///   {"PartNumber":"FAN-1","Revision":"A","ProductRevisionId":"c2","ParentProductRevisionId":"p",
///    "ProductRevisionRelationId":"r2","Quantity":1,"Level":1}
/// ]"#).unwrap();
/// let template = BoxBuild::from_hierarchy(&rows).unwrap();
/// let mut edit = template.edit();
/// edit.set_quantity("PSU-1", 2)?
///     .remove("FAN-1")?
///     .add(BoxBuildChild::new("CABLE-1", "A", 4).with_revision_mask("A,B"))?;
/// assert!(edit.add(BoxBuildChild::new("psu-1", "B", 1)).is_err()); // one line per part
/// let plan = edit.plan()?;
/// assert_eq!(plan.removes[0].relation_id.as_deref(), Some("r2"));
/// assert_eq!((plan.updates[0].part_number.as_str(), plan.updates[0].quantity), ("PSU-1", 2));
/// assert_eq!(plan.adds[0].part_number, "CABLE-1");
/// # Ok::<(), wats_core::BoxBuildError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoxBuildEditor {
    base: BoxBuild,
    children: Vec<BoxBuildChild>,
}

impl BoxBuildEditor {
    /// An editor over `base` (the template as the server has it), with no edits yet.
    pub fn new(base: &BoxBuild) -> Self {
        BoxBuildEditor {
            base: base.clone(),
            children: base.children.clone(),
        }
    }

    /// The template as read.
    pub fn base(&self) -> &BoxBuild {
        &self.base
    }

    /// The child lines as edited.
    pub fn children(&self) -> &[BoxBuildChild] {
        &self.children
    }

    /// The template as edited (the base's assembly with the edited lines).
    pub fn edited(&self) -> BoxBuild {
        BoxBuild {
            children: self.children.clone(),
            ..self.base.clone()
        }
    }

    /// Whether the lines differ from the template as read.
    pub fn has_changes(&self) -> bool {
        self.children != self.base.children
    }

    fn position(&self, part_number: &str) -> Result<usize, BoxBuildError> {
        self.children
            .iter()
            .position(|c| same_part(&c.part_number, part_number))
            .ok_or_else(|| BoxBuildError::UnknownChild {
                part_number: part_number.to_owned(),
            })
    }

    /// Change the line of `part_number` with `change`, kept only if the result is valid.
    fn change(
        &mut self,
        part_number: &str,
        change: impl FnOnce(&mut BoxBuildChild),
    ) -> Result<&mut Self, BoxBuildError> {
        let i = self.position(part_number)?;
        let mut line = self.children[i].clone();
        change(&mut line);
        check_child(&line)?;
        self.children[i] = line;
        Ok(self)
    }

    /// Add a child line. It needs a child revision (the one the relation links, see
    /// [`BoxBuildChild::new`]); any relation id it carries is dropped (it is a new line).
    ///
    /// # Errors
    /// [`BoxBuildError::Duplicate`] when the template already has a line of this part number
    /// (change it with [`update`](Self::update)); [`BoxBuildError::NoRevision`],
    /// [`BoxBuildError::EmptyPartNumber`], [`BoxBuildError::ZeroQuantity`],
    /// [`BoxBuildError::BadMask`]. Nothing is changed on an error.
    pub fn add(&mut self, child: BoxBuildChild) -> Result<&mut Self, BoxBuildError> {
        check_child(&child)?;
        if child
            .revision
            .as_deref()
            .is_none_or(|r| r.trim().is_empty())
        {
            return Err(BoxBuildError::NoRevision {
                part_number: child.part_number,
            });
        }
        if self
            .children
            .iter()
            .any(|c| same_part(&c.part_number, &child.part_number))
        {
            return Err(BoxBuildError::Duplicate {
                part_number: child.part_number,
            });
        }
        self.children.push(BoxBuildChild {
            relation_id: None,
            ..child
        });
        Ok(self)
    }

    /// Set the quantity and the revision mask (`None`: any revision) of a line.
    ///
    /// # Errors
    /// [`BoxBuildError::UnknownChild`], [`BoxBuildError::ZeroQuantity`],
    /// [`BoxBuildError::BadMask`]. Nothing is changed on an error.
    pub fn update(
        &mut self,
        part_number: &str,
        quantity: u32,
        revision_mask: Option<&str>,
    ) -> Result<&mut Self, BoxBuildError> {
        self.change(part_number, |c| {
            c.quantity = quantity;
            c.revision_mask = revision_mask.map(str::to_owned);
        })
    }

    /// Set the quantity of a line.
    ///
    /// # Errors
    /// [`BoxBuildError::UnknownChild`], [`BoxBuildError::ZeroQuantity`].
    pub fn set_quantity(
        &mut self,
        part_number: &str,
        quantity: u32,
    ) -> Result<&mut Self, BoxBuildError> {
        self.change(part_number, |c| c.quantity = quantity)
    }

    /// Set the revision mask of a line (`None`: any revision).
    ///
    /// # Errors
    /// [`BoxBuildError::UnknownChild`], [`BoxBuildError::BadMask`].
    pub fn set_revision_mask(
        &mut self,
        part_number: &str,
        mask: Option<&str>,
    ) -> Result<&mut Self, BoxBuildError> {
        self.change(part_number, |c| c.revision_mask = mask.map(str::to_owned))
    }

    /// Set the item (position) number of a line.
    ///
    /// # Errors
    /// [`BoxBuildError::UnknownChild`].
    pub fn set_item_number(
        &mut self,
        part_number: &str,
        item_number: Option<&str>,
    ) -> Result<&mut Self, BoxBuildError> {
        self.change(part_number, |c| {
            c.item_number = item_number.map(str::to_owned);
        })
    }

    /// Remove the line of `part_number`.
    ///
    /// # Errors
    /// [`BoxBuildError::UnknownChild`].
    pub fn remove(&mut self, part_number: &str) -> Result<&mut Self, BoxBuildError> {
        let i = self.position(part_number)?;
        self.children.remove(i);
        Ok(self)
    }

    /// Remove every line.
    pub fn clear(&mut self) -> &mut Self {
        self.children.clear();
        self
    }

    /// Drop every edit: back to the template as read.
    pub fn discard(&mut self) -> &mut Self {
        self.children = self.base.children.clone();
        self
    }

    /// Check the edited template as a whole: every line valid on its own and no part number
    /// on two lines.
    ///
    /// # Errors
    /// The first problem found, in line order.
    pub fn validate(&self) -> Result<(), BoxBuildError> {
        for (i, c) in self.children.iter().enumerate() {
            check_child(c)?;
            if self.children[..i]
                .iter()
                .any(|d| same_part(&d.part_number, &c.part_number))
            {
                return Err(BoxBuildError::Duplicate {
                    part_number: c.part_number.clone(),
                });
            }
        }
        Ok(())
    }

    /// The relation calls that turn the template as read into the template as edited.
    ///
    /// Lines are paired by relation id, then by part number. A line of the template gone
    /// from the edit is removed; a paired line linked to another child revision is removed
    /// and added again (a relation links one revision); a paired line whose quantity, mask
    /// or item number changed is updated; a new line is added. Send the removes first, then
    /// the updates, then the adds.
    ///
    /// # Errors
    /// What [`validate`](Self::validate) finds; [`BoxBuildError::NoRevision`] for a line to
    /// add without a revision; [`BoxBuildError::NoRelationId`] when a line of the template
    /// to change or remove has no relation id; [`BoxBuildError::NoParentId`] when there are
    /// lines to add and the template has no revision id.
    pub fn plan(&self) -> Result<BoxBuildPlan, BoxBuildError> {
        self.validate()?;
        let base = &self.base.children;
        let edited = &self.children;
        // pair[i]: the edited line paired with base line i.
        let mut pair: Vec<Option<usize>> = vec![None; base.len()];
        let mut taken = vec![false; edited.len()];
        for (i, b) in base.iter().enumerate() {
            let Some(id) = b.relation_id.as_deref() else {
                continue;
            };
            if let Some(j) = (0..edited.len())
                .find(|&j| !taken[j] && edited[j].relation_id.as_deref() == Some(id))
            {
                pair[i] = Some(j);
                taken[j] = true;
            }
        }
        for (i, b) in base.iter().enumerate() {
            if pair[i].is_some() {
                continue;
            }
            if let Some(j) = (0..edited.len())
                .find(|&j| !taken[j] && same_part(&edited[j].part_number, &b.part_number))
            {
                pair[i] = Some(j);
                taken[j] = true;
            }
        }
        let saved = |b: &BoxBuildChild| -> Result<String, BoxBuildError> {
            b.relation_id
                .clone()
                .ok_or_else(|| BoxBuildError::NoRelationId {
                    part_number: b.part_number.clone(),
                })
        };
        let mut plan = BoxBuildPlan {
            part_number: self.base.part_number.clone(),
            revision: self.base.revision.clone(),
            parent_revision_id: self.base.product_revision_id.clone(),
            ..BoxBuildPlan::default()
        };
        let mut adds: Vec<BoxBuildChild> = Vec::new();
        for (b, paired) in base.iter().zip(&pair) {
            let Some(e) = paired.map(|j| &edited[j]) else {
                saved(b)?;
                plan.removes.push(b.clone());
                continue;
            };
            let relinked = match (&b.revision, &e.revision) {
                (Some(x), Some(y)) => !x.trim().eq_ignore_ascii_case(y.trim()),
                _ => false,
            };
            if relinked {
                saved(b)?;
                plan.removes.push(b.clone());
                // The child revision id of the old link does not name the new revision.
                let id = e
                    .product_revision_id
                    .clone()
                    .filter(|id| b.product_revision_id.as_deref() != Some(id.as_str()));
                adds.push(BoxBuildChild {
                    relation_id: None,
                    product_revision_id: id,
                    ..e.clone()
                });
            } else if e.quantity != b.quantity
                || e.revision_mask != b.revision_mask
                || e.item_number != b.item_number
            {
                plan.updates.push(BoxBuildChild {
                    relation_id: Some(saved(b)?),
                    product_revision_id: e
                        .product_revision_id
                        .clone()
                        .or_else(|| b.product_revision_id.clone()),
                    revision: e.revision.clone().or_else(|| b.revision.clone()),
                    ..e.clone()
                });
            }
        }
        for (j, e) in edited.iter().enumerate() {
            if !taken[j] {
                adds.push(BoxBuildChild {
                    relation_id: None,
                    ..e.clone()
                });
            }
        }
        for a in &adds {
            if a.revision.as_deref().is_none_or(|r| r.trim().is_empty()) {
                return Err(BoxBuildError::NoRevision {
                    part_number: a.part_number.clone(),
                });
            }
        }
        if !adds.is_empty() && plan.parent_revision_id.is_none() {
            return Err(BoxBuildError::NoParentId {
                part_number: plan.part_number.clone(),
            });
        }
        plan.adds = adds;
        Ok(plan)
    }
}

/// The relation calls a [`BoxBuildEditor`] plans: send the removes
/// (`DeleteProductRevisionRelation` of each `relation_id`), then the updates
/// ([`update_relation`](Self::update_relation) bodies), then the adds
/// ([`add_relation`](Self::add_relation) bodies, once each child revision id is known).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BoxBuildPlan {
    /// The assembly's part number.
    pub part_number: String,
    /// The assembly's revision.
    pub revision: String,
    /// The assembly revision's id: the parent of every relation.
    pub parent_revision_id: Option<String>,
    /// Lines to remove (each with its `relation_id`).
    pub removes: Vec<BoxBuildChild>,
    /// Lines to update, with their new values (each with its `relation_id`).
    pub updates: Vec<BoxBuildChild>,
    /// Lines to add (each with its `revision`; `product_revision_id` when already known).
    pub adds: Vec<BoxBuildChild>,
}

impl BoxBuildPlan {
    /// Whether there is nothing to send.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The number of relation calls to send.
    pub fn len(&self) -> usize {
        self.removes.len() + self.updates.len() + self.adds.len()
    }

    fn relation(&self, child: &BoxBuildChild, child_revision_id: &str) -> RevisionRelation {
        let mut rel = RevisionRelation::new(
            self.parent_revision_id.as_deref().unwrap_or(""),
            child_revision_id,
            i64::from(child.quantity),
            child.revision_mask.as_deref(),
        );
        if let Some(item) = &child.item_number {
            rel.item_number.set(item.clone());
        }
        rel
    }

    /// The body of the update of `child` (`PutProductRevisionRelation`): its relation id,
    /// the parent and child revision ids, the quantity, the revision mask (`null` when any
    /// revision fits, which clears a mask) and the item number when set.
    pub fn update_relation(&self, child: &BoxBuildChild) -> RevisionRelation {
        let mut rel = self.relation(child, child.product_revision_id.as_deref().unwrap_or(""));
        if let Some(id) = &child.relation_id {
            rel.product_revision_relation_id.set(id.clone());
        }
        rel
    }

    /// The body of the add of `child`, linking child revision `child_revision_id`
    /// (`PostProductRevisionRelation`): as pyWATS sends it, the mask and item number only
    /// when set.
    pub fn add_relation(&self, child: &BoxBuildChild, child_revision_id: &str) -> RevisionRelation {
        let mut rel = self.relation(child, child_revision_id);
        if child.revision_mask.is_none() {
            rel.revision_mask = Field::Absent;
        }
        rel
    }
}

#[cfg(test)]
#[path = "box_build_edit_tests.rs"]
mod tests;
