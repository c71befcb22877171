//! JSON callbacks `{"id","merchantApiId"}`. Oracles: no panic; an accepted
//! id is a safe URL path segment (it is put into GET /merchants/orders/{id})
//! and the project id is a UUID.
#![no_main]
use libfuzzer_sys::fuzz_target;
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
