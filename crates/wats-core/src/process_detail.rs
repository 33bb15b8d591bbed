//! The internal process routes' models (`/api/internal/Process/...`, PascalCase): the
//! detailed process list and the repair-operation configurations with their fail-code tree.

use crate::value::model;

model! {
    /// One process as `GET /api/internal/Process/GetProcesses` and
    /// `GetProcess/{id}` return it (PascalCase members).
    pub struct ProcessDetail {
        /// `Code`: the process code.
        code: i64 => "Code",
        /// `Name`.
        name: String => "Name",
        /// `Description`.
        description: String => "Description",
        /// `ProcessID`: GUID.
        process_id: String => "ProcessID",
        /// `ProcessIndex`.
        process_index: i64 => "ProcessIndex",
        /// `State`.
        state: i64 => "State",
        /// `Properties`: kept as raw JSON.
        properties: serde_json::Value => "Properties",
        /// `IsTestOperation`.
        is_test_operation: bool => "IsTestOperation",
        /// `IsRepairOperation`.
        is_repair_operation: bool => "IsRepairOperation",
        /// `IsWIPOperation`.
        is_wip_operation: bool => "IsWIPOperation",
    }
}

model! {
    /// A repair operation's configuration (`GET /api/internal/Process/GetRepairOperations`
    /// answers a map from process code to this; PascalCase members).
    pub struct RepairOperationConfig {
        /// `Description`.
        description: String => "Description",
        /// `UUTRequired`.
        uut_required: i64 => "UUTRequired",
        /// `CompRefMask`: the component-reference pattern.
        comp_ref_mask: String => "CompRefMask",
        /// `CompRefMaskDescription`.
        comp_ref_mask_description: String => "CompRefMaskDescription",
        /// `BomConstraint`.
        bom_constraint: String => "BomConstraint",
        /// `BOMRequired`.
        bom_required: i64 => "BOMRequired",
        /// `VendorRequired`.
        vendor_required: i64 => "VendorRequired",
        /// `Categories`: the fail-code categories, each with its codes.
        categories: Vec<FailCategory> => "Categories",
        /// `MiscInfos`: kept as raw JSON.
        misc_infos: serde_json::Value => "MiscInfos",
    }
}

model! {
    /// A fail-code category, or (one level down, in `Failcodes`) a fail code: the server uses
    /// one shape for both.
    pub struct FailCategory {
        /// `GUID`.
        guid: String => "GUID",
        /// `Description`: the category or code name a UUR failure carries.
        description: String => "Description",
        /// `Selectable`: only selectable codes may be used.
        selectable: bool => "Selectable",
        /// `SortOrder`.
        sort_order: i64 => "SortOrder",
        /// `FailureType`.
        failure_type: i64 => "FailureType",
        /// `ImageConstraint`.
        image_constraint: String => "ImageConstraint",
        /// `Status`.
        status: i64 => "Status",
        /// `Failcodes`: the codes of a category (empty on a code).
        fail_codes: Vec<FailCategory> => "Failcodes",
    }
}

/// One usable fail code of a repair operation: its category and code names (what a UUR
/// failure's `category` and `code` carry) and their GUIDs.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FailCode {
    /// The category's `Description`.
    pub category: String,
    /// The code's `Description`.
    pub code: String,
    /// The code's `GUID`, if sent.
    pub guid: Option<String>,
    /// The category's `GUID`, if sent.
    pub category_guid: Option<String>,
}

impl FailCategory {
    /// `Description`, or `""`.
    pub fn name(&self) -> &str {
        self.description.as_str().unwrap_or("")
    }

    /// Whether the code may be used: `Selectable`, `true` when absent.
    pub fn is_selectable(&self) -> bool {
        self.selectable.value().copied().unwrap_or(true)
    }

    /// The codes of this category.
    pub fn codes(&self) -> &[FailCategory] {
        self.fail_codes.items()
    }
}

impl RepairOperationConfig {
    /// The categories.
    pub fn categories(&self) -> &[FailCategory] {
        self.categories.items()
    }

    /// Every selectable code, category by category, in the server's order.
    pub fn fail_codes(&self) -> Vec<FailCode> {
        self.categories()
            .iter()
            .flat_map(|cat| {
                cat.codes()
                    .iter()
                    .filter(|c| c.is_selectable())
                    .map(move |c| FailCode {
                        category: cat.name().to_owned(),
                        code: c.name().to_owned(),
                        guid: c.guid.as_str().map(str::to_owned),
                        category_guid: cat.guid.as_str().map(str::to_owned),
                    })
            })
            .collect()
    }

    /// The selectable code `code` of category `category` (names compared exactly), if the
    /// server's tree has it.
    pub fn fail_code(&self, category: &str, code: &str) -> Option<FailCode> {
        self.fail_codes()
            .into_iter()
            .find(|f| f.category == category && f.code == code)
    }

    /// Whether `category` / `code` is a selectable code of this operation.
    pub fn is_valid_fail_code(&self, category: &str, code: &str) -> bool {
        self.fail_code(category, code).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = r#"{"Description":"Repair","UUTRequired":1,"CompRefMask":null,
      "BOMRequired":1,"VendorRequired":2,"Future":{"x":1},
      "Categories":[
        {"GUID":"c1","Description":"Component","Selectable":true,"SortOrder":0,"Status":1,
         "Failcodes":[
           {"GUID":"f1","Description":"Defect Component","Selectable":true,"Failcodes":[]},
           {"GUID":"f2","Description":"Retired","Selectable":false}]},
        {"GUID":"c2","Description":"Solder Process","Failcodes":[
           {"GUID":"f3","Description":"Bridge"}]}],
      "MiscInfos":[]}"#;

    #[test]
    fn repair_config_round_trips_and_lists_selectable_codes() {
        let cfg: RepairOperationConfig = crate::json::from_str(CONFIG).unwrap();
        let back: serde_json::Value =
            serde_json::from_slice(&crate::json::to_vec(&cfg).unwrap()).unwrap();
        let orig: serde_json::Value = serde_json::from_str(CONFIG).unwrap();
        assert_eq!(back, orig);
        assert!(cfg.comp_ref_mask.is_null());
        let codes: Vec<(String, String)> = cfg
            .fail_codes()
            .into_iter()
            .map(|f| (f.category, f.code))
            .collect();
        assert_eq!(
            codes,
            [
                ("Component".to_owned(), "Defect Component".to_owned()),
                ("Solder Process".to_owned(), "Bridge".to_owned())
            ]
        );
        assert!(cfg.is_valid_fail_code("Component", "Defect Component"));
        assert!(!cfg.is_valid_fail_code("Component", "Retired"));
        assert_eq!(
            cfg.fail_code("Solder Process", "Bridge")
                .unwrap()
                .guid
                .as_deref(),
            Some("f3")
        );
    }

    #[test]
    fn process_detail_round_trips() {
        let text = r#"{"Code":500,"Name":"Repair","Description":null,"ProcessID":"g",
          "ProcessIndex":3,"State":1,"Properties":{"a":[1]},"IsTestOperation":false,
          "IsRepairOperation":true,"IsWIPOperation":false,"New":"kept"}"#;
        let p: ProcessDetail = crate::json::from_str(text).unwrap();
        assert_eq!(p.code.value(), Some(&500));
        let back: serde_json::Value =
            serde_json::from_slice(&crate::json::to_vec(&p).unwrap()).unwrap();
        assert_eq!(
            back,
            serde_json::from_str::<serde_json::Value>(text).unwrap()
        );
    }
}
