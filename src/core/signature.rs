//! RSASSA-PKCS1-v1_5 with SHA-1, Base64 with padding, as SpectroCoin mandates.
//! (SHA-1 is weak for new designs; it is what the peer verifies, see `manual`.)

use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private, Public};
use openssl::sign::{Signer, Verifier};

use crate::core::error::{Error, Result};

/// Base64 signature of `data`.
pub fn sign(data: &[u8], key: &PKey<Private>) -> Result<String> {
    let mut signer = Signer::new(MessageDigest::sha1(), key)
        .map_err(|e| Error::config(format!("the private key cannot sign: {e}")))?;
    let sig = signer
        .sign_oneshot_to_vec(data)
        .map_err(|e| Error::config(format!("signing failed: {e}")))?;
    Ok(openssl::base64::encode_block(&sig))
}

/// True only for an exact, valid signature. A signature that is not Base64
/// or has the wrong length is simply not valid.
pub fn verify(data: &[u8], signature_b64: &str, key: &PKey<Public>) -> bool {
    // A raw '+' that reached us unencoded decodes to a space; put it back.
    let cleaned: String = signature_b64
        .chars()
        .filter(|c| *c != '\n' && *c != '\r')
        .map(|c| if c == ' ' { '+' } else { c })
        .collect();
    let Ok(sig) = openssl::base64::decode_block(&cleaned) else {
        return false;
    };
    if sig.is_empty() {
        return false;
    }
    let Ok(mut verifier) = Verifier::new(MessageDigest::sha1(), key) else {
        return false;
    };
    verifier.verify_oneshot(&sig, data).unwrap_or(false)
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
