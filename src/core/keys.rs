//! PEM keys as an admin pastes them, the per-process key caches, and SpectroCoin's
//! callback key fetched from its URL.
//!
//! A textarea gives CRLF line ends, indentation, trailing blanks, sometimes a
//! key folded onto one line. We find the armour, keep only its Base64 body,
//! and re-wrap it before handing it to OpenSSL. Parsed keys are cached by the
//! text as given, so a PHP-FPM worker parses each PEM once.

use std::sync::Arc;
use std::time::Duration;

use openssl::pkey::{Id, PKey, Private, Public};
use openssl::rsa::Rsa;
use openssl::x509::X509;

use crate::core::cache::TtlCache;
use crate::core::error::{Error, Result};
use crate::core::http::{self, host_of};

/// Entries a cache holds before it is cleared; a worker serves a handful of merchants.
const CACHE_LIMIT: usize = 64;
/// Smallest RSA modulus accepted.
const MIN_BITS: u32 = 1024;

/// One PEM block: its label and DER body.
struct Armour {
    label: String,
    der: Vec<u8>,
}

/// What to do about a key that is not whole: the part of a key error that says how to fix it.
fn paste_whole(what: &str) -> String {
    format!(
        "paste the whole {what}, from the \"-----BEGIN\" line to the \"-----END ...-----\" line, \
         both included"
    )
}

fn damaged(what: &str, how: &str) -> Error {
    Error::config(format!(
        "the {what} is damaged: {how}; {}",
        paste_whole(what)
    ))
}

fn encrypted(what: &str) -> Error {
    Error::config(format!(
        "the {what} is encrypted with a passphrase, which this module cannot use: decrypt it \
         (openssl pkey -in enc.pem -out plain.pem asks for the passphrase) and paste plain.pem"
    ))
}

fn parse_armour(text: &str, what: &str) -> Result<Armour> {
    let text = text.trim_start_matches('\u{feff}');
    let begin = text.find("-----BEGIN ").ok_or_else(|| {
        Error::config(format!(
            "the {what} is not a PEM key: no \"-----BEGIN ...-----\" line found; {}",
            paste_whole(what)
        ))
    })?;
    let after_begin = &text[begin + "-----BEGIN ".len()..];
    let label_end = after_begin.find("-----").ok_or_else(|| {
        Error::config(format!(
            "the {what} has a broken BEGIN line; {}",
            paste_whole(what)
        ))
    })?;
    let label = after_begin[..label_end].trim().to_owned();
    let rest = &after_begin[label_end + 5..];
    let end_marker = format!("-----END {label}-----");
    let end = rest.find(&end_marker).ok_or_else(|| {
        Error::config(format!(
            "the {what} is incomplete: \"{end_marker}\" not found; {}",
            paste_whole(what)
        ))
    })?;
    let body = &rest[..end];
    if body.contains("Proc-Type:") || body.contains("DEK-Info:") {
        if body.contains("ENCRYPTED") {
            return Err(encrypted(what));
        }
        return Err(Error::config(format!(
            "the {what} has PEM headers this module does not understand"
        )));
    }
    let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let der = openssl::base64::decode_block(&b64).map_err(|_| {
        Error::config(format!(
            "the {what} is damaged: its Base64 body does not decode; {}",
            paste_whole(what)
        ))
    })?;
    if der.is_empty() {
        return Err(Error::config(format!(
            "the {what} is empty; {}",
            paste_whole(what)
        )));
    }
    Ok(Armour { label, der })
}

fn require_rsa<T: openssl::pkey::HasPublic>(key: PKey<T>, what: &str) -> Result<Rsa<T>> {
    if key.id() != Id::RSA {
        return Err(Error::config(format!(
            "the {what} is not an RSA key; SpectroCoin needs an RSA key (2048 bits)"
        )));
    }
    if key.bits() < MIN_BITS {
        return Err(Error::config(format!(
            "the {what} has only {} bits; SpectroCoin needs an RSA key of 2048 bits",
            key.bits()
        )));
    }
    key.rsa()
        .map_err(|_| Error::config(format!("the {what} is not a usable RSA key")))
}

/// Parses a merchant private key: PKCS#1 (`RSA PRIVATE KEY`) or PKCS#8 (`PRIVATE KEY`).
/// Its consistency (`RSA_check_key`, ~47 ms: primality of p and q) is checked by
/// [`validate_private_key`] when the settings are saved, not on a customer's Pay Now.
/// Signing with a key that would fail it is still safe: OpenSSL checks each CRT
/// signature against the public key and recomputes without CRT on a mismatch, so a
/// broken key gives a signature SpectroCoin refuses, never one that leaks a factor.
pub fn parse_private_key(text: &str) -> Result<Rsa<Private>> {
    const WHAT: &str = "private key";
    let armour = parse_armour(text, WHAT)?;
    let key = match armour.label.as_str() {
        "RSA PRIVATE KEY" => Rsa::private_key_from_der(&armour.der)
            .and_then(PKey::from_rsa)
            .map_err(|_| damaged(WHAT, "its RSA (PKCS#1) body does not parse"))?,
        "PRIVATE KEY" => PKey::private_key_from_der(&armour.der)
            .map_err(|_| damaged(WHAT, "its PKCS#8 body does not parse"))?,
        "ENCRYPTED PRIVATE KEY" => return Err(encrypted(WHAT)),
        "EC PRIVATE KEY" | "DSA PRIVATE KEY" | "OPENSSH PRIVATE KEY" => {
            return Err(Error::config(format!(
                "the private key is a {} key, not RSA; SpectroCoin needs an RSA key",
                armour.label.trim_end_matches(" PRIVATE KEY")
            )))
        }
        "PUBLIC KEY" | "RSA PUBLIC KEY" | "CERTIFICATE" => {
            return Err(Error::config(
                "a public key or certificate was given where the private key is needed; paste the private key \
                 (its BEGIN line says PRIVATE KEY or RSA PRIVATE KEY)",
            ))
        }
        other => return Err(Error::config(format!("the private key has an unknown PEM type \"{other}\""))),
    };
    require_rsa(key, WHAT)
}

/// [`parse_private_key`] plus the full consistency check: what Save runs, so a
/// damaged key is refused there.
pub fn validate_private_key(text: &str) -> Result<()> {
    let key = parse_private_key(text)?;
    if key.check_key().unwrap_or(false) {
        Ok(())
    } else {
        Err(Error::config(
            "the private key is inconsistent (its RSA check failed)",
        ))
    }
}

/// What a merchant private key is, for the settings page: nothing secret in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyDescription {
    /// `RSA` (the only kind accepted).
    pub algorithm: &'static str,
    /// The modulus size in bits.
    pub bits: u32,
    /// SHA-256 of the public key's DER SubjectPublicKeyInfo, lowercase hex pairs joined by
    /// colons: what `openssl pkey -in key.pem -pubout -outform DER | openssl dgst -sha256 -c` prints.
    pub fingerprint_sha256: String,
    /// The public key as PEM SubjectPublicKeyInfo (`-----BEGIN PUBLIC KEY-----`), the form
    /// SpectroCoin's project page takes.
    pub public_key_pem: String,
}

/// Describes a merchant private key (parsed as [`parse_private_key`] does, from the
/// per-process cache): its kind and size, the fingerprint and PEM of its public half.
pub fn describe_private_key(text: &str) -> Result<KeyDescription> {
    let key = private_key(text)?;
    let unusable = || Error::config("the private key's public half could not be derived");
    // An RSA key's SubjectPublicKeyInfo holds only its modulus and public exponent.
    let der = key.public_key_to_der().map_err(|_| unusable())?;
    let pem = key.public_key_to_pem().map_err(|_| unusable())?;
    Ok(KeyDescription {
        algorithm: "RSA",
        bits: key.n().num_bits().unsigned_abs(),
        fingerprint_sha256: openssl::sha::sha256(&der)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(":"),
        public_key_pem: String::from_utf8(pem).map_err(|_| unusable())?,
    })
}

/// Parses a public key: SubjectPublicKeyInfo, PKCS#1 or an X.509 certificate.
pub fn parse_public_key(text: &str) -> Result<Rsa<Public>> {
    const WHAT: &str = "public key";
    let armour = parse_armour(text, WHAT)?;
    let key = match armour.label.as_str() {
        "PUBLIC KEY" => PKey::public_key_from_der(&armour.der)
            .map_err(|_| Error::config("the public key is damaged: it does not parse"))?,
        "RSA PUBLIC KEY" => Rsa::public_key_from_der_pkcs1(&armour.der)
            .and_then(PKey::from_rsa)
            .map_err(|_| Error::config("the public key is damaged: its RSA body does not parse"))?,
        "CERTIFICATE" => X509::from_der(&armour.der)
            .and_then(|c| c.public_key())
            .map_err(|_| Error::config("the certificate is damaged: it does not parse"))?,
        other if other.contains("PRIVATE") => {
            return Err(Error::config(
                "a private key was given where a public key is needed",
            ))
        }
        other => {
            return Err(Error::config(format!(
                "the public key has an unknown PEM type \"{other}\""
            )))
        }
    };
    require_rsa(key, WHAT)
}

type KeyCache<T> = TtlCache<String, Arc<Rsa<T>>>;

/// Parsed keys by their PEM text as given; kept for the life of the process.
static PRIVATE_KEYS: KeyCache<Private> = TtlCache::new(CACHE_LIMIT);
static PUBLIC_KEYS: KeyCache<Public> = TtlCache::new(CACHE_LIMIT);
static PARSES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn cached<T>(
    cache: &KeyCache<T>,
    text: &str,
    parse: fn(&str) -> Result<Rsa<T>>,
) -> Result<Arc<Rsa<T>>> {
    if let Some((key, _)) = cache.get(text) {
        return Ok(key);
    }
    PARSES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let key = Arc::new(parse(text)?);
    Ok(cache.insert_if_absent(text.to_owned(), key, None))
}

/// The private key for this PEM text, parsed at most once per process.
pub fn private_key(text: &str) -> Result<Arc<Rsa<Private>>> {
    cached(&PRIVATE_KEYS, text, parse_private_key)
}

/// The public key for this PEM text, parsed at most once per process.
pub fn public_key(text: &str) -> Result<Arc<Rsa<Public>>> {
    cached(&PUBLIC_KEYS, text, parse_public_key)
}

/// How long a fetched SpectroCoin key is trusted before it is fetched again.
pub const PUBLIC_KEY_TTL: Duration = Duration::from_secs(24 * 3600);
/// A failed signature may refresh a key at most this often (key rotation),
/// so forged callbacks cannot make us hammer SpectroCoin.
pub const PUBLIC_KEY_MIN_REFRESH: Duration = Duration::from_secs(600);

/// SpectroCoin's fetched callback keys by URL. Entries outlive their TTL on purpose
/// (no expiry here): a stale key is still used when a refresh fails.
pub(crate) static SPECTROCOIN_KEYS: TtlCache<String, Arc<Rsa<Public>>> = TtlCache::new(CACHE_LIMIT);

fn fetch_key(url: &str, timeout: Duration) -> Result<Arc<Rsa<Public>>> {
    let answer = http::get(url, None, timeout)?;
    if answer.status != 200 {
        return Err(Error::network(format!(
            "fetching SpectroCoin's public key from {} gave HTTP {}",
            host_of(url),
            answer.status
        )));
    }
    let text = String::from_utf8_lossy(&answer.body);
    parse_public_key(&text).map(Arc::new).map_err(|e| {
        Error::network(format!(
            "SpectroCoin's public key from {} is unusable: {e}",
            host_of(url)
        ))
    })
}

/// SpectroCoin's callback key from `url`: fetched once per process and kept
/// for [`PUBLIC_KEY_TTL`]. With `refresh_older_than`, a key older than that is
/// fetched again (used once after a failed signature, for key rotation). If a
/// refresh fails, the cached key is still used.
pub fn spectrocoin_key(
    url: &str,
    timeout: Duration,
    refresh_older_than: Option<Duration>,
) -> Result<Arc<Rsa<Public>>> {
    http::check_url(url, "public key URL")?;
    let max_age = refresh_older_than.unwrap_or(PUBLIC_KEY_TTL);
    match SPECTROCOIN_KEYS.get(url) {
        Some((key, age)) if age < max_age => Ok(key),
        stale => match fetch_key(url, timeout) {
            Ok(key) => {
                SPECTROCOIN_KEYS.insert(url.to_owned(), key.clone(), None);
                Ok(key)
            }
            Err(e) => stale.map(|(k, _)| k).ok_or(e),
        },
    }
}

/// How many PEM texts this process has parsed (for diagnostics and tests).
pub fn parse_count() -> u64 {
    PARSES.load(std::sync::atomic::Ordering::Relaxed)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::core::test_vectors::vectors;

    pub fn merchant_private_pem() -> String {
        vectors()["merchant_test_private_key_pem"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn pkcs1_and_pkcs8_with_crlf_and_stray_whitespace_parse_to_the_same_key() {
        let pem = merchant_private_pem();
        let k1 = parse_private_key(&pem).unwrap();
        let pkcs8 = String::from_utf8(
            PKey::from_rsa(k1.clone())
                .unwrap()
                .private_key_to_pem_pkcs8()
                .unwrap(),
        )
        .unwrap();
        let messy = format!("\r\n   {}  \r\n", pkcs8.replace('\n', "  \r\n\t"));
        let k2 = parse_private_key(&messy).unwrap();
        assert_eq!((k1.n(), k1.e()), (k2.n(), k2.e()));
        let one_line = pem.replace('\n', " ");
        assert_eq!(parse_private_key(&one_line).unwrap().n(), k1.n());
    }

    #[test]
    fn unusable_private_keys_are_named_for_what_they_are() {
        let pem = merchant_private_pem();
        let key = PKey::from_rsa(parse_private_key(&pem).unwrap()).unwrap();
        let encrypted = String::from_utf8(
            key.private_key_to_pem_pkcs8_passphrase(openssl::symm::Cipher::aes_128_cbc(), b"pw")
                .unwrap(),
        )
        .unwrap();
        let legacy_encrypted = String::from_utf8(
            key.rsa()
                .unwrap()
                .private_key_to_pem_passphrase(openssl::symm::Cipher::aes_128_cbc(), b"pw")
                .unwrap(),
        )
        .unwrap();
        let ec = PKey::from_ec_key(
            openssl::ec::EcKey::generate(
                &openssl::ec::EcGroup::from_curve_name(openssl::nid::Nid::X9_62_PRIME256V1)
                    .unwrap(),
            )
            .unwrap(),
        )
        .unwrap();
        let ec_pem = String::from_utf8(ec.private_key_to_pem_pkcs8().unwrap()).unwrap();
        let public = String::from_utf8(key.public_key_to_pem().unwrap()).unwrap();
        let damaged = pem.replacen("MIIE", "MIIX", 1);
        let truncated = pem[..pem.len() / 2].to_owned();
        let cases = [
            (encrypted.as_str(), "encrypted"),
            (legacy_encrypted.as_str(), "encrypted"),
            (ec_pem.as_str(), "not an RSA key"),
            (public.as_str(), "public key"),
            ("hello", "not a PEM key"),
            ("", "not a PEM key"),
            (damaged.as_str(), "damaged"),
            (truncated.as_str(), "incomplete"),
        ];
        for (text, reason) in cases {
            let err = parse_private_key(text).unwrap_err().to_string();
            assert!(err.contains(reason), "want {reason:?}, got {err:?}");
        }
    }

    /// The merchant test key with its private exponent changed: well-formed, inconsistent.
    fn inconsistent_private_pem() -> String {
        let k = parse_private_key(&merchant_private_pem()).unwrap();
        let mut d = k.d().to_owned().unwrap();
        d.add_word(2).unwrap();
        let broken = Rsa::from_private_components(
            k.n().to_owned().unwrap(),
            k.e().to_owned().unwrap(),
            d,
            k.p().unwrap().to_owned().unwrap(),
            k.q().unwrap().to_owned().unwrap(),
            k.dmp1().unwrap().to_owned().unwrap(),
            k.dmq1().unwrap().to_owned().unwrap(),
            k.iqmp().unwrap().to_owned().unwrap(),
        )
        .unwrap();
        String::from_utf8(broken.private_key_to_pem().unwrap()).unwrap()
    }

    #[test]
    fn an_inconsistent_key_is_refused_by_validation_not_by_every_parse() {
        let broken = inconsistent_private_pem();
        let err = validate_private_key(&broken).unwrap_err().to_string();
        assert!(err.contains("inconsistent"), "{err}");
        assert!(validate_private_key(&merchant_private_pem()).is_ok());
        // Pay Now's path parses it without the 47 ms check.
        assert!(parse_private_key(&broken).is_ok());
        assert!(private_key(&broken).is_ok());
    }

    #[test]
    fn public_keys_parse_from_spki_pkcs1_and_certificates() {
        let v = vectors();
        let spki = v["merchant_test_public_key_pem"].as_str().unwrap();
        let k = parse_public_key(spki).unwrap();
        let pkcs1 = String::from_utf8(k.public_key_to_pem_pkcs1().unwrap()).unwrap();
        assert_eq!(parse_public_key(&pkcs1).unwrap().n(), k.n());
        assert!(parse_public_key(&merchant_private_pem())
            .unwrap_err()
            .to_string()
            .contains("private key"));
    }

    #[test]
    fn a_private_key_is_described_by_its_public_half_only() {
        let v = vectors();
        let pem = merchant_private_pem();
        let d = describe_private_key(&pem).unwrap();
        assert_eq!((d.algorithm, d.bits), ("RSA", 2048));
        // The public half is the published public key of the same vectors.
        let published = v["merchant_test_public_key_pem"].as_str().unwrap();
        let published = parse_public_key(published).unwrap();
        let derived = parse_public_key(&d.public_key_pem).unwrap();
        assert_eq!((derived.n(), derived.e()), (published.n(), published.e()));
        assert!(d.public_key_pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        assert!(!d.public_key_pem.contains("PRIVATE"));
        // The fingerprint is SHA-256 over the SubjectPublicKeyInfo DER, computed here another way.
        let spki = PKey::from_rsa(published)
            .unwrap()
            .public_key_to_der()
            .unwrap();
        let hex: String = openssl::hash::hash(openssl::hash::MessageDigest::sha256(), &spki)
            .unwrap()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(d.fingerprint_sha256.replace(':', ""), hex);
        assert_eq!(d.fingerprint_sha256.len(), 32 * 3 - 1);
        // The same key as PKCS#8 on one line is the same key.
        let pkcs8 = PKey::from_rsa(parse_private_key(&pem).unwrap())
            .unwrap()
            .private_key_to_pem_pkcs8()
            .unwrap();
        let one_line = String::from_utf8(pkcs8).unwrap().replace('\n', " ");
        assert_eq!(describe_private_key(&one_line).unwrap(), d);
        // Nothing private is in the description: not the exponent d, not a prime.
        let k = parse_private_key(&pem).unwrap();
        let public_der = openssl::base64::decode_block(
            &d.public_key_pem
                .lines()
                .filter(|l| !l.starts_with("-----"))
                .collect::<String>(),
        )
        .unwrap();
        for secret in [
            k.d().to_vec(),
            k.p().unwrap().to_vec(),
            k.q().unwrap().to_vec(),
        ] {
            assert!(!public_der
                .windows(16)
                .any(|w| secret.windows(16).any(|s| s == w)));
            assert!(!format!("{d:?}").contains(
                &openssl::bn::BigNum::from_slice(&secret)
                    .unwrap()
                    .to_hex_str()
                    .unwrap()
                    .to_string()
            ));
        }
        assert!(describe_private_key("hello")
            .unwrap_err()
            .to_string()
            .contains("-----BEGIN"));
    }

    #[test]
    fn key_errors_say_what_to_do() {
        let pem = merchant_private_pem();
        let truncated = &pem[..pem.len() / 2];
        for text in ["hello", truncated, &pem.replacen("MIIE", "MIIX", 1)] {
            let err = parse_private_key(text).unwrap_err().to_string();
            assert!(
                err.contains(
                    "paste the whole private key, from the \"-----BEGIN\" line to the \"-----END"
                ),
                "{err}"
            );
        }
        let key = PKey::from_rsa(parse_private_key(&pem).unwrap()).unwrap();
        let encrypted = [
            key.private_key_to_pem_pkcs8_passphrase(openssl::symm::Cipher::aes_128_cbc(), b"pw"),
            key.rsa()
                .unwrap()
                .private_key_to_pem_passphrase(openssl::symm::Cipher::aes_128_cbc(), b"pw"),
        ];
        for pem in encrypted {
            let err = parse_private_key(&String::from_utf8(pem.unwrap()).unwrap())
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("openssl pkey -in enc.pem -out plain.pem"),
                "{err}"
            );
        }
    }

    #[test]
    fn a_pem_is_parsed_once_per_process() {
        let pem = format!("{}\n\n", merchant_private_pem()); // a text no other test uses
        let first = private_key(&pem).unwrap();
        let before = parse_count();
        for _ in 0..50 {
            let again = private_key(&pem).unwrap();
            assert!(Arc::ptr_eq(&first, &again));
        }
        // Other tests may parse concurrently, but never this text again.
        assert!(parse_count() - before < 50);
    }
}
