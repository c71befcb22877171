// The body of the fuzz target `json_callback` (see json_callback.rs), included by it and by
// tests/fuzz_corpus.rs, which replays the committed seeds under `cargo test`.
use spectrocoin::core::current::JsonCallback;
use spectrocoin::core::ids::is_uuid;
use spectrocoin::core::Error;

fuzz_target!(|data: &[u8]| {
    match JsonCallback::parse(data) {
        Ok(cb) => {
            assert!(!cb.id.is_empty() && cb.id.len() <= 64);
            assert!(cb.id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
            assert!(is_uuid(&cb.merchant_api_id));
        }
        Err(Error::Callback(msg)) => assert!(msg.len() < 4096, "unbounded message"),
        Err(other) => panic!("unexpected error kind {other:?}"),
    }
});
