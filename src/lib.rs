//! `spectrocoin`: SpectroCoin's merchant API as a PHP extension.
//!
//! [`core`] is the protocol and knows nothing of PHP; [`php`] converts PHP
//! values, maps errors to exceptions and registers the module.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod core;
#[cfg(feature = "php")]
pub mod php;
