// Shared by the fuzz targets (included with `include!`): the vectors and V1's key.
#[allow(dead_code)]
mod common {
    use openssl::pkey::Public;
    use openssl::rsa::Rsa;
    use serde_json::Value;
    use std::sync::OnceLock;

    pub const VECTORS: &str = include_str!("../../tests/fixtures/vectors/spectrocoin-vectors.json");

    pub fn vectors() -> &'static Value {
        static V: OnceLock<Value> = OnceLock::new();
        V.get_or_init(|| serde_json::from_str(VECTORS).expect("vectors"))
    }

    /// SpectroCoin's real callback key (V1 was signed with its private half).
    pub fn v1_key() -> &'static Rsa<Public> {
        static K: OnceLock<Rsa<Public>> = OnceLock::new();
        K.get_or_init(|| {
            spectrocoin::core::keys::parse_public_key(
                vectors()["spectrocoin_callback_public_key_pem"].as_str().unwrap(),
            )
            .expect("V1 key")
        })
    }

    pub fn v1_key_pem() -> &'static str {
        vectors()["spectrocoin_callback_public_key_pem"].as_str().unwrap()
    }

    /// V1's signed fields as published (already canonical).
    pub fn v1_fields() -> Vec<(String, String)> {
        let cb = &vectors()["callbacks"][0];
        spectrocoin::core::callback::SIGNED_FIELDS
            .iter()
            .map(|n| {
                let raw = cb["fields"][n].as_str().unwrap();
                let v = if ["payAmount", "receiveAmount", "receivedAmount"].contains(n) {
                    spectrocoin::core::amount::format_callback_amount(raw).unwrap().into_owned()
                } else {
                    raw.to_owned()
                };
                (n.to_string(), v)
            })
            .collect()
    }

    /// A decimal rendered as `0.0#######`.
    pub fn is_canonical_amount(s: &str) -> bool {
        let Some((int, frac)) = s.split_once('.') else { return false };
        !int.is_empty()
            && int.bytes().all(|b| b.is_ascii_digit())
            && (int == "0" || !int.starts_with('0'))
            && (1..=8).contains(&frac.len())
            && frac.bytes().all(|b| b.is_ascii_digit())
            && (frac == "0" || !frac.ends_with('0'))
    }
}
