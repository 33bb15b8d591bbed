//! Shared primitives of the lossless models: the tri-state [`Field`], numbers that
//! may arrive as strings ([`NumOrStr`]), and the macro that gives every model struct its
//! exact, extras-preserving serde implementation. The [`Lenient`] reading that keeps a
//! member of an unexpected JSON type verbatim is in [`crate::lenient`].

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};
use serde_json::Value;

use crate::lenient::LenientVisitor;
pub use crate::lenient::{Decoded, Lenient};

/// A JSON object holding keys the model does not know, kept verbatim.
pub type Extra = serde_json::Map<String, serde_json::Value>;

/// One optional JSON member: not present, present as `null`, present with a value of
/// the expected type, or present with a value of another JSON type.
///
/// Every optional member of every model uses this type, so a model re-serializes
/// exactly what it parsed: an absent key stays absent (it is skipped on output), an
/// explicit `null` stays `null`, and a value whose JSON type is not the one the model
/// expects (an object where a string is expected, `"yes"` where a boolean is, an array
/// holding a `null` among objects) is kept verbatim as [`Field::Other`] instead of
/// failing the whole document. Typed accessors ([`Field::value`], [`Field::items`] and
/// the models' own) treat `Other` as "not the expected type": `None` or empty.
///
/// ```
/// use wats_core::Field;
/// let f: Field<i64> = Field::Value(3);
/// assert_eq!(f.value(), Some(&3));
/// assert!(Field::<i64>::Null.is_null());
/// assert!(Field::<i64>::default().is_absent());
///
/// let odd: Field<i64> = serde_json::from_str(r#"{"unit":"ms"}"#).unwrap();
/// assert_eq!(odd.value(), None);
/// assert_eq!(odd.other(), Some(&serde_json::json!({"unit": "ms"})));
/// assert_eq!(serde_json::to_string(&odd).unwrap(), r#"{"unit":"ms"}"#);
/// ```
#[derive(Clone, PartialEq, Default)]
pub enum Field<T> {
    /// The key is not in the JSON object.
    #[default]
    Absent,
    /// The key is present with the value `null`.
    Null,
    /// The key is present with a value.
    Value(T),
    /// The key is present with a JSON value of another type than the model expects,
    /// kept verbatim and written back as received.
    Other(Box<Value>),
}

impl<T> Field<T> {
    /// True when the key is absent (it is then skipped on output).
    pub fn is_absent(&self) -> bool {
        matches!(self, Field::Absent)
    }

    /// True when the key is present with `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Field::Null)
    }

    /// True when the key holds a value of the expected type.
    pub fn is_value(&self) -> bool {
        matches!(self, Field::Value(_))
    }

    /// True when the key holds a JSON value of another type than expected.
    pub fn is_other(&self) -> bool {
        matches!(self, Field::Other(_))
    }

    /// The JSON value of an unexpected type, if that is what the key holds.
    pub fn other(&self) -> Option<&Value> {
        match self {
            Field::Other(v) => Some(v),
            _ => None,
        }
    }

    /// The value, if any.
    pub fn value(&self) -> Option<&T> {
        match self {
            Field::Value(v) => Some(v),
            _ => None,
        }
    }

    /// The value mutably, if any.
    pub fn value_mut(&mut self) -> Option<&mut T> {
        match self {
            Field::Value(v) => Some(v),
            _ => None,
        }
    }

    /// Convert into an `Option`, folding `Absent`, `Null` and `Other` into `None`.
    pub fn into_option(self) -> Option<T> {
        match self {
            Field::Value(v) => Some(v),
            _ => None,
        }
    }

    /// Replace the content with a value.
    pub fn set(&mut self, value: T) {
        *self = Field::Value(value);
    }

    /// The value, inserting `T::default()` first when there is none (an `Other` value
    /// is replaced).
    pub fn get_or_insert_default(&mut self) -> &mut T
    where
        T: Default,
    {
        if !self.is_value() {
            *self = Field::Value(T::default());
        }
        match self {
            Field::Value(v) => v,
            // Just set above.
            _ => unreachable!("field was just set to a value"),
        }
    }

    /// Map the value, keeping `Absent`, `Null` and `Other`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Field<U> {
        match self {
            Field::Absent => Field::Absent,
            Field::Null => Field::Null,
            Field::Value(v) => Field::Value(f(v)),
            Field::Other(v) => Field::Other(v),
        }
    }

    /// Borrow the value, keeping `Absent`, `Null` and `Other` (cloned).
    pub fn as_ref(&self) -> Field<&T> {
        match self {
            Field::Absent => Field::Absent,
            Field::Null => Field::Null,
            Field::Value(v) => Field::Value(v),
            Field::Other(v) => Field::Other(v.clone()),
        }
    }
}

impl Field<String> {
    /// The string value, if any.
    pub fn as_str(&self) -> Option<&str> {
        self.value().map(String::as_str)
    }
}

impl<T> Field<Vec<T>> {
    /// The items, or an empty slice for `Absent`, `Null` and `Other`.
    pub fn items(&self) -> &[T] {
        self.value().map_or(&[], Vec::as_slice)
    }

    /// Append an item, turning `Absent`/`Null` (or an `Other` value) into a one-item
    /// array.
    pub fn push(&mut self, item: T) {
        self.get_or_insert_default().push(item);
    }
}

impl<T: fmt::Debug> fmt::Debug for Field<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Field::Absent => f.write_str("Absent"),
            Field::Null => f.write_str("Null"),
            Field::Value(v) => v.fmt(f),
            Field::Other(v) => write!(f, "Other({v})"),
        }
    }
}

impl<T: Eq> Eq for Field<T> {}

impl<T> From<T> for Field<T> {
    fn from(value: T) -> Self {
        Field::Value(value)
    }
}

impl From<&str> for Field<String> {
    fn from(value: &str) -> Self {
        Field::Value(value.to_owned())
    }
}

impl<T> From<Option<T>> for Field<T> {
    /// `None` becomes `Null`.
    fn from(value: Option<T>) -> Self {
        value.map_or(Field::Null, Field::Value)
    }
}

impl<T: Serialize> Serialize for Field<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            // Absent members are skipped by the model serializer; standalone they are null.
            Field::Absent | Field::Null => serializer.serialize_none(),
            Field::Value(v) => serializer.serialize_some(v),
            Field::Other(v) => v.serialize(serializer),
        }
    }
}

impl<'de, T: Lenient<'de>> Deserialize<'de> for Field<T> {
    /// Never fails on the JSON type of the value: a value `T` does not take becomes
    /// [`Field::Other`]. Only malformed input (bad syntax, early end) is an error.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(
            match deserializer.deserialize_any(LenientVisitor::<T>(PhantomData))? {
                Decoded::Null => Field::Null,
                Decoded::Typed(v) => Field::Value(v),
                Decoded::Other(v) => Field::Other(Box::new(v)),
            },
        )
    }
}

/// A number that WATS may send either as a JSON number or as a JSON string
/// (measurement values and limits, `totTime`, `errorCode`, step ids, ...).
///
/// The original form is kept: a string stays a string (`"1.5"`, `"NaN"`,
/// `"Infinity"`), a number keeps its integer or float representation, integers
/// beyond 2^53 keep every digit.
///
/// ```
/// use wats_core::NumOrStr;
/// assert_eq!(NumOrStr::from(1.5).as_f64(), Some(1.5));
/// assert!(NumOrStr::from("NaN").as_f64().unwrap().is_nan());
/// assert_eq!(NumOrStr::from("-Infinity").as_f64(), Some(f64::NEG_INFINITY));
/// assert_eq!(NumOrStr::from(9007199254740993_i64).as_i64(), Some(9007199254740993));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum NumOrStr {
    /// A JSON number (integer or float, as received).
    Number(serde_json::Number),
    /// A JSON string.
    String(String),
}

impl NumOrStr {
    /// The value as `f64`: numbers directly, strings parsed (`"1.5"`, `"NaN"`,
    /// `"Infinity"`, `"-Inf"`, surrounding whitespace ignored). `None` if a string
    /// does not hold a number.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            NumOrStr::Number(n) => n.as_f64(),
            NumOrStr::String(s) => parse_f64_lenient(s),
        }
    }

    /// The value as `i64` when it is an integer (a number or a string holding one).
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            NumOrStr::Number(n) => n.as_i64(),
            NumOrStr::String(s) => s.trim().parse().ok(),
        }
    }

    /// The string form, when the value arrived as a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            NumOrStr::String(s) => Some(s),
            NumOrStr::Number(_) => None,
        }
    }

    /// Build from an `f64`. Non-finite values (which JSON numbers cannot hold) are
    /// stored as the strings `"NaN"`, `"Infinity"` or `"-Infinity"`.
    pub fn from_f64(v: f64) -> Self {
        match serde_json::Number::from_f64(v) {
            Some(n) => NumOrStr::Number(n),
            None if v.is_nan() => NumOrStr::String("NaN".to_owned()),
            None if v > 0.0 => NumOrStr::String("Infinity".to_owned()),
            None => NumOrStr::String("-Infinity".to_owned()),
        }
    }
}

pub(crate) fn parse_f64_lenient(s: &str) -> Option<f64> {
    let t = s.trim();
    match t.to_ascii_lowercase().as_str() {
        "nan" => Some(f64::NAN),
        "inf" | "+inf" | "infinity" | "+infinity" => Some(f64::INFINITY),
        "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
        _ => t.parse().ok(),
    }
}

impl fmt::Display for NumOrStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NumOrStr::Number(n) => n.fmt(f),
            NumOrStr::String(s) => f.write_str(s),
        }
    }
}

impl From<f64> for NumOrStr {
    fn from(v: f64) -> Self {
        NumOrStr::from_f64(v)
    }
}

impl From<i64> for NumOrStr {
    fn from(v: i64) -> Self {
        NumOrStr::Number(v.into())
    }
}

impl From<u64> for NumOrStr {
    fn from(v: u64) -> Self {
        NumOrStr::Number(v.into())
    }
}

impl From<i32> for NumOrStr {
    fn from(v: i32) -> Self {
        NumOrStr::Number(v.into())
    }
}

impl From<&str> for NumOrStr {
    fn from(v: &str) -> Self {
        NumOrStr::String(v.to_owned())
    }
}

impl From<String> for NumOrStr {
    fn from(v: String) -> Self {
        NumOrStr::String(v)
    }
}

impl Serialize for NumOrStr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            NumOrStr::Number(n) => n.serialize(serializer),
            NumOrStr::String(s) => serializer.serialize_str(s),
        }
    }
}

impl<'de> Deserialize<'de> for NumOrStr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = NumOrStr;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number or a string")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<NumOrStr, E> {
                Ok(NumOrStr::Number(v.into()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<NumOrStr, E> {
                Ok(NumOrStr::Number(v.into()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<NumOrStr, E> {
                serde_json::Number::from_f64(v)
                    .map(NumOrStr::Number)
                    .ok_or_else(|| E::custom("non-finite number"))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<NumOrStr, E> {
                Ok(NumOrStr::String(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<NumOrStr, E> {
                Ok(NumOrStr::String(v))
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl Lenient<'_> for NumOrStr {
    fn from_i64(v: i64) -> Option<Self> {
        Some(NumOrStr::Number(v.into()))
    }
    fn from_u64(v: u64) -> Option<Self> {
        Some(NumOrStr::Number(v.into()))
    }
    fn from_f64(v: f64) -> Option<Self> {
        serde_json::Number::from_f64(v).map(NumOrStr::Number)
    }
    fn from_str(v: &str) -> Option<Self> {
        Some(NumOrStr::String(v.to_owned()))
    }
    fn from_string(v: String) -> Result<Self, String> {
        Ok(NumOrStr::String(v))
    }
}

/// A JSON object key, borrowed from the input when possible.
pub(crate) struct Key<'de>(Cow<'de, str>);

impl Key<'_> {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn into_owned(self) -> String {
        self.0.into_owned()
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(V)
    }
}

/// Define a lossless model struct: every listed member is a [`Field`], unknown keys
/// go to `extra`, and serde is implemented by hand (no `flatten` buffering) so that
/// output holds exactly the members that were present, plus the extras.
macro_rules! model {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                $field:ident : $ty:ty => $key:literal,
            )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, PartialEq)]
        #[non_exhaustive]
        pub struct $name {
            $(
                $(#[$fmeta])*
                pub $field: $crate::value::Field<$ty>,
            )*
            /// Members this model does not know, kept verbatim and written back.
            pub extra: $crate::value::Extra,
        }

        impl $name {
            /// The JSON member names this model knows (all others land in `extra`).
            pub const KNOWN_KEYS: &'static [&'static str] = &[$($key),*];
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(None)?;
                $(
                    if !self.$field.is_absent() {
                        map.serialize_entry($key, &self.$field)?;
                    }
                )*
                for (k, v) in &self.extra {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                struct V;
                impl<'de> ::serde::de::Visitor<'de> for V {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a ", stringify!($name), " object"))
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> ::std::result::Result<$name, A::Error> {
                        let mut out = $name::default();
                        while let Some(key) = map.next_key::<$crate::value::Key<'de>>()? {
                            match key.as_str() {
                                $( $key => out.$field = map.next_value()?, )*
                                _ => {
                                    let v: ::serde_json::Value = map.next_value()?;
                                    out.extra.insert(key.into_owned(), v);
                                }
                            }
                        }
                        Ok(out)
                    }
                }
                deserializer.deserialize_map(V)
            }
        }

        impl<'de> $crate::value::Lenient<'de> for $name {
            fn from_map<A: ::serde::de::MapAccess<'de>>(
                map: A,
            ) -> ::std::result::Result<$crate::value::Decoded<Self>, A::Error> {
                <$name as ::serde::Deserialize<'de>>::deserialize(
                    ::serde::de::value::MapAccessDeserializer::new(map),
                )
                .map($crate::value::Decoded::Typed)
            }
        }
    };
}

pub(crate) use model;

#[cfg(test)]
#[allow(unreachable_pub, dead_code)]
mod tests {
    use super::*;

    model! {
        /// Test model.
        pub struct Probe {
            /// a
            a: i64 => "a",
            /// b
            b: NumOrStr => "b",
        }
    }

    #[test]
    fn tri_state_and_extras_round_trip() {
        let src = r#"{"a":null,"b":"NaN","zz":{"k":[1,2.5,"x",null]}}"#;
        let p: Probe = serde_json::from_str(src).unwrap();
        assert!(p.a.is_null());
        assert!(p.b.value().unwrap().as_f64().unwrap().is_nan());
        assert_eq!(p.extra.len(), 1);
        let back: serde_json::Value = serde_json::to_value(&p).unwrap();
        let orig: serde_json::Value = serde_json::from_str(src).unwrap();
        assert_eq!(back, orig);
        let empty: Probe = serde_json::from_str("{}").unwrap();
        assert!(empty.a.is_absent());
        assert_eq!(serde_json::to_string(&empty).unwrap(), "{}");
    }

    #[test]
    fn big_integers_and_floats_keep_their_form() {
        let src = r#"{"b":18446744073709551615}"#;
        let p: Probe = serde_json::from_str(src).unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), src);
        let p: Probe = serde_json::from_str(r#"{"b":1.0}"#).unwrap();
        assert_eq!(serde_json::to_string(&p).unwrap(), r#"{"b":1.0}"#);
        let p: Probe = serde_json::from_str(r#"{"b":-12}"#).unwrap();
        assert_eq!(p.b.value().unwrap().as_i64(), Some(-12));
    }

    #[test]
    fn wrong_type_is_kept_verbatim_and_only_a_non_object_fails() {
        for src in [
            r#"{"a":"x"}"#,
            r#"{"b":true}"#,
            r#"{"a":1.5,"b":{"k":[null]}}"#,
            r#"{"a":18446744073709551615}"#,
            r#"{"a":[1,2],"b":[]}"#,
        ] {
            let p: Probe = serde_json::from_str(src).unwrap();
            assert!(p.a.value().is_none() && p.b.value().is_none(), "{src}");
            assert_eq!(serde_json::to_string(&p).unwrap(), src);
        }
        let p: Probe = serde_json::from_str(r#"{"a":"x"}"#).unwrap();
        assert_eq!(p.a.other(), Some(&Value::from("x")));
        assert!(serde_json::from_str::<Probe>("[]").is_err());
        assert!(serde_json::from_str::<Probe>("\"x\"").is_err());
        assert!(serde_json::from_str::<Probe>(r#"{"a":"#).is_err());
    }

    #[test]
    fn an_odd_item_keeps_the_whole_array() {
        #[derive(Debug, Clone, Default, PartialEq, serde::Deserialize)]
        struct Holder {
            items: Field<Vec<Probe>>,
        }
        let src = r#"[{"a":1,"zz":2},null,{"b":"s"},3]"#;
        let f: Field<Vec<Probe>> = serde_json::from_str(src).unwrap();
        assert!(f.items().is_empty());
        assert_eq!(
            serde_json::to_value(&f).unwrap(),
            serde_json::from_str::<Value>(src).unwrap()
        );
        let h: Holder = serde_json::from_str(r#"{"items":[{"a":1}]}"#).unwrap();
        assert_eq!(h.items.items().len(), 1);
    }
}
