//! How server functions carry an `AppError` to the browser: plain text
//! (`kind`, then its fields, one per line) rather than JSON, so
//! pages that only need to show an error, such as sign-in after a failed
//! post, do not load serde's JSON decoder. REST clients never see this:
//! the API answers with `ErrorBody` JSON.

use std::convert::Infallible;

use bytes::Bytes;
use server_fn::{ContentType, Decodes, Encodes, Format, FormatType};

use super::AppError;

/// `Encoder` of `AppError` for server functions (see `FromServerFnError`).
pub struct ErrorWire;

impl ContentType for ErrorWire {
    const CONTENT_TYPE: &'static str = "text/plain; charset=utf-8";
}

impl FormatType for ErrorWire {
    const FORMAT_TYPE: Format = Format::Text;
}

impl Encodes<AppError> for ErrorWire {
    type Error = Infallible;

    fn encode(error: &AppError) -> Result<Bytes, Infallible> {
        Ok(Bytes::from(to_wire(error)))
    }
}

impl Decodes<AppError> for ErrorWire {
    type Error = &'static str;

    fn decode(bytes: Bytes) -> Result<AppError, &'static str> {
        from_wire(std::str::from_utf8(&bytes).map_err(|_| "an error that is not UTF-8")?)
    }
}

/// The error a failed form post carries back in its page's URL (`__err`:
/// the wire text, base64url). Not `ServerFnUrlError::decode_err`: the
/// browser's own `atob` instead of the base64 crate keeps 3 KB of WASM off
/// the sign-in page.
pub fn from_url(encoded: &str) -> AppError {
    let text = base64url_decode(encoded).ok_or("an error that is not base64url and UTF-8");
    text.and_then(|text| from_wire(&text)).unwrap_or_else(|reason| AppError::Transport(reason.into()))
}

#[cfg(feature = "ssr")]
fn base64url_decode(encoded: &str) -> Option<String> {
    use base64::Engine;
    String::from_utf8(base64::engine::general_purpose::URL_SAFE.decode(encoded).ok()?).ok()
}

#[cfg(feature = "hydrate")]
fn base64url_decode(encoded: &str) -> Option<String> {
    String::from_utf8(crate::client::base64url_bytes(encoded)?).ok()
}

#[cfg(not(any(feature = "ssr", feature = "hydrate")))]
fn base64url_decode(_encoded: &str) -> Option<String> {
    None
}

fn to_wire(error: &AppError) -> String {
    use AppError::*;
    match error {
        Invalid { code, message } => format!("invalid\n{code}\n{message}"),
        Conflict { code, message } => format!("conflict\n{code}\n{message}"),
        BadRequest(text) => format!("bad_request\n{text}"),
        Forbidden(text) => format!("forbidden\n{text}"),
        InsufficientScope(text) => format!("insufficient_scope\n{text}"),
        NotAllowed(text) => format!("not_allowed\n{text}"),
        NotFound(text) => format!("not_found\n{text}"),
        Transport(text) => format!("transport\n{text}"),
        RateLimited { retry_after } => format!("rate_limited\n{retry_after}"),
        Unauthenticated => "unauthenticated".into(),
        BadCredentials => "bad_credentials".into(),
        TooLarge => "too_large".into(),
        Unavailable => "unavailable".into(),
        Internal => "internal".into(),
    }
}

fn from_wire(text: &str) -> Result<AppError, &'static str> {
    use AppError::*;
    let (kind, rest) = text.split_once('\n').unwrap_or((text, ""));
    let pair = || rest.split_once('\n').map(|(code, message)| (code.to_owned(), message.to_owned()));
    Ok(match kind {
        "invalid" => pair().map(|(code, message)| Invalid { code, message }).ok_or("invalid without a code")?,
        "conflict" => pair().map(|(code, message)| Conflict { code, message }).ok_or("conflict without a code")?,
        "bad_request" => BadRequest(rest.into()),
        "forbidden" => Forbidden(rest.into()),
        "insufficient_scope" => InsufficientScope(rest.into()),
        "not_allowed" => NotAllowed(rest.into()),
        "not_found" => NotFound(rest.into()),
        "transport" => Transport(rest.into()),
        "rate_limited" => RateLimited { retry_after: rest.parse().map_err(|_| "rate_limited without seconds")? },
        "unauthenticated" => Unauthenticated,
        "bad_credentials" => BadCredentials,
        "too_large" => TooLarge,
        "unavailable" => Unavailable,
        "internal" => Internal,
        _ => return Err("an unknown kind of error"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_survives_the_wire() {
        let errors = [
            AppError::invalid("invalid_username", "a username is 3–32 characters\nof a-z"),
            AppError::conflict("username_taken", "that name is taken"),
            AppError::BadRequest("bad json".into()),
            AppError::Forbidden("not a member".into()),
            AppError::InsufficientScope("this token may not send messages".into()),
            AppError::NotFound("conversation".into()),
            AppError::Transport(String::new()),
            AppError::RateLimited { retry_after: 42 },
            AppError::Unauthenticated,
            AppError::BadCredentials,
            AppError::TooLarge,
            AppError::Unavailable,
            AppError::Internal,
        ];
        for error in errors {
            let bytes = ErrorWire::encode(&error).unwrap();
            assert_eq!(ErrorWire::decode(bytes), Ok(error.clone()), "{error:?}");
        }
    }

    #[test]
    fn an_error_in_a_url_is_read_back() {
        use base64::Engine;
        let error = AppError::invalid("invalid_username", "a username is 3–32 characters");
        let encoded = base64::engine::general_purpose::URL_SAFE.encode(to_wire(&error));
        assert_eq!(from_url(&encoded), error);
        assert!(matches!(from_url("%%%"), AppError::Transport(_)));
    }

    #[test]
    fn malformed_errors_are_refused() {
        for bad in ["", "nonsense", "invalid\nno-message-line", "rate_limited\nsoon", "rate_limited"] {
            assert!(from_wire(bad).is_err(), "{bad:?}");
        }
        assert!(ErrorWire::decode(Bytes::from_static(&[0xff, 0xfe])).is_err());
    }
}
