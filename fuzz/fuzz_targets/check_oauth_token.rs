// The body of the fuzz target `oauth_token` (see oauth_token.rs), included by it and by
// tests/fuzz_corpus.rs, which replays the committed seeds under `cargo test`.
use spectrocoin::core::oauth::parse_token;
use spectrocoin::core::Error;
use std::time::Duration;

fuzz_target!(|data: &[u8]| {
    match parse_token(data) {
        Ok((token, lifetime)) => {
            assert!(!token.is_empty() && token.bytes().all(|b| b.is_ascii_graphic()));
            assert!(lifetime >= Duration::from_secs(1));
            assert!(lifetime <= Duration::from_secs(30 * 24 * 3600));
        }
        Err(Error::Network { message, .. }) => assert!(message.len() < 4096, "unbounded message"),
        Err(other) => panic!("unexpected error kind {other:?}"),
    }
});
