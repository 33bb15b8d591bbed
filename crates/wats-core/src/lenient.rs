//! Reading a model member of any JSON type in one pass: [`Lenient`] says which JSON
//! values a type takes, and every other value is kept verbatim ([`Decoded::Other`]), so a
//! [`Field`] never fails a document on the type of its value.
//!
//! Hand-written rather than `#[serde(untagged)]` or a `Value` round trip: both buffer
//! every member (the whole step tree, at every depth) before trying the type, which
//! costs decoding speed; here each JSON value is visited once and handed to the hook for
//! its JSON type.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::Serialize;
use serde_json::Value;

#[cfg(doc)]
use crate::{Field, NumOrStr};

/// What reading one JSON value as `T` gave: `null`, a `T`, or a value of another JSON
/// type, kept as it was.
#[derive(Debug, Clone, PartialEq)]
pub enum Decoded<T> {
    /// The JSON value `null`.
    Null,
    /// A value of the expected type.
    Typed(T),
    /// A value of another JSON type, verbatim.
    Other(Value),
}

/// A type a [`Field`] holds: it says which JSON values it takes, and every other value
/// is kept verbatim as [`Field::Other`] instead of failing the document.
///
/// Each hook receives one kind of JSON value and returns `None` (or, for maps and
/// arrays, [`Decoded::Other`]) when the type does not take it. Reading is one pass
/// over the input, with no buffering: the hook for the JSON type found is called
/// directly. Implemented for `String`, `bool`, the integer types, [`NumOrStr`],
/// [`Coded`](crate::Coded), `serde_json::Value`, `Vec<T>` and every model struct.
///
/// A `Vec<T>` whose array holds an item `T` does not take (a `null` among objects)
/// is kept whole as [`Field::Other`]: its typed accessor is then empty.
pub trait Lenient<'de>: Sized {
    /// From a JSON `true`/`false`.
    fn from_bool(v: bool) -> Option<Self> {
        let _ = v;
        None
    }
    /// From a JSON negative integer.
    fn from_i64(v: i64) -> Option<Self> {
        let _ = v;
        None
    }
    /// From a JSON non-negative integer.
    fn from_u64(v: u64) -> Option<Self> {
        let _ = v;
        None
    }
    /// From a JSON number with a fraction or exponent.
    fn from_f64(v: f64) -> Option<Self> {
        let _ = v;
        None
    }
    /// From a JSON string.
    fn from_str(v: &str) -> Option<Self> {
        let _ = v;
        None
    }
    /// From a JSON string already owned; `Err` gives it back when not taken.
    fn from_string(v: String) -> Result<Self, String> {
        Self::from_str(&v).ok_or(v)
    }
    /// From a JSON object; by default kept as [`Decoded::Other`].
    fn from_map<A: MapAccess<'de>>(map: A) -> Result<Decoded<Self>, A::Error> {
        Value::deserialize(MapAccessDeserializer::new(map)).map(Decoded::Other)
    }
    /// From a JSON array; by default kept as [`Decoded::Other`].
    fn from_seq<A: SeqAccess<'de>>(seq: A) -> Result<Decoded<Self>, A::Error> {
        Value::deserialize(SeqAccessDeserializer::new(seq)).map(Decoded::Other)
    }
}

/// Reads any JSON value as [`Decoded<T>`] through the [`Lenient`] hooks.
pub(crate) struct LenientVisitor<T>(pub(crate) PhantomData<T>);

impl<'de, T: Lenient<'de>> Visitor<'de> for LenientVisitor<T> {
    type Value = Decoded<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Decoded<T>, E> {
        Ok(T::from_bool(v).map_or(Decoded::Other(Value::Bool(v)), Decoded::Typed))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decoded<T>, E> {
        Ok(T::from_i64(v).map_or_else(|| Decoded::Other(v.into()), Decoded::Typed))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decoded<T>, E> {
        Ok(T::from_u64(v).map_or_else(|| Decoded::Other(v.into()), Decoded::Typed))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decoded<T>, E> {
        Ok(T::from_f64(v).map_or_else(|| Decoded::Other(v.into()), Decoded::Typed))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decoded<T>, E> {
        Ok(T::from_str(v).map_or_else(|| Decoded::Other(v.into()), Decoded::Typed))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Decoded<T>, E> {
        Ok(match T::from_string(v) {
            Ok(t) => Decoded::Typed(t),
            Err(v) => Decoded::Other(Value::String(v)),
        })
    }
    fn visit_unit<E: de::Error>(self) -> Result<Decoded<T>, E> {
        Ok(Decoded::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Decoded<T>, E> {
        Ok(Decoded::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Decoded<T>, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Decoded<T>, A::Error> {
        T::from_map(map)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Decoded<T>, A::Error> {
        T::from_seq(seq)
    }
}

/// [`LenientVisitor`] as a seed, for the items of an array.
struct LenientSeed<T>(PhantomData<T>);

impl<'de, T: Lenient<'de>> DeserializeSeed<'de> for LenientSeed<T> {
    type Value = Decoded<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Decoded<T>, D::Error> {
        d.deserialize_any(LenientVisitor(PhantomData))
    }
}

impl Lenient<'_> for String {
    fn from_str(v: &str) -> Option<Self> {
        Some(v.to_owned())
    }
    fn from_string(v: String) -> Result<Self, String> {
        Ok(v)
    }
}

impl Lenient<'_> for bool {
    fn from_bool(v: bool) -> Option<Self> {
        Some(v)
    }
}

macro_rules! lenient_int {
    ($($t:ty),*) => {$(
        impl Lenient<'_> for $t {
            fn from_i64(v: i64) -> Option<Self> {
                <$t>::try_from(v).ok()
            }
            fn from_u64(v: u64) -> Option<Self> {
                <$t>::try_from(v).ok()
            }
        }
    )*};
}
lenient_int!(i8, i16, i32, i64, u8, u16, u32, u64, usize, isize);

impl<'de> Lenient<'de> for Value {
    fn from_bool(v: bool) -> Option<Self> {
        Some(Value::Bool(v))
    }
    fn from_i64(v: i64) -> Option<Self> {
        Some(v.into())
    }
    fn from_u64(v: u64) -> Option<Self> {
        Some(v.into())
    }
    fn from_f64(v: f64) -> Option<Self> {
        Some(v.into())
    }
    fn from_str(v: &str) -> Option<Self> {
        Some(v.into())
    }
    fn from_string(v: String) -> Result<Self, String> {
        Ok(Value::String(v))
    }
    fn from_map<A: MapAccess<'de>>(map: A) -> Result<Decoded<Self>, A::Error> {
        Value::deserialize(MapAccessDeserializer::new(map)).map(Decoded::Typed)
    }
    fn from_seq<A: SeqAccess<'de>>(seq: A) -> Result<Decoded<Self>, A::Error> {
        Value::deserialize(SeqAccessDeserializer::new(seq)).map(Decoded::Typed)
    }
}

impl<'de, T: Lenient<'de> + Serialize> Lenient<'de> for Vec<T> {
    fn from_seq<A: SeqAccess<'de>>(mut seq: A) -> Result<Decoded<Self>, A::Error> {
        let mut out = Vec::new();
        while let Some(item) = seq.next_element_seed(LenientSeed::<T>(PhantomData))? {
            let odd = match item {
                Decoded::Typed(v) => {
                    out.push(v);
                    continue;
                }
                Decoded::Null => Value::Null,
                Decoded::Other(v) => v,
            };
            // An item of another type: keep the whole array as JSON. The items read so
            // far are models, which serialize back to exactly what they were read from.
            let mut raw = Vec::with_capacity(out.len() + 1);
            for v in &out {
                raw.push(serde_json::to_value(v).map_err(de::Error::custom)?);
            }
            raw.push(odd);
            while let Some(v) = seq.next_element::<Value>()? {
                raw.push(v);
            }
            return Ok(Decoded::Other(Value::Array(raw)));
        }
        Ok(Decoded::Typed(out))
    }
}
