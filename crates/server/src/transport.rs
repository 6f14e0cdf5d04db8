//! Cross-origin access (CORS). By default there is none: no CORS header is ever sent, so a
//! browser lets only pages of Candor's own origin call the API. Listed origins get exactly the
//! methods and headers the API uses, and credentials (the session cookie) only for themselves.
//! See `docs/specs/transport.md`.

use axum::http::{HeaderName, HeaderValue, Method, header};
use tower_http::cors::{AllowCredentials, AllowOrigin, CorsLayer};

/// An origin that cannot be allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not an origin: expected `https://host` or `http://host:port`, without a path, `*` or trailing `/`"
)]
pub struct BadOrigin(pub String);

/// Parses an origin as browsers send it in `Origin`: scheme, host and optional port.
///
/// # Errors
///
/// Anything else, including the wildcard `*` (which would let every site call the API).
pub fn parse_origin(origin: &str) -> Result<HeaderValue, BadOrigin> {
    let bad = || BadOrigin(origin.to_owned());
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or_else(bad)?;
    let valid = !rest.is_empty()
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-.:[]".contains(&b));
    if !valid {
        return Err(bad());
    }
    HeaderValue::from_str(origin).map_err(|_| bad())
}

/// The CORS layer for `origins`, or `None` when the list is empty (same-origin only).
pub(crate) fn cors_layer(origins: &[HeaderValue]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let listed = origins.to_vec();
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins.iter().cloned()))
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
            .allow_credentials(AllowCredentials::predicate(move |origin, _| {
                listed.contains(origin)
            }))
            .vary([
                header::ORIGIN,
                HeaderName::from_static("access-control-request-method"),
                HeaderName::from_static("access-control-request-headers"),
            ]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_origins_are_accepted() {
        for good in [
            "https://support.example.com",
            "http://localhost:3000",
            "http://[::1]:8080",
        ] {
            parse_origin(good).unwrap();
        }
        for bad in [
            "*",
            "https://",
            "support.example.com",
            "https://support.example.com/",
            "https://support.example.com/app",
            "https://*.example.com",
            "ftp://example.com",
            "https://exa mple.com",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
    }
}
