//! PEM keys as an admin pastes them, and SpectroCoin's public key as fetched
//! from the network. Oracles: no panic; a parsed key is RSA and signs/verifies.
#![no_main]
use libfuzzer_sys::fuzz_target;

include!("check_pem_keys.rs");
