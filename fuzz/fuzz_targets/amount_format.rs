//! The `0.0#######` amount rule on decimal strings. Oracles: no panic;
//! outputs are canonical and fixed points; the order and callback paths agree
//! whenever the order path accepts; value comparisons agree with formatting.
#![no_main]
use libfuzzer_sys::fuzz_target;

include!("check_amount_format.rs");
