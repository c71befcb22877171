//! RSASSA-PKCS1-v1_5 with SHA-1, Base64 with padding, as SpectroCoin mandates.
//! (SHA-1 is weak for new designs; it is what the peer verifies, see `manual`.)

use std::borrow::Cow;

use openssl::pkey::{Private, Public};
use openssl::rsa::{Padding, Rsa};

use crate::core::error::{Error, Result};

/// DER prefix of a SHA-1 DigestInfo (RFC 8017, 9.2 note 1): what PKCS#1 v1.5
/// signs and what verification must find, byte for byte.
const SHA1_DIGEST_INFO: [u8; 15] = [
    0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14,
];

fn digest_info(data: &[u8]) -> [u8; 35] {
    // The SHA-1 hasher directly: `openssl::sha::sha1` goes through `EVP_Q_digest`,
    // which fetches the algorithm from the provider on every call (half its cost).
    let mut hasher = openssl::sha::Sha1::new();
    hasher.update(data);
    let mut out = [0u8; 35];
    out[..15].copy_from_slice(&SHA1_DIGEST_INFO);
    out[15..].copy_from_slice(&hasher.finish());
    out
}

/// Base64 signature of `data`: RSASSA-PKCS1-v1_5 with SHA-1 (RFC 8017 8.2.1),
/// through the RSA key directly, without per-call EVP context set-up.
pub fn sign(data: &[u8], key: &Rsa<Private>) -> Result<String> {
    let mut sig = vec![0u8; key.size() as usize];
    let n = key
        .private_encrypt(&digest_info(data), &mut sig, Padding::PKCS1)
        .map_err(|e| Error::config(format!("signing failed: {e}")))?;
    sig.truncate(n);
    Ok(openssl::base64::encode_block(&sig))
}

/// The standard Base64 alphabet (`=` apart).
const ALPHABET: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'+' || c == b'/';
        b += 1;
    }
    t
};

/// The signature bytes of a padded standard Base64 text, only when the text is
/// their canonical encoding (so a changed character never decodes to the same
/// bytes). A space reads as `+` (a raw `+` in a form body decodes to a space) and
/// line breaks are skipped.
fn base64_signature(text: &str) -> Option<Vec<u8>> {
    let normal: Cow<'_, str> = if text.bytes().any(|b| matches!(b, b' ' | b'\r' | b'\n')) {
        Cow::Owned(
            text.chars()
                .filter(|c| !matches!(c, '\r' | '\n'))
                .map(|c| if c == ' ' { '+' } else { c })
                .collect(),
        )
    } else {
        Cow::Borrowed(text)
    };
    let b = normal.as_bytes();
    // Canonical: whole quanta of the standard alphabet, at most two `=` and only at the
    // end, and no bits set that the padding drops (then no other text gives these bytes).
    let pad = b.iter().rev().take_while(|&&c| c == b'=').count();
    let data = &b[..b.len() - pad];
    if b.is_empty()
        || !b.len().is_multiple_of(4)
        || pad > 2
        || !data.iter().all(|&c| ALPHABET[c as usize])
    {
        return None;
    }
    let last = *data.last()?;
    let last_value = match last {
        b'A'..=b'Z' => last - b'A',
        b'a'..=b'z' => last - b'a' + 26,
        b'0'..=b'9' => last - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    // Two `=`: the last character carries 2 data bits (4 dropped); one `=`: 4 (2 dropped).
    let dropped = [0u8, 0b11, 0b1111][pad];
    if last_value & dropped != 0 {
        return None;
    }
    openssl::base64::decode_block(&normal).ok()
}

/// True only for an exact, valid signature. RFC 8017 8.2.2 as written: RSAVP1
/// gives the encoded message EM, which must equal, byte for byte, the encoding
/// EMSA-PKCS1-v1_5 builds from the data (both are public: a plain comparison):
/// `00 01 FF…FF 00 || DigestInfo(SHA-1)`. Nothing in EM is parsed. A signature
/// that is not Base64 or has the wrong length is simply not valid.
pub fn verify(data: &[u8], signature_b64: &str, key: &Rsa<Public>) -> bool {
    let size = key.size() as usize;
    let digest_info = digest_info(data);
    // PKCS#1 v1.5 needs at least 8 bytes of FF padding (RFC 8017 9.2 step 5).
    if size < digest_info.len() + 11 {
        return false;
    }
    let Some(sig) = base64_signature(signature_b64).filter(|s| s.len() == size) else {
        return false;
    };
    // RSA-4096 at most on the stack; larger keys on the heap.
    let mut stack = [0u8; 512];
    let mut heap = Vec::new();
    let em: &mut [u8] = if size <= stack.len() {
        &mut stack[..size]
    } else {
        heap.resize(size, 0);
        &mut heap
    };
    // A signature not below the modulus is refused by OpenSSL here.
    let Ok(n) = key.public_decrypt(&sig, em, Padding::NONE) else {
        return false;
    };
    let (padding, info) = em.split_at(size - digest_info.len());
    n == size
        && padding[0] == 0x00
        && padding[1] == 0x01
        && padding[2..padding.len() - 1].iter().all(|&b| b == 0xff)
        && padding[padding.len() - 1] == 0x00
        && info == digest_info
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::keys::{parse_private_key, parse_public_key};
    use crate::core::test_vectors::vectors;

    #[test]
    fn published_request_vectors_reproduce_exactly_and_verify() {
        let v = vectors();
        let key = parse_private_key(v["merchant_test_private_key_pem"].as_str().unwrap()).unwrap();
        let public = parse_public_key(v["merchant_test_public_key_pem"].as_str().unwrap()).unwrap();
        let requests = v["requests"].as_array().unwrap();
        assert_eq!(requests.len(), 2);
        for r in requests {
            let s = r["signed_string"].as_str().unwrap();
            let want = r["sign"].as_str().unwrap();
            assert_eq!(sign(s.as_bytes(), &key).unwrap(), want, "{}", r["name"]);
            assert!(verify(s.as_bytes(), want, &public));
            assert!(!verify(format!("{s}x").as_bytes(), want, &public));
        }
    }

    #[test]
    fn the_real_spectrocoin_callback_signature_verifies_and_nothing_else_does() {
        let v = vectors();
        let cb = &v["callbacks"][0];
        let key =
            parse_public_key(v["spectrocoin_callback_public_key_pem"].as_str().unwrap()).unwrap();
        let s = cb["signed_string"].as_str().unwrap();
        let sig = cb["sign"].as_str().unwrap();
        assert!(verify(s.as_bytes(), sig, &key));
        assert!(verify(s.as_bytes(), &sig.replace('+', " "), &key));
        assert!(!verify(
            s.replace("status=5", "status=3").as_bytes(),
            sig,
            &key
        ));
        for bad in ["", "!!!", "AAAA", &sig[..sig.len() - 4]] {
            assert!(!verify(s.as_bytes(), bad, &key), "{bad:?}");
        }
    }

    #[test]
    fn base64_decoding_takes_only_the_canonical_text() {
        assert_eq!(base64_signature(""), None);
        for len in 1..70usize {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + len * 11) as u8 ^ 0xa5).collect();
            let text = openssl::base64::encode_block(&bytes);
            assert_eq!(
                base64_signature(&text).as_deref(),
                Some(&bytes[..]),
                "{text}"
            );
            // Form decoding turns a raw '+' into a space; PEM-style line breaks are allowed.
            let spaced = text.replace('+', " ");
            assert_eq!(base64_signature(&spaced).as_deref(), Some(&bytes[..]));
            let folded = format!(
                "{}\r\n{}\n",
                &text[..text.len() / 2],
                &text[text.len() / 2..]
            );
            assert_eq!(base64_signature(&folded).as_deref(), Some(&bytes[..]));
            let unpadded = text.trim_end_matches('=');
            if len > 0 && unpadded.len() != text.len() {
                assert_eq!(base64_signature(unpadded), None, "{unpadded}");
            }
        }
        // Not Base64, padding inside, too much padding, non-zero unused bits, URL alphabet.
        for bad in [
            "QQ=A",
            "QQ===",
            "Q===",
            "QUJD!A==",
            "QUJD-_==",
            "QUJDRA=",
            "\u{e9}QUI",
            "QR==",
            " QQ==\t",
            "QQ",
        ] {
            assert_eq!(base64_signature(bad), None, "{bad}");
        }
    }

    /// Encoded messages signed raw with the merchant test key: only the exact
    /// EMSA-PKCS1-v1_5 encoding verifies, none of the lookalikes that lenient
    /// parsers of EM have accepted (garbage after or inside the padding, other
    /// DigestInfo encodings, another block type).
    #[test]
    fn only_the_exact_encoded_message_verifies() {
        let v = vectors();
        let key = parse_private_key(v["merchant_test_private_key_pem"].as_str().unwrap()).unwrap();
        let public = parse_public_key(v["merchant_test_public_key_pem"].as_str().unwrap()).unwrap();
        let data = b"merchantId=25&apiId=74&orderId=7-1";
        let k = key.size() as usize;
        let info = digest_info(data);
        let em = |block: u8, ff: usize, info: &[u8], tail: &[u8]| -> String {
            let mut m = vec![0x00, block];
            m.extend(std::iter::repeat_n(0xff, ff));
            m.push(0x00);
            m.extend_from_slice(info);
            m.extend_from_slice(tail);
            assert_eq!(m.len(), k, "test encoding has the key's size");
            let mut sig = vec![0u8; k];
            key.private_encrypt(&m, &mut sig, Padding::NONE).unwrap();
            openssl::base64::encode_block(&sig)
        };
        let ff = k - 3 - info.len();
        assert!(
            verify(data, &em(0x01, ff, &info, b""), &public),
            "the exact encoding"
        );
        assert_eq!(em(0x01, ff, &info, b""), sign(data, &key).unwrap());
        let no_null: Vec<u8> = [&[0x30, 0x1f, 0x30, 0x07][..], &info[4..11], &info[13..]].concat();
        let forged = [
            em(0x01, ff - 4, &info, b"junk"),
            em(0x02, ff, &info, b""),
            em(0x01, ff + 2, &no_null, b""),
            em(0x01, ff - 1, &[&info[..], b"\0"].concat(), b""),
        ];
        for (i, f) in forged.iter().enumerate() {
            assert!(!verify(data, f, &public), "lookalike {i} verified");
        }
    }
}
