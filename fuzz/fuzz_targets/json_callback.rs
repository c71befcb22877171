//! JSON callbacks `{"id","merchantApiId"}`. Oracles: no panic; an accepted
//! id is a safe URL path segment (it is put into GET /merchants/orders/{id})
//! and the project id is a UUID.
#![no_main]
use libfuzzer_sys::fuzz_target;

include!("check_json_callback.rs");
