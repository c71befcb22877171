// The body of the fuzz target `fetched_order` (see fetched_order.rs), included by it and by
// tests/fuzz_corpus.rs, which replays the committed seeds under `cargo test`.
use spectrocoin::core::answer::error_from_answer;
use spectrocoin::core::current::FetchedOrder;
use spectrocoin::core::Error;

include!("common.rs");

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
        match FetchedOrder::from_json(&v, "asked-id") {
            Ok(o) => {
                assert!(common::is_canonical_amount(&o.receive_amount), "{:?}", o.receive_amount);
                if let Some(p) = &o.pay_amount {
                    assert!(common::is_canonical_amount(p), "{p:?}");
                }
                assert!(!o.id.is_empty() && !o.order_id.is_empty());
            }
            Err(Error::Network { .. }) | Err(Error::Callback(_)) => {}
            Err(other) => panic!("unexpected error kind {other:?}"),
        }
    }
    for status in [404u16, 422, 429, 503] {
        let e = error_from_answer(status, data, "spectrocoin.test");
        assert_eq!(e.is_retryable(), status == 429 || status == 503);
        assert_eq!(e.http_status(), Some(status));
    }
});
