//! RSASSA-PKCS1-v1_5 with SHA-1, Base64 with padding, as SpectroCoin mandates.
//! (SHA-1 is weak for new designs; it is what the peer verifies, see `manual`.)

use openssl::pkey::{Private, Public};
use openssl::rsa::{Padding, Rsa};

use crate::core::error::{Error, Result};

/// DER prefix of a SHA-1 DigestInfo (RFC 8017, 9.2 note 1): what PKCS#1 v1.5
/// signs and what verification must find, byte for byte.
const SHA1_DIGEST_INFO: [u8; 15] = [
    0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14,
];

fn digest_info(data: &[u8]) -> [u8; 35] {
    let mut out = [0u8; 35];
    out[..15].copy_from_slice(&SHA1_DIGEST_INFO);
    out[15..].copy_from_slice(&openssl::sha::sha1(data));
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

/// True only for an exact, valid signature (RFC 8017 8.2.2: recover the
/// encoded message and compare it with the expected DigestInfo in constant
/// time). A signature that is not Base64 or has the wrong length is simply not valid.
pub fn verify(data: &[u8], signature_b64: &str, key: &Rsa<Public>) -> bool {
    // A raw '+' that reached us unencoded decodes to a space; put it back.
    let cleaned: std::borrow::Cow<str> = if signature_b64
        .bytes()
        .any(|b| matches!(b, b' ' | b'\n' | b'\r'))
    {
        signature_b64
            .chars()
            .filter(|c| *c != '\n' && *c != '\r')
            .map(|c| if c == ' ' { '+' } else { c })
            .collect::<String>()
            .into()
    } else {
        signature_b64.into()
    };
    let Ok(sig) = openssl::base64::decode_block(&cleaned) else {
        return false;
    };
    let size = key.size() as usize;
    if sig.len() != size {
        return false;
    }
    let mut recovered = vec![0u8; size];
    let Ok(n) = key.public_decrypt(&sig, &mut recovered, Padding::PKCS1) else {
        return false;
    };
    let expected = digest_info(data);
    n == expected.len() && openssl::memcmp::eq(&recovered[..n], &expected)
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
}
