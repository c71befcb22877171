//! PHP urlencode form encoding and its strict decoder. Oracles: decoding an
//! encoding gives the input back; decoding never panics, and whatever decodes
//! re-encodes canonically to the same pairs.
#![no_main]
use libfuzzer_sys::fuzz_target;

include!("check_form_roundtrip.rs");
