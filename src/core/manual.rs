//! Security decisions, written down once.
//!
//! # Why SHA-1
//! SpectroCoin's legacy merchant API signs and verifies RSASSA-PKCS1-v1_5
//! with SHA-1. We cannot choose another digest without breaking the peer.
//! The key is the merchant's own 2048-bit RSA key; collisions in SHA-1 do not
//! let an outsider forge a signature over a string they do not control.
//!
//! # What is trusted in a callback
//! Only the signed fields, re-formatted and re-encoded canonically (never
//! the raw bytes, never PHP's `$_POST`, which WHMCS HTML-encodes). The
//! signature proves SpectroCoin sent it, not that it is for us: every
//! merchant's callbacks carry the same signature, so the merchant and project
//! ids must be ours, the `orderId` one we issued, and the amount, currency
//! and (when known) `orderRequestId` those of the stored order. Only an exact
//! verification success counts.
//!
//! # Keys
//! Private keys arrive as PEM from WHMCS' settings on every call and are
//! parsed once per process, cached by the text itself (at most 64 entries;
//! the parsed key in the same memory is as sensitive as the text). They are
//! never logged, and no error message contains key material. Encrypted keys
//! are refused with instructions, not prompted for.
//!
//! # SpectroCoin's public key
//! An explicit PEM wins. Otherwise it is fetched from the configured URL
//! once per process and kept for 24 h; after a failed signature a key older
//! than 10 minutes is fetched again once (rotation), so forged callbacks
//! cannot make us hammer SpectroCoin. If a refresh fails the cached key is used.
//!
//! # Transport
//! One `ureq` agent per process with keep-alive, native TLS (the system
//! OpenSSL and its trust store, like PHP's curl) with verification always on, no redirects, connect and overall timeouts
//! (10 s unless configured). Plain `http://` only to loopback addresses,
//! for test servers. Answers over 1 MiB are refused.
