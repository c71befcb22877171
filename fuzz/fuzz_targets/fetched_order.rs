//! An order fetched from the current API (the facts a JSON callback is
//! decided on), and error answers of the current API.
//! Oracles: no panic; accepted orders have a known status and canonical amounts.
#![no_main]
use libfuzzer_sys::fuzz_target;

include!("check_fetched_order.rs");
