//! JSON decoding and encoding helpers that report the JSON path of a failure.

use crate::error::{Error, Result};

/// Decode `T` from JSON bytes. On failure the error names the JSON path, for
/// example `root.steps[2].numericMeas[0].value`.
///
/// ```
/// use wats_core::json;
/// #[derive(serde::Deserialize, Debug)]
/// struct P { #[allow(dead_code)] n: u32 }
/// let err = json::from_slice::<Vec<P>>(br#"[{"n":1},{"n":"x"}]"#).unwrap_err();
/// assert!(err.to_string().contains("[1].n"), "{err}");
/// ```
pub fn from_slice<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    // Fast path: plain serde_json. Path tracking allocates per map key, so it only runs
    // again, on the same bytes, when the fast path failed and the error needs its path.
    if let Ok(value) = serde_json::from_slice(bytes) {
        return Ok(value);
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut *de).map_err(|e| decode_error::<T>(&e))?;
    // Reject trailing garbage after the value, as `serde_json::from_slice` does.
    de.end().map_err(|e| Error::Decode {
        target: short_type_name::<T>(),
        path: ".".to_owned(),
        message: e.to_string(),
    })?;
    Ok(value)
}

/// Decode `T` from a JSON string; see [`from_slice`].
pub fn from_str<T: serde::de::DeserializeOwned>(s: &str) -> Result<T> {
    from_slice(s.as_bytes())
}

/// Decode `T` from an already parsed [`serde_json::Value`], with the failing path.
pub fn from_value<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| decode_error::<T>(&e))
}

/// Encode `value` as compact JSON bytes.
pub fn to_vec<T: serde::Serialize + ?Sized>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| Error::Encode {
        target: short_type_name::<T>(),
        message: e.to_string(),
    })
}

fn decode_error<T>(e: &serde_path_to_error::Error<serde_json::Error>) -> Error {
    let path = e.path().to_string();
    Error::Decode {
        target: short_type_name::<T>(),
        path,
        message: e.inner().to_string(),
    }
}

fn short_type_name<T: ?Sized>() -> &'static str {
    let full = std::any::type_name::<T>();
    // Keep generic arguments readable: strip module paths from each segment.
    match full.rsplit_once("::") {
        Some((_, tail)) if !full.contains('<') => tail,
        _ => full,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Inner {
        value: f64,
    }

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Outer {
        items: Vec<Inner>,
    }

    #[test]
    fn wrong_type_names_the_path() {
        let err = from_slice::<Outer>(br#"{"items":[{"value":1},{"value":"x"}]}"#).unwrap_err();
        match err {
            Error::Decode { path, .. } => assert_eq!(path, "items[1].value"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn truncated_and_garbage_are_errors_not_panics() {
        for input in [
            &b"{\"items\":[{"[..],
            b"\xff\xfe",
            b"",
            b"[]",
            b"{} trailing",
        ] {
            assert!(from_slice::<Outer>(input).is_err());
        }
    }
}
