//! `calls!`: the declarative table a domain file writes its calls in.
//!
//! ```text
//! calls! {
//!     /// Production (MES) calls, from `client.production()`.
//!     handle Production, domain "production";   // optional: , via "production().internal()"
//!
//!     /// One unit (`GET /api/Production/Unit/{serialNumber}/{partNumber}`).
//!     fn get_unit(serial_number: &str, part_number: &str) -> Unit {
//!         GET "/api/Production/Unit/{serialNumber}/{partNumber}";
//!         pywats "production.get_unit";
//!         path [serial_number, part_number];   // fills the {..} in order, percent-encoded
//!         query ["key" = value, ...];          // optional: one parameter each (None not sent)
//!         options filter: UnitQuery;           // optional: an options type's parameters
//!         body Body::json(&unit);              // optional: the request body
//!         answer json;                         // json | list | unit | bytes | text | with(fn)
//!         opt get_unit_opt;                    // optional: a twin whose 404 is Ok(None)
//!         helpers [name, ...];                 // optional: convenience methods built on it
//!         idempotent false;                    // optional: default from the HTTP method
//!     }
//! }
//! ```
//!
//! Each entry becomes a method of the handle, generic over [`Caller`](crate::Caller) (so the
//! async and the blocking client both get it), a [`Route`](crate::Route) in the registry, and
//! a request builder shared by the method and its `opt` twin.

/// The decoder an `answer` line names.
macro_rules! decoder {
    (with ($f:path)) => {
        $f
    };
    ($kind:ident) => {
        $crate::endpoint::answer::$kind
    };
}

/// How the body of a declaration is described in the registry.
macro_rules! body_text {
    () => {
        "none"
    };
    ($body:expr) => {
        stringify!($body)
    };
}

/// Whether a declaration is idempotent: its `idempotent` line, else its method's default.
macro_rules! idempotent {
    ($method:ident) => {
        $crate::endpoint::default_idempotent(stringify!($method))
    };
    ($method:ident $value:literal) => {
        $value
    };
}

/// The opt twin's name, if any.
macro_rules! opt_name {
    () => {
        None
    };
    ($name:ident) => {
        Some(stringify!($name))
    };
}

/// How a handle is reached from a client: its `via` line, else `<domain>()`.
macro_rules! via {
    ($domain:literal) => {
        concat!($domain, "()")
    };
    ($domain:literal, $via:literal) => {
        $via
    };
}

/// The query-parameter names an options type adds.
macro_rules! option_names {
    () => {
        &[]
    };
    ($ty:ty) => {
        <$ty as $crate::endpoint::QueryParams>::NAMES
    };
}

/// The `opt` twin of a call, when its declaration names one.
macro_rules! opt_twin {
    ([] $($rest:tt)*) => {};
    ([$optname:ident] $name:ident ($($arg:ident : $aty:ty),*) -> $out:ty) => {
        #[doc = concat!(
            "Like [`", stringify!($name), "`](Self::", stringify!($name),
            "), but a 404 (or an empty answer) is `Ok(None)`."
        )]
        ///
        /// # Errors
        #[doc = concat!(
            "As [`", stringify!($name), "`](Self::", stringify!($name), "), except `NotFound`."
        )]
        pub fn $optname(&self, $($arg: $aty),*) -> C::Ret<'c, Option<$out>> {
            let req = routes::$name::request($($arg),*);
            self.caller.call($crate::endpoint::Prepared::new(
                self.caller.http(),
                req,
                $crate::endpoint::answer::opt,
            ))
        }
    };
}

/// Declare a domain handle and its calls; see the module docs.
macro_rules! calls {
    (
        $(#[$hmeta:meta])*
        handle $handle:ident, domain $domain:literal $(, via $via:literal)?;

        $(
            #[doc = $summary:literal]
            $(#[$meta:meta])*
            fn $name:ident ( $($arg:ident : $aty:ty),* $(,)? ) -> $out:ty {
                $method:ident $template:literal;
                pywats $pywats:literal;
                $( path [ $($seg:ident),* $(,)? ]; )?
                $( query [ $($qk:literal = $qv:expr),* $(,)? ]; )?
                $( options $opt:ident : $oty:ty; )?
                $( body $body:expr; )?
                answer $ans:ident $( ($custom:path) )?;
                $( opt $optname:ident; )?
                $( helpers [ $($helper:ident),* $(,)? ]; )?
                $( idempotent $idem:literal; )?
            }
        )*
    ) => {
        $(#[$hmeta])*
        ///
        /// The handle is generic over the client that runs its calls: with the async
        /// [`Client`](crate::Client) every method returns a [`Pending`](crate::Pending)
        /// future; with the blocking client of `wats-sync` it returns the `Result` itself.
        pub struct $handle<'c, C = $crate::Client> {
            #[allow(dead_code)] // a domain whose table is still empty
            caller: &'c C,
        }

        impl<C> Clone for $handle<'_, C> {
            fn clone(&self) -> Self {
                *self
            }
        }

        impl<C> Copy for $handle<'_, C> {}

        impl<C> ::std::fmt::Debug for $handle<'_, C> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(stringify!($handle))
            }
        }

        impl<'c, C: $crate::Caller> $handle<'c, C> {
            /// The handle over `caller`; the clients' accessors call this.
            #[doc(hidden)]
            pub fn new(caller: &'c C) -> Self {
                $handle { caller }
            }

            $(
                #[doc = $summary]
                $(#[$meta])*
                pub fn $name(&self, $($arg: $aty),*) -> C::Ret<'c, $out> {
                    let req = routes::$name::request($($arg),*);
                    self.caller.call($crate::endpoint::Prepared::new(
                        self.caller.http(),
                        req,
                        $crate::endpoint::macros::decoder!($ans $(($custom))?),
                    ))
                }

                $crate::endpoint::macros::opt_twin!(
                    [$($optname)?] $name ($($arg: $aty),*) -> $out
                );
            )*
        }

        /// The registry entries and request builders of this domain's calls.
        pub(crate) mod routes {
            /// How the handle is reached from a client.
            #[allow(dead_code)] // a domain whose table is still empty
            pub(crate) const VIA: &str = $crate::endpoint::macros::via!($domain $(, $via)?);

            $(
                #[allow(clippy::module_name_repetitions)]
                pub(crate) mod $name {
                    #[allow(unused_imports)]
                    use super::super::*;
                    use $crate::endpoint::{Request, Route};

                    /// The registry entry.
                    pub(crate) static ROUTE: Route = Route {
                        domain: $domain,
                        via: super::VIA,
                        name: stringify!($name),
                        opt_name: $crate::endpoint::macros::opt_name!($($optname)?),
                        helpers: &[$($(stringify!($helper)),*)?],
                        method: stringify!($method),
                        template: $template,
                        path_args: &[$($(stringify!($seg)),*)?],
                        query: &[$($($qk),*)?],
                        options: $crate::endpoint::macros::option_names!($($oty)?),
                        body: $crate::endpoint::macros::body_text!($($body)?),
                        answer: stringify!($out),
                        idempotent: $crate::endpoint::macros::idempotent!($method $($idem)?),
                        pywats: $pywats,
                        summary: $summary,
                    };

                    /// The request, built from the call's arguments.
                    #[allow(unused_mut, unused_variables, clippy::needless_pass_by_value)]
                    pub(crate) fn request($($arg: $aty),*) -> Request {
                        let mut req = Request::new(&ROUTE);
                        $( $( req.segment(&$seg); )* )?
                        $( $( req.query($qk, &$qv); )* )?
                        $( req.options(&$opt); )?
                        $( req.body($body); )?
                        req
                    }
                }
            )*

            /// Every call of this domain, in declaration order.
            pub(crate) static ALL: &[&$crate::endpoint::Route] = &[$(&$name::ROUTE),*];
        }
    };
}

pub(crate) use {body_text, calls, decoder, idempotent, opt_name, opt_twin, option_names, via};
