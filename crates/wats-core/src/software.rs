//! Software distribution: packages, their files and virtual folders (`/api/Software/...`).

use std::ops::BitOr;

use crate::product::Setting;
use crate::value::model;

model! {
    /// A software package, server schema `Package` (public routes, camelCase).
    pub struct Package {
        /// `packageId`: GUID.
        package_id: String => "packageId",
        /// `name`.
        name: String => "name",
        /// `installOnRoot`.
        install_on_root: bool => "installOnRoot",
        /// `version`: the server numbers versions of a name.
        version: i64 => "version",
        /// `description`.
        description: String => "description",
        /// `rootDirectory`.
        root_directory: String => "rootDirectory",
        /// `tags`.
        tags: Vec<Setting> => "tags",
        /// `modified`.
        modified: String => "modified",
        /// `modifiedBy`.
        modified_by: String => "modifiedBy",
        /// `status`: `Draft`, `Pending`, `Released` or `Revoked` (see [`PackageStatus`]).
        status: String => "status",
        /// `priority`.
        priority: i64 => "priority",
        /// `virtualFolderId`.
        virtual_folder_id: String => "virtualFolderId",
        /// `created`.
        created: String => "created",
        /// `createdBy`.
        created_by: String => "createdBy",
        /// `released`.
        released: String => "released",
        /// `releasedBy`.
        released_by: String => "releasedBy",
        /// `revoked`.
        revoked: String => "revoked",
        /// `revokedBy`.
        revoked_by: String => "revokedBy",
    }
}

impl Package {
    /// A new package with a name, ready to create (the server makes it a `Draft`).
    pub fn new(name: impl Into<String>) -> Self {
        Package {
            name: name.into().into(),
            ..Default::default()
        }
    }

    /// The typed `status`, when known.
    pub fn package_status(&self) -> Option<PackageStatus> {
        self.status.as_str().and_then(PackageStatus::parse)
    }
}

model! {
    /// A file of a package, server schema `PackageFile` (no content). `checksum`, `size`
    /// and `path` are members pyWATS reads when the server sends them.
    pub struct PackageFile {
        /// `packageFileId`: the id to download it by.
        package_file_id: String => "packageFileId",
        /// `name`: the file name.
        name: String => "name",
        /// `packageFolderName`: the folder inside the package.
        package_folder_name: String => "packageFolderName",
        /// `attributes`: names of [`FileAttributes`] flags, comma-separated.
        attributes: String => "attributes",
        /// `Description` (PascalCase in the server schema).
        description: String => "Description",
        /// `checksum` (hex digest), when sent.
        checksum: String => "checksum",
        /// `size` in bytes, when sent.
        size: i64 => "size",
        /// `path`, when sent.
        path: String => "path",
    }
}

impl PackageFile {
    /// The typed `attributes` (unknown names are ignored).
    pub fn attribute_flags(&self) -> FileAttributes {
        FileAttributes::parse_list(self.attributes.as_str().unwrap_or(""))
    }
}

model! {
    /// A virtual folder of the Production Manager, server schema `VirtualFolder`.
    pub struct VirtualFolder {
        /// `id`: GUID.
        id: String => "id",
        /// `parentId`.
        parent_id: String => "parentId",
        /// `name`.
        name: String => "name",
        /// `description`.
        description: String => "description",
        /// `isRestricted` (sent by pyWATS on create and update).
        is_restricted: bool => "isRestricted",
    }
}

impl VirtualFolder {
    /// A new folder with a name.
    pub fn new(name: impl Into<String>) -> Self {
        VirtualFolder {
            name: name.into().into(),
            ..Default::default()
        }
    }
}

/// A package's status. The server allows Draft → Pending, Pending → Draft or Released,
/// Released → Revoked, and refuses every other change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PackageStatus {
    /// Being edited.
    Draft,
    /// Submitted for review.
    Pending,
    /// Released to stations.
    Released,
    /// Withdrawn.
    Revoked,
}

impl PackageStatus {
    /// The wire text.
    pub fn as_str(self) -> &'static str {
        match self {
            PackageStatus::Draft => "Draft",
            PackageStatus::Pending => "Pending",
            PackageStatus::Released => "Released",
            PackageStatus::Revoked => "Revoked",
        }
    }

    /// From the wire text (ASCII case ignored).
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Draft, Self::Pending, Self::Released, Self::Revoked]
            .into_iter()
            .find(|p| p.as_str().eq_ignore_ascii_case(s.trim()))
    }

    /// Whether the server accepts a change from `self` to `to`.
    pub fn may_become(self, to: PackageStatus) -> bool {
        use PackageStatus::*;
        matches!(
            (self, to),
            (Draft, Pending) | (Pending, Draft) | (Pending, Released) | (Released, Revoked)
        )
    }
}

/// File attribute flags of a package file (pyWATS `FileAttribute`: 1, 2, 4, 8, 16, 32).
/// The server takes one attribute name per call (`None` clears them).
///
/// ```
/// use wats_core::FileAttributes;
/// let a = FileAttributes::EXECUTE_ONCE | FileAttributes::TOP_LEVEL_FILE;
/// assert_eq!(a.bits(), 5);
/// assert_eq!(FileAttributes::parse_list("ExecuteOnce, toplevelfile"), a);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FileAttributes(pub u32);

impl FileAttributes {
    /// No attribute (`None`).
    pub const NONE: FileAttributes = FileAttributes(0);
    /// 1: `ExecuteOnce`.
    pub const EXECUTE_ONCE: FileAttributes = FileAttributes(1);
    /// 2: `ExecuteAlways`.
    pub const EXECUTE_ALWAYS: FileAttributes = FileAttributes(2);
    /// 4: `TopLevelFile`.
    pub const TOP_LEVEL_FILE: FileAttributes = FileAttributes(4);
    /// 8: `OverwriteNever`.
    pub const OVERWRITE_NEVER: FileAttributes = FileAttributes(8);
    /// 16: `OverwriteOnNewPackageVersion`.
    pub const OVERWRITE_ON_NEW_PACKAGE_VERSION: FileAttributes = FileAttributes(16);
    /// 32: `ExecuteOncePerVersion`.
    pub const EXECUTE_ONCE_PER_VERSION: FileAttributes = FileAttributes(32);

    const NAMES: [(FileAttributes, &'static str); 6] = [
        (Self::EXECUTE_ONCE, "ExecuteOnce"),
        (Self::EXECUTE_ALWAYS, "ExecuteAlways"),
        (Self::TOP_LEVEL_FILE, "TopLevelFile"),
        (Self::OVERWRITE_NEVER, "OverwriteNever"),
        (
            Self::OVERWRITE_ON_NEW_PACKAGE_VERSION,
            "OverwriteOnNewPackageVersion",
        ),
        (Self::EXECUTE_ONCE_PER_VERSION, "ExecuteOncePerVersion"),
    ];

    /// The flags as an integer.
    pub fn bits(self) -> u32 {
        self.0
    }

    /// Whether every flag of `other` is set.
    pub fn contains(self, other: FileAttributes) -> bool {
        self.0 & other.0 == other.0
    }

    /// The server's names of the set flags (`["None"]` when none).
    pub fn names(self) -> Vec<&'static str> {
        let names: Vec<_> = Self::NAMES
            .iter()
            .filter(|(f, _)| self.contains(*f))
            .map(|(_, n)| *n)
            .collect();
        if names.is_empty() {
            vec!["None"]
        } else {
            names
        }
    }

    /// Parse a list of names separated by `,`, `|` or spaces (ASCII case ignored).
    pub fn parse_list(s: &str) -> FileAttributes {
        s.split([',', '|', ' '])
            .filter_map(|n| {
                Self::NAMES
                    .iter()
                    .find(|(_, name)| name.eq_ignore_ascii_case(n.trim()))
            })
            .fold(Self::NONE, |acc, (f, _)| acc | *f)
    }
}

impl BitOr for FileAttributes {
    type Output = FileAttributes;

    fn bitor(self, rhs: FileAttributes) -> FileAttributes {
        FileAttributes(self.0 | rhs.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_and_files_round_trip() {
        let text = r#"{"packageId":"5e0f0000-0000-4000-8000-000000000001","name":"TestExec",
            "installOnRoot":false,"version":3,"status":"Released","priority":0,
            "tags":[{"key":"station","value":"ICT"}],"virtualFolderId":null,
            "released":"2026-02-01T10:00:00.1234567Z","extraThing":[1]}"#;
        let p: Package = crate::json::from_str(text).unwrap();
        assert_eq!(p.package_status(), Some(PackageStatus::Released));
        let back = crate::json::to_vec(&p).unwrap();
        let a: serde_json::Value = serde_json::from_str(text).unwrap();
        let b: serde_json::Value = serde_json::from_slice(&back).unwrap();
        assert_eq!(a, b);
        let f: PackageFile = crate::json::from_str(
            r#"{"packageFileId":"9","name":"run.exe","packageFolderName":"bin",
                "attributes":"ExecuteOnce,TopLevelFile","Description":null}"#,
        )
        .unwrap();
        assert_eq!(
            f.attribute_flags(),
            FileAttributes::EXECUTE_ONCE | FileAttributes::TOP_LEVEL_FILE
        );
        assert!(f.description.is_null());
    }

    #[test]
    fn status_transitions_follow_the_server() {
        use PackageStatus::*;
        assert!(Draft.may_become(Pending));
        assert!(Pending.may_become(Released) && Pending.may_become(Draft));
        assert!(Released.may_become(Revoked));
        assert!(!Draft.may_become(Released) && !Revoked.may_become(Draft));
        assert_eq!(PackageStatus::parse("released"), Some(Released));
        assert_eq!(FileAttributes::NONE.names(), ["None"]);
    }
}
