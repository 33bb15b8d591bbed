//! Assets: fixtures, instruments and other test equipment (`/api/Asset...`).

use crate::product::Setting;
use crate::value::{NumOrStr, model};

model! {
    /// An asset (fixture, instrument, test equipment), server schema `Asset`.
    ///
    /// `runningCount`/`totalCount` and the calibration and maintenance dates are changed by
    /// their own calls (`assets().increment_count`, `record_calibration`, ...), not by saving
    /// the asset. Dates are kept as the strings the server sent.
    pub struct Asset {
        /// `assetId`.
        asset_id: String => "assetId",
        /// `parentAssetId`.
        parent_asset_id: String => "parentAssetId",
        /// `serialNumber`.
        serial_number: String => "serialNumber",
        /// `parentSerialNumber`.
        parent_serial_number: String => "parentSerialNumber",
        /// `assetName`.
        asset_name: String => "assetName",
        /// `partNumber`.
        part_number: String => "partNumber",
        /// `revision`.
        revision: String => "revision",
        /// `typeId`: GUID of the asset type (required when saving).
        type_id: String => "typeId",
        /// `ClientId` (PascalCase in the server schema).
        client_id: i64 => "ClientId",
        /// `state`: see [`AssetState`].
        state: i64 => "state",
        /// `description`.
        description: String => "description",
        /// `location`.
        location: String => "location",
        /// `firstSeenDate`.
        first_seen_date: String => "firstSeenDate",
        /// `lastSeenDate`.
        last_seen_date: String => "lastSeenDate",
        /// `lastMaintenanceDate`.
        last_maintenance_date: String => "lastMaintenanceDate",
        /// `nextMaintenanceDate`.
        next_maintenance_date: String => "nextMaintenanceDate",
        /// `lastCalibrationDate`.
        last_calibration_date: String => "lastCalibrationDate",
        /// `nextCalibrationDate`.
        next_calibration_date: String => "nextCalibrationDate",
        /// `totalCount`.
        total_count: i64 => "totalCount",
        /// `runningCount`: uses since the last reset.
        running_count: i64 => "runningCount",
        /// `tags`.
        tags: Vec<Setting> => "tags",
        /// `assetChildren`.
        asset_children: Vec<Asset> => "assetChildren",
        /// `assetType`.
        asset_type: AssetType => "assetType",
        /// `assetLog`.
        asset_log: Vec<AssetLog> => "assetLog",
    }
}

impl Asset {
    /// A new asset of a type (`typeId`) with a serial number, ready to save.
    pub fn new(serial_number: impl Into<String>, type_id: impl Into<String>) -> Self {
        Asset {
            serial_number: serial_number.into().into(),
            type_id: type_id.into().into(),
            ..Default::default()
        }
    }

    /// The typed `state`, when it holds a known code.
    pub fn asset_state(&self) -> Option<AssetState> {
        self.state.value().and_then(|c| AssetState::from_code(*c))
    }

    /// `nextCalibrationDate` parsed (see [`crate::time::parse`]).
    pub fn next_calibration(&self) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        self.next_calibration_date
            .as_str()
            .and_then(crate::time::parse)
    }

    /// `nextMaintenanceDate` parsed.
    pub fn next_maintenance(&self) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        self.next_maintenance_date
            .as_str()
            .and_then(crate::time::parse)
    }
}

model! {
    /// An asset type, server schema `AssetType`: the limits and intervals its assets share.
    pub struct AssetType {
        /// `typeId`: GUID.
        type_id: String => "typeId",
        /// `typeName`.
        type_name: String => "typeName",
        /// `runningCountLimit`: uses allowed between calibrations.
        running_count_limit: i64 => "runningCountLimit",
        /// `totalCountLimit`: uses allowed over the asset's life.
        total_count_limit: i64 => "totalCountLimit",
        /// `maintenanceInterval`: days (`1.5` allowed); kept as received.
        maintenance_interval: NumOrStr => "maintenanceInterval",
        /// `calibrationInterval`: days; kept as received.
        calibration_interval: NumOrStr => "calibrationInterval",
        /// `warningThreshold`: percent.
        warning_threshold: NumOrStr => "warningThreshold",
        /// `alarmThreshold`: percent.
        alarm_threshold: NumOrStr => "alarmThreshold",
        /// `isReadonly`.
        is_readonly: bool => "isReadonly",
        /// `icon`.
        icon: String => "icon",
    }
}

impl AssetType {
    /// A new asset type with a name, ready to create.
    pub fn new(type_name: impl Into<String>) -> Self {
        AssetType {
            type_name: type_name.into().into(),
            ..Default::default()
        }
    }
}

model! {
    /// One asset log record, server schema `AssetLog`.
    pub struct AssetLog {
        /// `logId`.
        log_id: i64 => "logId",
        /// `assetId`.
        asset_id: String => "assetId",
        /// `serialNumber`.
        serial_number: String => "serialNumber",
        /// `date` (UTC).
        date: String => "date",
        /// `user`.
        user: String => "user",
        /// `type`: see [`AssetLogType`].
        kind: i64 => "type",
        /// `property`: the property an update record changed.
        property: String => "property",
        /// `value`.
        value: String => "value",
        /// `comment`.
        comment: String => "comment",
    }
}

impl AssetLog {
    /// The typed `type`, when it holds a known code.
    pub fn log_type(&self) -> Option<AssetLogType> {
        self.kind.value().and_then(|c| AssetLogType::from_code(*c))
    }
}

model! {
    /// A log message for an asset, server schema `AssetMessage`.
    pub struct AssetMessage {
        /// `content`.
        content: String => "content",
    }
}

impl AssetMessage {
    /// A message with its text.
    pub fn new(content: impl Into<String>) -> Self {
        AssetMessage {
            content: content.into().into(),
            ..Default::default()
        }
    }
}

model! {
    /// The answer of `GET /api/Asset/Status`. The server does not document it; `alarmState`
    /// (see [`AlarmState`]) is what pyWATS reads. Every other member is kept in `extra`.
    pub struct AssetStatus {
        /// `alarmState`: 0 OK, 1 warning, 2 alarm.
        alarm_state: i64 => "alarmState",
        /// `runningCount`.
        running_count: i64 => "runningCount",
        /// `totalCount`.
        total_count: i64 => "totalCount",
        /// `message` (translated when asked).
        message: String => "message",
    }
}

impl AssetStatus {
    /// The typed `alarmState`; an absent member reads as [`AlarmState::Ok`].
    pub fn alarm(&self) -> Option<AlarmState> {
        match self.alarm_state.value() {
            None => Some(AlarmState::Ok),
            Some(c) => AlarmState::from_code(*c),
        }
    }
}

/// Codes with a fixed integer value on the wire.
macro_rules! int_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $c:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vm])* $v,)*
        }

        impl $name {
            /// The wire code.
            pub fn code(self) -> i32 {
                match self { $($name::$v => $c,)* }
            }

            /// From a wire code; `None` for an unknown one.
            pub fn from_code(code: i64) -> Option<Self> {
                match code { $($c => Some($name::$v),)* _ => None }
            }
        }
    };
}

int_enum! {
    /// An asset's `state`.
    AssetState {
        /// 0.
        Unknown = 0,
        /// 1: in operation.
        InOperation = 1,
        /// 2: in transit.
        InTransit = 2,
        /// 3: in maintenance.
        InMaintenance = 3,
        /// 4: in calibration.
        InCalibration = 4,
        /// 5: in storage.
        InStorage = 5,
        /// 6: scrapped.
        Scrapped = 6,
    }
}

int_enum! {
    /// An asset log record's `type` (`GET /api/Asset/Log` documents 0 to 5).
    AssetLogType {
        /// 0: a message.
        Message = 0,
        /// 1: the asset was registered.
        Register = 1,
        /// 2: a property was updated.
        Update = 2,
        /// 3: the running count was reset.
        ResetCount = 3,
        /// 4: calibrated.
        Calibration = 4,
        /// 5: maintained.
        Maintenance = 5,
        /// 6: the state changed.
        StateChange = 6,
    }
}

int_enum! {
    /// The `alarmState` of an asset's status.
    AlarmState {
        /// 0: within its limits.
        Ok = 0,
        /// 1: near a limit (warning threshold).
        Warning = 1,
        /// 2: a limit is exceeded or a date is overdue.
        Alarm = 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asset_round_trips_losslessly() {
        let text = r#"{"assetId":"17","parentAssetId":null,"serialNumber":"FX-1",
            "assetName":"Bed of nails","typeId":"0f6e2d4a-1111-4222-8333-944445555666",
            "ClientId":3,"state":1,"firstSeenDate":"2026-01-30T22:01:41.4707353+01:00",
            "nextCalibrationDate":"2026-03-01T00:00:00Z","totalCount":12000,"runningCount":42,
            "tags":[{"key":"line","value":"L1"}],
            "assetType":{"typeId":"0f6e2d4a-1111-4222-8333-944445555666","typeName":"Fixture",
              "runningCountLimit":5000,"calibrationInterval":30.0,"maintenanceInterval":1.5,
              "warningThreshold":"80","isReadonly":false,"future":1},
            "assetLog":[{"logId":1,"type":4,"date":"2026-01-01T00:00:00Z","comment":"ok"}],
            "assetChildren":[],"unknownMember":{"kept":true}}"#;
        let asset: Asset = crate::json::from_str(text).unwrap();
        assert_eq!(asset.asset_state(), Some(AssetState::InOperation));
        assert_eq!(asset.running_count.value(), Some(&42));
        assert_eq!(
            asset.next_calibration().unwrap().timestamp(),
            chrono::DateTime::parse_from_rfc3339("2026-03-01T00:00:00Z")
                .unwrap()
                .timestamp()
        );
        let t = asset.asset_type.value().unwrap();
        assert_eq!(t.calibration_interval.value().unwrap().as_f64(), Some(30.0));
        assert_eq!(
            asset.asset_log.items()[0].log_type(),
            Some(AssetLogType::Calibration)
        );
        let back = crate::json::to_vec(&asset).unwrap();
        let a: serde_json::Value = serde_json::from_str(text).unwrap();
        let b: serde_json::Value = serde_json::from_slice(&back).unwrap();
        assert_eq!(a, b);
        // `30.0` stays `30.0`, not `30`.
        assert!(
            String::from_utf8(back)
                .unwrap()
                .contains("\"calibrationInterval\":30.0")
        );
    }

    #[test]
    fn status_and_codes() {
        let s: AssetStatus =
            crate::json::from_str(r#"{"alarmState":2,"message":"Calibration overdue","x":[1]}"#)
                .unwrap();
        assert_eq!(s.alarm(), Some(AlarmState::Alarm));
        assert_eq!(s.extra["x"], serde_json::json!([1]));
        assert_eq!(AssetStatus::default().alarm(), Some(AlarmState::Ok));
        assert_eq!(AssetState::from_code(6), Some(AssetState::Scrapped));
        assert_eq!(AssetState::from_code(7), None);
        assert_eq!(AlarmState::Warning.code(), 1);
        let m = crate::json::to_vec(&AssetMessage::new("cleaned")).unwrap();
        assert_eq!(m, br#"{"content":"cleaned"}"#);
    }
}
