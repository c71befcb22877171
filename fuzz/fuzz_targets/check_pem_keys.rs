// The body of the fuzz target `pem_keys` (see pem_keys.rs), included by it and by
// tests/fuzz_corpus.rs, which replays the committed seeds under `cargo test`.
use spectrocoin::core::keys::{parse_private_key, parse_public_key};
use spectrocoin::core::Error;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match parse_public_key(&text) {
        Ok(k) => assert!(k.size() >= 128),
        Err(Error::Config(_)) => {}
        Err(other) => panic!("unexpected error kind {other:?}"),
    }
    match parse_private_key(&text) {
        Ok(k) => assert!(k.size() >= 128),
        Err(Error::Config(_)) => {}
        Err(other) => panic!("unexpected error kind {other:?}"),
    }
});
