//! SpectroCoin's createOrder answers: the legacy interpreter (status + body)
//! and the current API's create answer (JSON, ISO-8601 validUntil).
//! First byte picks the HTTP status; the rest is the body.
#![no_main]
use libfuzzer_sys::fuzz_target;

include!("check_create_order_answer.rs");
