//! SCIM 2.0 users (`/api/SCIM/v2/...`), as RFC 7643/7644 spell them.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::value::{Extra, Field, model};

/// The SCIM core user schema URN.
pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// The SCIM PatchOp message URN.
pub const PATCH_OP_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

model! {
    /// A SCIM user (RFC 7643 §4.1).
    pub struct ScimUser {
        /// `schemas`.
        schemas: Vec<String> => "schemas",
        /// `id`: the server's id.
        id: String => "id",
        /// `externalId`: the identity provider's id.
        external_id: String => "externalId",
        /// `userName`.
        user_name: String => "userName",
        /// `name`.
        name: ScimName => "name",
        /// `displayName`.
        display_name: String => "displayName",
        /// `emails`.
        emails: Vec<ScimEmail> => "emails",
        /// `active`.
        active: bool => "active",
        /// `meta`.
        meta: ScimMeta => "meta",
    }
}

impl ScimUser {
    /// A new user with a user name and the core schema, ready to create.
    pub fn new(user_name: impl Into<String>) -> Self {
        ScimUser {
            schemas: vec![USER_SCHEMA.to_owned()].into(),
            user_name: user_name.into().into(),
            ..Default::default()
        }
    }
}

model! {
    /// A SCIM user's `name`.
    pub struct ScimName {
        /// `formatted`.
        formatted: String => "formatted",
        /// `familyName`.
        family_name: String => "familyName",
        /// `givenName`.
        given_name: String => "givenName",
        /// `middleName`.
        middle_name: String => "middleName",
    }
}

model! {
    /// One of a SCIM user's `emails`.
    pub struct ScimEmail {
        /// `value`.
        value: String => "value",
        /// `type` (`work`, `home`, ...).
        kind: String => "type",
        /// `primary`.
        primary: bool => "primary",
    }
}

model! {
    /// A SCIM resource's `meta`.
    pub struct ScimMeta {
        /// `resourceType`.
        resource_type: String => "resourceType",
        /// `created`.
        created: String => "created",
        /// `lastModified`.
        last_modified: String => "lastModified",
        /// `location`.
        location: String => "location",
        /// `version`.
        version: String => "version",
    }
}

model! {
    /// A SCIM list response (RFC 7644 §3.4.2): one page of users.
    pub struct ScimListResponse {
        /// `schemas`.
        schemas: Vec<String> => "schemas",
        /// `totalResults`: all matches, not just this page.
        total_results: i64 => "totalResults",
        /// `itemsPerPage`.
        items_per_page: i64 => "itemsPerPage",
        /// `startIndex`: 1-based.
        start_index: i64 => "startIndex",
        /// `Resources`: the users of this page.
        resources: Vec<ScimUser> => "Resources",
    }
}

/// A SCIM bearer token for an identity provider (`GET /api/SCIM/v2/Token`).
///
/// Its `Debug` output never shows the token.
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ScimToken {
    /// `token`: the secret.
    #[serde(default, skip_serializing_if = "Field::is_absent")]
    pub token: Field<String>,
    /// `expiresUtc`.
    #[serde(
        rename = "expiresUtc",
        default,
        skip_serializing_if = "Field::is_absent"
    )]
    pub expires_utc: Field<String>,
    /// `durationDays`.
    #[serde(
        rename = "durationDays",
        default,
        skip_serializing_if = "Field::is_absent"
    )]
    pub duration_days: Field<i64>,
    /// Members this model does not know, kept verbatim.
    #[serde(flatten)]
    pub extra: Extra,
}

impl fmt::Debug for ScimToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScimToken")
            .field("token", &"<redacted>")
            .field("expires_utc", &self.expires_utc)
            .field("duration_days", &self.duration_days)
            .finish_non_exhaustive()
    }
}

/// A SCIM PatchOp request (RFC 7644 §3.5.2): `{"schemas": [PatchOp], "Operations": [..]}`.
///
/// ```
/// use wats_core::ScimPatch;
/// let p = ScimPatch::new().replace("active", false).replace("displayName", "Ola N");
/// let json = serde_json::to_value(&p).unwrap();
/// assert_eq!(json["Operations"][0]["op"], "replace");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ScimPatch {
    /// `schemas`: the PatchOp URN.
    pub schemas: Vec<String>,
    /// `Operations`.
    #[serde(rename = "Operations")]
    pub operations: Vec<ScimOperation>,
}

/// One operation of a [`ScimPatch`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ScimOperation {
    /// `op`: `add`, `replace` or `remove`.
    pub op: String,
    /// `path`, when the operation targets one attribute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// `value`, except for `remove`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
}

impl Default for ScimPatch {
    fn default() -> Self {
        ScimPatch {
            schemas: vec![PATCH_OP_SCHEMA.to_owned()],
            operations: Vec::new(),
        }
    }
}

impl ScimPatch {
    /// An empty PatchOp.
    pub fn new() -> Self {
        Self::default()
    }

    fn op(mut self, op: &str, path: Option<&str>, value: Option<serde_json::Value>) -> Self {
        self.operations.push(ScimOperation {
            op: op.to_owned(),
            path: path.map(str::to_owned),
            value,
        });
        self
    }

    /// `replace` the attribute at `path` with `value`.
    pub fn replace(self, path: &str, value: impl Into<serde_json::Value>) -> Self {
        self.op("replace", Some(path), Some(value.into()))
    }

    /// `add` `value` at `path`.
    pub fn add(self, path: &str, value: impl Into<serde_json::Value>) -> Self {
        self.op("add", Some(path), Some(value.into()))
    }

    /// `remove` the attribute at `path`.
    pub fn remove(self, path: &str) -> Self {
        self.op("remove", Some(path), None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_response_round_trips_and_token_is_redacted() {
        let text = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults":2,"itemsPerPage":1,"startIndex":1,
            "Resources":[{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"7",
              "userName":"ola","name":{"givenName":"Ola","familyName":"N"},"active":true,
              "emails":[{"value":"ola@example.com","type":"work","primary":true}],
              "meta":{"resourceType":"User","created":"2026-01-01T00:00:00Z"},"custom":1}]}"#;
        let l: ScimListResponse = crate::json::from_str(text).unwrap();
        assert_eq!(l.resources.items()[0].user_name.as_str(), Some("ola"));
        let back = crate::json::to_vec(&l).unwrap();
        let a: serde_json::Value = serde_json::from_str(text).unwrap();
        let b: serde_json::Value = serde_json::from_slice(&back).unwrap();
        assert_eq!(a, b);

        let t: ScimToken = crate::json::from_str(
            r#"{"token":"s3cr3t","expiresUtc":"2026-04-01T00:00:00Z","durationDays":90,"x":1}"#,
        )
        .unwrap();
        assert!(!format!("{t:?}").contains("s3cr3t"));
        assert_eq!(t.duration_days.value(), Some(&90));
        let v = serde_json::to_value(&t).unwrap();
        assert_eq!(v["x"], 1);
        assert_eq!(v["token"], "s3cr3t");

        let p = serde_json::to_value(ScimPatch::new().remove("emails")).unwrap();
        assert_eq!(
            p,
            serde_json::json!({"schemas": [PATCH_OP_SCHEMA], "Operations": [{"op": "remove", "path": "emails"}]})
        );
    }
}
