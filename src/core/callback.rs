//! Legacy callbacks: form-encoded, signed by SpectroCoin's key.
//!
//! Verification follows the API doc 1.5: decode the body, require every
//! signed field, check that the merchant and project ids are ours,
//! re-format the three amounts, re-encode canonically, verify.

use std::borrow::Cow;

use openssl::pkey::Public;
use openssl::rsa::Rsa;

use crate::core::amount::format_callback_amount;
use crate::core::error::{Error, Result};
use crate::core::form::{encode_pairs, for_each_field};
use crate::core::ids::{IdScheme, MerchantIds};
use crate::core::signature::verify;
use crate::core::status::Status;

/// The signed fields, in signing order.
pub const SIGNED_FIELDS: [&str; 11] = [
    "merchantId",
    "apiId",
    "orderId",
    "payCurrency",
    "payAmount",
    "receiveCurrency",
    "receiveAmount",
    "receivedAmount",
    "description",
    "orderRequestId",
    "status",
];
const AMOUNT_FIELDS: [&str; 3] = ["payAmount", "receiveAmount", "receivedAmount"];

/// Position of a field in [`SIGNED_FIELDS`] (a `match`: one length switch, one comparison).
fn signed_index(name: &str) -> Option<usize> {
    Some(match name {
        "merchantId" => 0,
        "apiId" => 1,
        "orderId" => 2,
        "payCurrency" => 3,
        "payAmount" => 4,
        "receiveCurrency" => 5,
        "receiveAmount" => 6,
        "receivedAmount" => 7,
        "description" => 8,
        "orderRequestId" => 9,
        "status" => 10,
        _ => return None,
    })
}

/// A callback whose signature and ids have been checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCallback<'a> {
    /// The signed fields with canonical amounts, in signing order (borrowing the
    /// body where decoding changed nothing).
    pub fields: [(&'static str, Cow<'a, str>); SIGNED_FIELDS.len()],
    pub status: Status,
    /// Our merchant and project ids were matched against signed fields (numeric
    /// ids), not only against the unsigned UUIDs.
    pub ids_signed: bool,
}

impl VerifiedCallback<'_> {
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| &**v)
            .unwrap_or("")
    }
}

/// A decoded callback before its signature is checked. Values borrow the body
/// unless decoding or amount formatting changed them.
pub struct ParsedCallback<'a> {
    /// Values of [`SIGNED_FIELDS`], by position; amounts canonical.
    signed: [Cow<'a, str>; SIGNED_FIELDS.len()],
    sign: Cow<'a, str>,
    pub user_id: Option<Cow<'a, str>>,
    pub merchant_api_id: Option<Cow<'a, str>>,
    ids_signed: bool,
}

impl<'a> ParsedCallback<'a> {
    pub fn parse(body: &'a [u8]) -> Result<ParsedCallback<'a>> {
        let mut signed: [Option<Cow<'a, str>>; SIGNED_FIELDS.len()] = Default::default();
        let (mut sign, mut user_id, mut merchant_api_id) = (None, None, None);
        // Each field into its slot (the decoder refuses repeated names).
        for_each_field(body, |name, value| {
            match &*name {
                "sign" => sign = Some(value),
                "userId" => user_id = Some(value),
                "merchantApiId" => merchant_api_id = Some(value),
                n => {
                    if let Some(i) = signed_index(n) {
                        signed[i] = Some(value);
                    }
                }
            }
            Ok(())
        })?;
        let missing: Vec<&str> = SIGNED_FIELDS
            .iter()
            .zip(&signed)
            .filter(|(_, v)| v.is_none())
            .map(|(n, _)| *n)
            .chain(sign.is_none().then_some("sign"))
            .collect();
        if !missing.is_empty() {
            return Err(Error::callback(format!(
                "callback lacks signed field(s): {}",
                missing.join(", ")
            )));
        }
        let mut signed = signed.map(Option::unwrap_or_default);
        for (name, value) in SIGNED_FIELDS.iter().zip(signed.iter_mut()) {
            if AMOUNT_FIELDS.contains(name) {
                let formatted = format_callback_amount(value).ok_or_else(|| {
                    Error::callback(format!("callback field {name} is not an amount"))
                })?;
                if let Cow::Owned(canonical) = formatted {
                    *value = Cow::Owned(canonical);
                }
            }
        }
        Ok(ParsedCallback {
            signed,
            sign: sign.unwrap_or_default(),
            user_id,
            merchant_api_id,
            ids_signed: false,
        })
    }

    fn get(&self, name: &str) -> &str {
        signed_index(name).map(|i| &*self.signed[i]).unwrap_or("")
    }

    /// The canonical string SpectroCoin signed.
    pub fn signed_string(&self) -> String {
        encode_pairs(
            SIGNED_FIELDS
                .iter()
                .zip(&self.signed)
                .map(|(n, v)| (*n, &**v)),
        )
    }

    /// Whether the callback names our merchant and project.
    ///
    /// Numeric configurations are matched against the signed `merchantId`/`apiId`.
    /// UUID configurations are matched against `userId`/`merchantApiId`,
    /// which SpectroCoin does not sign: the decision step then also binds the
    /// signed `orderRequestId` to the order we stored.
    pub fn check_ids(
        &mut self,
        ours: &MerchantIds,
        signed_numeric: Option<&MerchantIds>,
    ) -> Result<()> {
        let signed_match =
            |ids: &MerchantIds| ids.matches(self.get("merchantId"), self.get("apiId"));
        let (ok, signed) = match ours.scheme {
            IdScheme::Numeric => (signed_match(ours), true),
            IdScheme::Uuid => {
                let uuids = match (self.user_id.as_deref(), self.merchant_api_id.as_deref()) {
                    (Some(u), Some(p)) => ours.matches(u, p),
                    _ => false,
                };
                match signed_numeric {
                    Some(numeric) => (uuids && signed_match(numeric), true),
                    None => (uuids, false),
                }
            }
        };
        if ok {
            self.ids_signed = signed;
            Ok(())
        } else {
            let (m, p) = ours.scheme.field_names();
            Err(Error::foreign_ids(format!(
                "callback is for another merchant or project (its {m}/{p} are not ours)"
            )))
        }
    }

    /// Checks SpectroCoin's signature, then the status.
    pub fn verify_with(self, key: &Rsa<Public>) -> Result<VerifiedCallback<'a>> {
        let signed = self.signed_string();
        // SpectroCoin's server and its Java sample encode with Apache URLEncodedUtils,
        // which leaves `*` literal where PHP writes `%2A` (the only byte the two differ
        // on, and `%2A` in PHP's encoding only ever stands for `*`): either canonical
        // encoding is accepted, nothing else.
        let genuine = verify(signed.as_bytes(), &self.sign, key)
            || (signed.contains("%2A")
                && verify(signed.replace("%2A", "*").as_bytes(), &self.sign, key));
        if !genuine {
            return Err(Error::Signature(
                "callback signature is not SpectroCoin's (or a signed field was changed)"
                    .to_owned(),
            ));
        }
        let status = Status::parse(self.get("status"))?;
        Ok(VerifiedCallback {
            fields: {
                let mut values = self.signed.into_iter();
                SIGNED_FIELDS.map(|n| (n, values.next().unwrap_or_default()))
            },
            status,
            ids_signed: self.ids_signed,
        })
    }
}

/// The whole legacy check with a known SpectroCoin key.
pub fn verify_callback<'a>(
    body: &'a [u8],
    ours: &MerchantIds,
    key: &Rsa<Public>,
) -> Result<VerifiedCallback<'a>> {
    let mut parsed = ParsedCallback::parse(body)?;
    parsed.check_ids(ours, None)?;
    parsed.verify_with(key)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::core::form::urlencode;
    use crate::core::keys::parse_public_key;
    use crate::core::test_vectors::vectors;

    fn v1_key() -> Rsa<Public> {
        parse_public_key(
            vectors()["spectrocoin_callback_public_key_pem"]
                .as_str()
                .unwrap(),
        )
        .unwrap()
    }

    /// V1 as a callback body: fields as published, then the sign.
    pub fn v1_body_with(changes: &[(&str, &str)]) -> String {
        let v = vectors();
        let cb = &v["callbacks"][0];
        let mut pairs: Vec<(String, String)> = SIGNED_FIELDS
            .iter()
            .map(|n| (n.to_string(), cb["fields"][n].as_str().unwrap().to_owned()))
            .collect();
        pairs.push(("sign".into(), cb["sign"].as_str().unwrap().to_owned()));
        for (n, val) in changes {
            match pairs.iter_mut().find(|(k, _)| k == n) {
                Some(p) => p.1 = val.to_string(),
                None => pairs.push((n.to_string(), val.to_string())),
            }
        }
        pairs
            .iter()
            .map(|(n, v)| format!("{}={}", urlencode(n), urlencode(v)))
            .collect::<Vec<_>>()
            .join("&")
    }

    fn ours() -> MerchantIds<'static> {
        MerchantIds::new("169", "3").unwrap()
    }

    #[test]
    fn signed_index_follows_the_signing_order() {
        for (i, name) in SIGNED_FIELDS.iter().enumerate() {
            assert_eq!(signed_index(name), Some(i), "{name}");
        }
        for other in [
            "sign",
            "userId",
            "merchantApiId",
            "MerchantId",
            "",
            "status ",
        ] {
            assert_eq!(signed_index(other), None, "{other}");
        }
    }

    /// SpectroCoin's server signs like its Java sample (`*` left literal); PHP writes
    /// `%2A`. Both canonical encodings verify; the other lookalikes do not.
    #[test]
    fn a_callback_signed_over_either_encoding_of_a_star_verifies_and_no_other() {
        use crate::core::keys::parse_private_key;
        use crate::core::signature::sign;
        let v = vectors();
        let private =
            parse_private_key(v["merchant_test_private_key_pem"].as_str().unwrap()).unwrap();
        let public = parse_public_key(v["merchant_test_public_key_pem"].as_str().unwrap()).unwrap();
        let values = [
            "25",
            "74",
            "7-1",
            "BTC",
            "0.0001",
            "EUR",
            "10.0",
            "0.0001",
            "Invoice *7* ~ paid",
            "1234",
            "3",
        ];
        let php = encode_pairs(SIGNED_FIELDS.iter().copied().zip(values));
        assert!(php.contains("%2A7%2A"), "{php}");
        let java = php.replace("%2A", "*");
        let body_signed_over = |signed: &str| {
            let mut body = php.clone();
            body.push_str("&sign=");
            body.push_str(&urlencode(&sign(signed.as_bytes(), &private).unwrap()));
            body
        };
        let ours = MerchantIds::new("25", "74").unwrap();
        for (what, signed, genuine) in [
            ("PHP's %2A", php.clone(), true),
            ("Java's literal *", java.clone(), true),
            ("lowercase %2a", php.replace("%2A", "%2a"), false),
            ("literal ~ as well", java.replace("%7E", "~"), false),
            ("only one * literal", php.replacen("%2A", "*", 1), false),
        ] {
            let body = body_signed_over(&signed);
            let got = verify_callback(body.as_bytes(), &ours, &public);
            assert_eq!(got.is_ok(), genuine, "{what}: {got:?}");
        }
    }

    #[test]
    fn the_real_signed_callback_v1_verifies() {
        let body = v1_body_with(&[]);
        let cb = verify_callback(body.as_bytes(), &ours(), &v1_key()).unwrap();
        assert_eq!(cb.status, Status::Expired);
        assert_eq!(cb.get("receivedAmount"), "0.0");
        assert_eq!(cb.get("description"), "Payment for Car-2547");
        let v = vectors();
        let parsed = ParsedCallback::parse(body.as_bytes()).unwrap();
        assert_eq!(
            parsed.signed_string(),
            v["callbacks"][0]["signed_string"].as_str().unwrap()
        );
    }

    #[test]
    fn v1_fails_after_changing_any_signed_field() {
        let changes = [
            ("merchantId", "170"),
            ("apiId", "4"),
            ("orderId", "276"),
            ("payCurrency", "ETH"),
            ("payAmount", "20.1"),
            ("receiveCurrency", "USD"),
            ("receiveAmount", "8523.6"),
            ("receivedAmount", "8523.5"),
            ("description", "Payment for Car-2548"),
            ("orderRequestId", "276"),
            ("status", "3"),
        ];
        for (field, value) in changes {
            let body = v1_body_with(&[(field, value)]);
            // A changed id is caught as foreign before the signature; verify
            // against ids that follow the change to reach the signature check.
            let ids = match field {
                "merchantId" => MerchantIds::new(value, "3").unwrap(),
                "apiId" => MerchantIds::new("169", value).unwrap(),
                _ => ours(),
            };
            let err = verify_callback(body.as_bytes(), &ids, &v1_key()).unwrap_err();
            assert!(matches!(err, Error::Signature(_)), "{field}: {err:?}");
        }
    }

    #[test]
    fn re_encodings_that_keep_the_decoded_fields_still_verify() {
        let body = v1_body_with(&[("payAmount", "20.000"), ("receivedAmount", "0.00")]);
        assert!(verify_callback(body.as_bytes(), &ours(), &v1_key()).is_ok());
        let spaced = v1_body_with(&[]).replace("Payment+for", "Payment%20for");
        assert!(verify_callback(spaced.as_bytes(), &ours(), &v1_key()).is_ok());
        let extra = v1_body_with(&[
            ("userId", "1a2b3c4d-0000-4000-8000-1234567890ab"),
            ("payerEmail", "x@y.z"),
        ]);
        assert!(verify_callback(extra.as_bytes(), &ours(), &v1_key()).is_ok());
    }

    #[test]
    fn foreign_ids_are_refused_even_with_a_genuine_signature() {
        let body = v1_body_with(&[]);
        for (m, p) in [("169", "4"), ("170", "3")] {
            let err = verify_callback(body.as_bytes(), &MerchantIds::new(m, p).unwrap(), &v1_key())
                .unwrap_err();
            assert!(
                matches!(err, Error::ForeignIds(_)) && err.to_string().contains("another merchant"),
                "{err}"
            );
        }
        let uuids = MerchantIds::new(
            "1a2b3c4d-0000-4000-8000-1234567890ab",
            "9f1c2d3e-1111-4222-8333-444455556666",
        )
        .unwrap();
        assert!(matches!(
            verify_callback(body.as_bytes(), &uuids, &v1_key()),
            Err(Error::ForeignIds(_))
        ));
        let with = v1_body_with(&[
            ("userId", "1A2B3C4D-0000-4000-8000-1234567890AB"),
            ("merchantApiId", "9f1c2d3e-1111-4222-8333-444455556666"),
        ]);
        assert!(verify_callback(with.as_bytes(), &uuids, &v1_key()).is_ok());
    }

    #[test]
    fn uuid_configurations_are_signed_only_with_the_numeric_pair_too() {
        let uuids = MerchantIds::new(
            "1a2b3c4d-0000-4000-8000-1234567890ab",
            "9f1c2d3e-1111-4222-8333-444455556666",
        )
        .unwrap();
        let body = v1_body_with(&[
            ("userId", "1a2b3c4d-0000-4000-8000-1234567890ab"),
            ("merchantApiId", "9f1c2d3e-1111-4222-8333-444455556666"),
        ]);
        let check = |numeric: Option<MerchantIds>| {
            let mut p = ParsedCallback::parse(body.as_bytes()).unwrap();
            p.check_ids(&uuids, numeric.as_ref())
                .map(|_| p.verify_with(&v1_key()).unwrap().ids_signed)
        };
        assert!(!check(None).unwrap(), "UUIDs alone are not signed");
        assert!(check(Some(MerchantIds::new("169", "3").unwrap())).unwrap());
        assert!(matches!(
            check(Some(MerchantIds::new("170", "3").unwrap())),
            Err(Error::ForeignIds(_))
        ));
        let v1 = v1_body_with(&[]);
        let numeric = verify_callback(v1.as_bytes(), &ours(), &v1_key()).unwrap();
        assert!(numeric.ids_signed);
    }

    #[test]
    fn missing_fields_and_bad_amounts_are_malformed() {
        let v1 = v1_body_with(&[]);
        for drop in SIGNED_FIELDS.iter().chain(["sign"].iter()) {
            let body: String = v1
                .split('&')
                .filter(|p| !p.starts_with(&format!("{drop}=")))
                .collect::<Vec<_>>()
                .join("&");
            let err = verify_callback(body.as_bytes(), &ours(), &v1_key()).unwrap_err();
            assert!(err.to_string().contains(drop), "{drop}: {err}");
        }
        let err = verify_callback(
            v1_body_with(&[("payAmount", "1e3")]).as_bytes(),
            &ours(),
            &v1_key(),
        )
        .unwrap_err();
        assert!(matches!(err, Error::Callback(_)));
        for repeat in [
            "status=3",
            "sign=QQ%3D%3D",
            "userId=a&userId=b",
            "x=1&x=1",
            "orderId=275",
        ] {
            let err = verify_callback(format!("{v1}&{repeat}").as_bytes(), &ours(), &v1_key())
                .unwrap_err();
            assert!(
                err.to_string().contains("more than once"),
                "{repeat}: {err}"
            );
        }
        assert!(verify_callback(format!("{v1}&x=1&y=1").as_bytes(), &ours(), &v1_key()).is_ok());
    }
}
