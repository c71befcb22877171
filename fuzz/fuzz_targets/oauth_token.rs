//! OAuth token answers. Oracles: no panic; an accepted token is printable
//! ASCII without spaces (it goes into an Authorization header) and its
//! lifetime is between 1 s and 30 days.
#![no_main]
use libfuzzer_sys::fuzz_target;

include!("check_oauth_token.rs");
