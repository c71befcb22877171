//! Legacy callback body ⇒ parse, id check, signature check with SpectroCoin's
//! real key (V1). Oracles: no panic; anything that verifies carries exactly
//! V1's signed fields (nobody here holds SpectroCoin's private key), and its
//! canonical re-encoding verifies again to the same fields.
#![no_main]
use libfuzzer_sys::fuzz_target;

include!("check_callback_verify.rs");
