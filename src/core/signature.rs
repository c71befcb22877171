//! RSASSA-PKCS1-v1_5 with SHA-1, Base64 with padding, as SpectroCoin mandates.
//! (SHA-1 is weak for new designs; it is what the peer verifies, see `manual`.)

use openssl::pkey::{Private, Public};
use openssl::rsa::{Padding, Rsa};

use crate::core::error::{Error, Result};
use crate::core::form::HEX_VALUE;

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

/// Largest signature handled on the stack (RSA-4096); larger keys use the heap.
const STACK_SIG: usize = 512;

/// Base64 character classes: 0–63 the standard alphabet (a space reads as `+`:
/// a raw `+` in a form body decodes to a space), [`PAD`], [`SKIP`] (line breaks), [`BAD`].
const PAD: u8 = 0xfe;
const SKIP: u8 = 0xfd;
const BAD: u8 = 0xff;
const B64: [u8; 256] = {
    let mut t = [BAD; 256];
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut i = 0;
    while i < 64 {
        t[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    t[b' ' as usize] = 62;
    t[b'=' as usize] = PAD;
    t[b'\r' as usize] = SKIP;
    t[b'\n' as usize] = SKIP;
    t
};

/// Decodes padded standard Base64 into `out`, which must have room for exactly
/// `want` bytes; true only if the text decodes to exactly `want` bytes.
/// Spaces are read as `+` and line breaks are skipped; any other character, or
/// padding anywhere but the end, fails. With `form`, the text is as it came in a
/// form body: `%XX` stands for its byte (and `+` for a space, read as `+`).
fn b64_decode_exact(text: &[u8], form: bool, out: &mut [u8], want: usize) -> bool {
    let (mut acc, mut bits, mut count, mut pad, mut n) = (0u32, 0u32, 0usize, 0usize, 0usize);
    let mut i = 0;
    while i < text.len() {
        // Four plain alphabet characters at a quantum boundary: nearly all of a signature.
        if bits == 0 && n + 3 <= want {
            if let Some(q) = text.get(i..i + 4) {
                let v = [
                    B64[q[0] as usize],
                    B64[q[1] as usize],
                    B64[q[2] as usize],
                    B64[q[3] as usize],
                ];
                if (v[0] | v[1] | v[2] | v[3]) < 64 {
                    let word = (v[0] as u32) << 18
                        | (v[1] as u32) << 12
                        | (v[2] as u32) << 6
                        | v[3] as u32;
                    out[n..n + 3].copy_from_slice(&word.to_be_bytes()[1..]);
                    n += 3;
                    count += 4;
                    i += 4;
                    continue;
                }
            }
        }
        // Otherwise one character at a time (escapes, padding, line breaks, the end).
        let mut c = text[i];
        i += 1;
        if form && c == b'%' {
            let hex = |d: Option<&u8>| d.map_or(0xff, |d| HEX_VALUE[*d as usize]);
            let (h, l) = (hex(text.get(i)), hex(text.get(i + 1)));
            if (h | l) > 15 {
                return false;
            }
            c = h << 4 | l;
            i += 2;
        }
        match B64[c as usize] {
            SKIP => continue,
            BAD => return false,
            PAD => pad += 1,
            _ if pad > 0 => return false,
            v => {
                acc = (acc << 6) | v as u32;
                bits += 6;
                if bits >= 8 {
                    bits -= 8;
                    if n == want {
                        return false;
                    }
                    out[n] = (acc >> bits) as u8;
                    n += 1;
                }
            }
        }
        count += 1;
    }
    count.is_multiple_of(4) && pad <= 2 && n == want
}

/// True only for an exact, valid signature. RFC 8017 8.2.2 as written: RSAVP1
/// gives the encoded message EM, which must equal, byte for byte, the encoding
/// EMSA-PKCS1-v1_5 builds from the data (both are public: a plain comparison):
/// `00 01 FF…FF 00 || DigestInfo(SHA-1)`. Nothing in EM is parsed. A signature
/// that is not Base64 or has the wrong length is simply not valid.
pub fn verify(data: &[u8], signature_b64: &str, key: &Rsa<Public>) -> bool {
    verify_text(data, signature_b64, false, key)
}

/// [`verify`] for a signature still form-encoded as it came in a body
/// (`%2B`, `%2F`, `%3D` and `+`): decoded while the Base64 is read.
pub fn verify_form_encoded(data: &[u8], signature_form: &str, key: &Rsa<Public>) -> bool {
    verify_text(data, signature_form, true, key)
}

fn verify_text(data: &[u8], signature: &str, form: bool, key: &Rsa<Public>) -> bool {
    let size = key.size() as usize;
    let digest_info = digest_info(data);
    // PKCS#1 v1.5 needs at least 8 bytes of FF padding (RFC 8017 9.2 step 5).
    if size < digest_info.len() + 11 {
        return false;
    }
    let mut stack = [0u8; 3 * STACK_SIG];
    let mut heap = Vec::new();
    let buf: &mut [u8] = if size <= STACK_SIG {
        &mut stack[..3 * size]
    } else {
        heap.resize(3 * size, 0);
        &mut heap
    };
    let (sig, rest) = buf.split_at_mut(size);
    let (em, expected) = rest.split_at_mut(size);
    if !b64_decode_exact(signature.as_bytes(), form, sig, size) {
        return false;
    }
    // A signature not below the modulus is refused by OpenSSL here.
    let Ok(n) = key.public_decrypt(sig, em, Padding::NONE) else {
        return false;
    };
    let (padding, info) = expected.split_at_mut(size - digest_info.len());
    padding.fill(0xff);
    padding[0] = 0x00;
    padding[1] = 0x01;
    padding[padding.len() - 1] = 0x00;
    info.copy_from_slice(&digest_info);
    n == size && em == expected
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
    fn base64_decoding_agrees_with_openssl_and_refuses_what_is_not_base64() {
        let mut out = [0u8; 80];
        for len in 0..70usize {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + len * 11) as u8 ^ 0xa5).collect();
            let text = openssl::base64::encode_block(&bytes);
            assert!(
                b64_decode_exact(text.as_bytes(), false, &mut out, len),
                "{text}"
            );
            assert_eq!(&out[..len], &bytes[..]);
            // Form decoding turns a raw '+' into a space; PEM-style line breaks are allowed.
            let spaced = text.replace('+', " ");
            assert!(b64_decode_exact(spaced.as_bytes(), false, &mut out, len));
            let folded = format!(
                "{}\r\n{}\n",
                &text[..text.len() / 2],
                &text[text.len() / 2..]
            );
            assert!(b64_decode_exact(folded.as_bytes(), false, &mut out, len));
            assert_eq!(&out[..len], &bytes[..]);
            // As it comes in a form body (http_build_query), read escapes and all.
            let form = crate::core::form::urlencode(&text);
            out.fill(0);
            assert!(
                b64_decode_exact(form.as_bytes(), true, &mut out, len),
                "{form}"
            );
            assert_eq!(&out[..len], &bytes[..]);
            let lower = form.replace("%2B", "%2b").replace("%2F", "%2f");
            assert!(b64_decode_exact(lower.as_bytes(), true, &mut out, len));
            if form.contains('%') {
                assert!(
                    !b64_decode_exact(form.as_bytes(), false, &mut out, len),
                    "{form}"
                );
                let cut = form.replacen('%', "%G", 1);
                assert!(
                    !b64_decode_exact(cut.as_bytes(), true, &mut out, len),
                    "{cut}"
                );
            }
            // Exactly the wanted length, no more and no less.
            assert!(!b64_decode_exact(text.as_bytes(), false, &mut out, len + 1));
            if len > 0 {
                assert!(!b64_decode_exact(text.as_bytes(), false, &mut out, len - 1));
                let unpadded = text.trim_end_matches('=');
                if unpadded.len() != text.len() {
                    assert!(!b64_decode_exact(unpadded.as_bytes(), false, &mut out, len));
                }
            }
        }
        for bad in [
            "QQ=A",
            "QQ===",
            "Q===",
            "QUJD!A==",
            "QUJD-_==",
            "QUJDRA=",
            "\u{e9}QUI",
        ] {
            let want = openssl::base64::decode_block(bad)
                .map(|b| b.len())
                .unwrap_or(1);
            assert!(
                !b64_decode_exact(bad.as_bytes(), false, &mut out, want),
                "{bad}"
            );
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
