// The body of the fuzz target `create_order_answer` (see create_order_answer.rs), included by it and by
// tests/fuzz_corpus.rs, which replays the committed seeds under `cargo test`.
use spectrocoin::core::current::{parse_time_ms, CurrentOrder};
use spectrocoin::core::http::Answer;
use spectrocoin::core::order::interpret_create_order;
use spectrocoin::core::Error;

include!("common.rs");

fuzz_target!(|data: &[u8]| {
    let Some((&pick, body)) = data.split_first() else { return };
    let status = match pick % 8 {
        0..=3 => 200,
        4 | 5 => 203,
        6 => 500,
        _ => 100 + u16::from(pick),
    };
    let answer = Answer { status, body: body.to_vec() };
    match interpret_create_order(&answer) {
        Ok(o) => {
            assert_eq!(status, 200);
            assert!(o.redirect_url.starts_with("https://") || o.redirect_url.starts_with("http://"));
            for a in [&o.pay_amount, &o.receive_amount].into_iter().flatten() {
                assert!(common::is_canonical_amount(a), "{a:?}");
            }
            assert_eq!(o.pre_order, o.order_request_id.is_none());
        }
        Err(e @ Error::Api { .. }) => {
            assert_eq!(status, 203);
            assert_eq!(e.http_status(), Some(203));
            assert!(e.spectrocoin_code().is_some());
            assert!(!e.is_retryable());
        }
        Err(Error::Network { message, .. }) => assert!(message.len() < 4096, "unbounded message"),
        Err(other) => panic!("unexpected error kind {other:?}"),
    }
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
        if let Ok(o) = CurrentOrder::from_create(&v) {
            assert!(o.response.pre_order);
            for a in [&o.response.pay_amount, &o.response.receive_amount].into_iter().flatten() {
                assert!(common::is_canonical_amount(a), "{a:?}");
            }
        }
    }
    if let Ok(t) = std::str::from_utf8(body) {
        let _ = parse_time_ms(t);
    }
});
