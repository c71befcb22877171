//! The SpectroCoin protocol, knowing nothing of PHP. Every module, one line each:
//!
//! * [`amount`]: the `0.0#######` amount rule on decimal strings.
//! * [`answer`]: reading SpectroCoin's JSON answers (texts, amounts, redirectUrl, validUntil, error bodies).
//! * [`cache`]: the one small per-process cache type (keys, SpectroCoin's key, tokens).
//! * [`form`]: PHP `urlencode` form encoding and its strict inverse.
//! * [`keys`]: PEM parsing, the parsed-key caches, SpectroCoin's fetched callback key.
//! * [`signature`]: RSA-SHA1 PKCS#1 v1.5 signing and verification.
//! * [`ids`]: merchant and project ids, numeric or UUID.
//! * [`order`]: the legacy createOrder request, sending it, and the normalized answer.
//! * [`callback`]: legacy callback verification.
//! * [`current`]: the current (OAuth, JSON) API: orders, fetched orders, JSON callbacks.
//! * [`oauth`]: client-credentials tokens and their cache.
//! * [`merchant`]: a merchant's configuration and everything done with it.
//! * [`status`]: status codes.
//! * [`decision`]: what a verified callback does to an order and an invoice.
//! * [`reuse`]: Pay Now's rule for sending the customer back to an order already created.
//! * [`http`]: the HTTPS client (one keep-alive agent per process), answer excerpts (secrets redacted).
//! * [`error`]: the one error type, grouped by who has to act, and whether to retry.
//! * [`manual`]: security decisions, in prose.
#![forbid(unsafe_code)]

pub mod amount;
pub mod answer;
pub mod cache;
pub mod callback;
pub mod current;
pub mod decision;
pub mod error;
pub mod form;
pub mod http;
pub mod ids;
pub mod keys;
pub mod manual;
pub mod merchant;
pub mod oauth;
pub mod order;
pub mod reuse;
pub mod signature;
pub mod status;

#[cfg(test)]
pub(crate) mod test_vectors;

pub use error::Error;
