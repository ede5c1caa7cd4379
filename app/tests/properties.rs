//! Property tests (proptest): the WebSocket frame parser, the push
//! subscription checks and the RFC 8291 encoder, fed inputs no one wrote by
//! hand. Run with `--features ssr`.
#![cfg(feature = "ssr")]

use std::collections::HashMap;

use app::live::frames::ClientFrame;
use app::push::encrypt::{MAX_PLAINTEXT, encrypt};
use app::push::validate::{decode_b64, validate};
use proptest::prelude::*;
use ring::rand::SystemRandom;

fn frame() -> impl Strategy<Value = ClientFrame> {
    prop_oneof![
        (any::<i64>(), "[a-zA-Z0-9-]{0,40}", any::<String>())
            .prop_map(|(conversation_id, client_id, body)| ClientFrame::Send { conversation_id, client_id, body, reply_to: None }),
        any::<i64>().prop_map(|conversation_id| ClientFrame::Typing { conversation_id }),
        (any::<i64>(), any::<i64>())
            .prop_map(|(conversation_id, message_id)| ClientFrame::Read { conversation_id, message_id }),
        any::<bool>().prop_map(|visible| ClientFrame::Visibility { visible }),
        proptest::collection::hash_map("[0-9]{1,6}", any::<i64>(), 0..8)
            .prop_map(|after: HashMap<String, i64>| ClientFrame::Resume { revs: after.clone(), after }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Any text a socket sends is either a frame or an error, never a panic.
    #[test]
    fn the_frame_parser_takes_any_text(text in any::<String>()) {
        let _ = serde_json::from_str::<ClientFrame>(&text);
    }

    /// JSON-shaped noise with a known `type` is handled too.
    #[test]
    fn the_frame_parser_takes_any_fields(kind in "send|typing|read|visibility|resume|x", value in any::<i64>(), text in any::<String>()) {
        let json = serde_json::json!({"type": kind, "conversation_id": value, "body": text, "after": {text.clone(): value}});
        let _ = serde_json::from_value::<ClientFrame>(json);
    }

    /// What a client serialises, the server reads back unchanged.
    #[test]
    fn frames_round_trip(frame in frame()) {
        let json = serde_json::to_string(&frame).unwrap();
        prop_assert_eq!(serde_json::from_str::<ClientFrame>(&json).unwrap(), frame);
    }

    /// base64url decoding of anything at all does not panic, and decodes
    /// what it encodes, padded or not.
    #[test]
    fn base64url_keys_decode(bytes in proptest::collection::vec(any::<u8>(), 0..100), noise in any::<String>()) {
        use base64::Engine;
        let _ = decode_b64(&noise);
        let unpadded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes);
        let padded = base64::engine::general_purpose::URL_SAFE.encode(&bytes);
        prop_assert_eq!(decode_b64(&unpadded), Some(bytes.clone()));
        prop_assert_eq!(decode_b64(&padded), Some(bytes));
    }

    /// The subscription check refuses rubbish with a 422, never a panic,
    /// and what it accepts is an http(s) URL with no credentials.
    #[test]
    fn the_subscription_check_takes_any_input(
        endpoint in prop_oneof![
            any::<String>(),
            // URL-shaped, with numeric hosts only: no DNS lookups in a test.
            "(https?|ftp|javascript)://([a-z0-9-]{1,8}(:[a-z]{0,4})?@)?[0-9.]{1,15}(:[0-9]{1,5})?/[a-z%]{0,5}",
        ],
        p256dh in any::<String>(),
        auth in any::<String>(),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        for allow_private in [true, false] {
            match runtime.block_on(validate(&endpoint, &p256dh, &auth, allow_private)) {
                Ok(valid) => {
                    prop_assert!(matches!(valid.endpoint.scheme(), "https" | "http"));
                    prop_assert!(valid.endpoint.username().is_empty() && valid.endpoint.password().is_none());
                }
                Err(err) => prop_assert_eq!(err.status(), 422),
            }
        }
    }

    /// An independent decryptor (ece, OpenSSL) reads back every payload we
    /// encrypt, of any size up to the limit.
    #[test]
    fn rfc8291_round_trips_through_an_independent_decryptor(payload in proptest::collection::vec(any::<u8>(), 0..=MAX_PLAINTEXT)) {
        let (pair, auth) = ece::generate_keypair_and_auth_secret().unwrap();
        let public = pair.pub_as_raw().unwrap();
        let body = encrypt(&payload, &public, &auth, &SystemRandom::new()).unwrap();
        prop_assert!(body.len() <= 4096);
        prop_assert_eq!(ece::decrypt(&pair.raw_components().unwrap(), &auth, &body).unwrap(), payload);
    }
}
