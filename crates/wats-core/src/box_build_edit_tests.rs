//! Unit tests of the box-build editor: edits checked as made, the plan as a diff.

use super::*;

fn line(pn: &str, rev: &str, qty: u32, rel: &str) -> BoxBuildChild {
    BoxBuildChild {
        relation_id: Some(rel.to_owned()),
        product_revision_id: Some(format!("{pn}-{rev}-id")),
        ..BoxBuildChild::new(pn, rev, qty)
    }
}

fn template() -> BoxBuild {
    BoxBuild {
        part_number: "BOX-1".into(),
        revision: "A".into(),
        product_revision_id: Some("box-id".into()),
        children: vec![
            line("PSU-1", "B", 1, "r1"),
            line("FAN-1", "A", 2, "r2").with_revision_mask("A,B"),
            line("CABLE-1", "A", 4, "r3"),
        ],
    }
}

fn names(lines: &[BoxBuildChild]) -> Vec<&str> {
    lines.iter().map(|c| c.part_number.as_str()).collect()
}

#[test]
fn no_edit_no_call_and_undone_edits_cancel_out() {
    let t = template();
    let mut e = t.edit();
    assert!(e.plan().unwrap().is_empty());
    assert!(!e.has_changes());
    // Removed and added back unchanged (same revision, the part number's case aside):
    // nothing to send.
    e.remove("FAN-1").unwrap();
    e.add(BoxBuildChild::new("fan-1", "A", 2).with_revision_mask("A,B"))
        .unwrap();
    // Changed twice, back to its value.
    e.set_quantity("PSU-1", 5)
        .unwrap()
        .set_quantity("PSU-1", 1)
        .unwrap();
    assert!(e.has_changes());
    assert!(e.plan().unwrap().is_empty());
    // Added back with another quantity: one update of the old line, not remove + add.
    e.set_quantity("fan-1", 3).unwrap();
    let plan = e.plan().unwrap();
    assert_eq!(plan.len(), 1, "{plan:?}");
    assert_eq!(names(&plan.updates), ["fan-1"]);
    assert_eq!(plan.updates[0].relation_id.as_deref(), Some("r2"));
    assert_eq!(
        plan.updates[0].product_revision_id.as_deref(),
        Some("FAN-1-A-id")
    );
    e.discard();
    assert!(e.plan().unwrap().is_empty());
}

#[test]
fn plan_removes_updates_adds_and_relinks() {
    let mut e = template().edit();
    e.remove("CABLE-1")
        .unwrap()
        .update("FAN-1", 3, None)
        .unwrap()
        .set_item_number("PSU-1", Some("10"))
        .unwrap()
        .add(BoxBuildChild::new("LID-1", "C", 1).with_revision_mask("C%"))
        .unwrap();
    let plan = e.plan().unwrap();
    assert_eq!(
        (plan.part_number.as_str(), plan.revision.as_str()),
        ("BOX-1", "A")
    );
    assert_eq!(names(&plan.removes), ["CABLE-1"]);
    assert_eq!(names(&plan.updates), ["PSU-1", "FAN-1"]);
    assert_eq!(names(&plan.adds), ["LID-1"]);
    assert_eq!(plan.len(), 4);

    let fan = &plan.updates[1];
    let body: serde_json::Value =
        serde_json::from_slice(&crate::json::to_vec(&plan.update_relation(fan)).unwrap()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"ProductRevisionRelationId": "r2",
            "ParentProductRevisionId": "box-id", "ProductRevisionId": "FAN-1-A-id",
            "Quantity": 3, "RevisionMask": null})
    );
    let add: serde_json::Value = serde_json::from_slice(
        &crate::json::to_vec(&plan.add_relation(&plan.adds[0], "lid-c-id")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        add,
        serde_json::json!({"ParentProductRevisionId": "box-id",
            "ProductRevisionId": "lid-c-id", "Quantity": 1, "RevisionMask": "C%"})
    );

    // Another child revision: the old link goes, a new one comes (without the old id).
    let mut e = template().edit();
    e.remove("PSU-1").unwrap();
    e.add(BoxBuildChild {
        product_revision_id: Some("PSU-1-B-id".into()),
        ..BoxBuildChild::new("PSU-1", "C", 1)
    })
    .unwrap();
    let plan = e.plan().unwrap();
    assert_eq!(names(&plan.removes), ["PSU-1"]);
    assert_eq!(names(&plan.adds), ["PSU-1"]);
    assert_eq!(plan.adds[0].product_revision_id, None);
    assert!(plan.updates.is_empty());
    let all = {
        let mut e = template().edit();
        e.clear();
        e.plan().unwrap()
    };
    assert_eq!(names(&all.removes), ["PSU-1", "FAN-1", "CABLE-1"]);
}

#[test]
fn edits_are_checked_as_made() {
    let mut e = template().edit();
    assert_eq!(
        e.set_quantity("PSU-1", 0).unwrap_err(),
        BoxBuildError::ZeroQuantity {
            part_number: "PSU-1".into()
        }
    );
    assert!(matches!(
        e.add(BoxBuildChild::new("Psu-1", "B", 1)),
        Err(BoxBuildError::Duplicate { .. })
    ));
    assert!(matches!(
        e.update("NOPE", 1, None),
        Err(BoxBuildError::UnknownChild { .. })
    ));
    assert!(matches!(
        e.remove("NOPE"),
        Err(BoxBuildError::UnknownChild { .. })
    ));
    assert!(matches!(
        e.add(BoxBuildChild::new(" ", "A", 1)),
        Err(BoxBuildError::EmptyPartNumber)
    ));
    let mut no_rev = BoxBuildChild::new("X-1", "A", 1);
    no_rev.revision = None;
    assert!(matches!(
        e.add(no_rev),
        Err(BoxBuildError::NoRevision { .. })
    ));
    for bad in ["", " ", "A,,B", "A,", "A B", "A,\tB\u{1}"] {
        assert!(
            matches!(
                e.set_revision_mask("FAN-1", Some(bad)),
                Err(BoxBuildError::BadMask { .. })
            ),
            "{bad:?}"
        );
    }
    for good in ["A", "A,B", "1.%; 2.*", "R_v?"] {
        e.set_revision_mask("FAN-1", Some(good)).unwrap();
    }
    // Refused edits left nothing behind.
    assert_eq!(e.children().len(), 3);
    assert_eq!(e.children()[0].quantity, 1);
}

#[test]
fn validate_and_plan_refuse_what_the_server_would() {
    // The template as read may already break a rule.
    let mut t = template();
    t.children.push(line("psu-1", "B", 1, "r4"));
    let e = t.edit();
    assert!(matches!(e.validate(), Err(BoxBuildError::Duplicate { .. })));
    assert!(e.plan().is_err());
    // Removing one of the two pairs the other by its relation id.
    let mut e = t.edit();
    e.remove("PSU-1").unwrap();
    let plan = e.plan().unwrap();
    assert_eq!(plan.removes[0].relation_id.as_deref(), Some("r1"));
    assert_eq!(plan.len(), 1);

    let mut t = template();
    t.children[2].quantity = 0;
    assert!(matches!(
        t.edit().validate(),
        Err(BoxBuildError::ZeroQuantity { .. })
    ));

    let mut t = template();
    t.children[0].relation_id = None;
    let mut e = t.edit();
    e.set_quantity("PSU-1", 2).unwrap();
    assert!(matches!(e.plan(), Err(BoxBuildError::NoRelationId { .. })));

    let mut t = template();
    t.product_revision_id = None;
    let mut e = t.edit();
    e.add(BoxBuildChild::new("LID-1", "A", 1)).unwrap();
    assert!(matches!(e.plan(), Err(BoxBuildError::NoParentId { .. })));
    let err: Error = BoxBuildError::NoParentId {
        part_number: "BOX-1".into(),
    }
    .into();
    assert!(matches!(err, Error::InvalidInput { .. }));
}
