//! Merchant and project ids. SpectroCoin has two generations: numeric
//! (`merchantId`/`apiId`) and, since 2022, UUIDs (`userId`/`merchantApiId`).

use std::borrow::Cow;

use crate::core::error::{Error, Result};

/// Which id generation a configuration uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdScheme {
    Numeric,
    Uuid,
}

impl IdScheme {
    /// The wire names of the merchant and project ids in this generation.
    pub fn field_names(self) -> (&'static str, &'static str) {
        match self {
            IdScheme::Numeric => ("merchantId", "apiId"),
            IdScheme::Uuid => ("userId", "merchantApiId"),
        }
    }
}

/// A merchant id and project id of the same generation, normalised (borrowing
/// the given text where normalising changes nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantIds<'a> {
    pub scheme: IdScheme,
    pub merchant_id: Cow<'a, str>,
    pub project_id: Cow<'a, str>,
}

pub fn is_numeric_id(s: &str) -> bool {
    !s.is_empty() && s.len() <= 19 && s.bytes().all(|b| b.is_ascii_digit())
}

pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

impl<'a> MerchantIds<'a> {
    /// Both numeric or both UUIDs; anything else is a configuration error.
    pub fn new(merchant_id: &'a str, project_id: &'a str) -> Result<Self> {
        let (m, p) = (merchant_id.trim(), project_id.trim());
        if m.is_empty() || p.is_empty() {
            return Err(Error::config(
                "Merchant ID and Project ID are both required (SpectroCoin → Business → Projects)",
            ));
        }
        let scheme = if is_numeric_id(m) && is_numeric_id(p) {
            IdScheme::Numeric
        } else if is_uuid(m) && is_uuid(p) {
            IdScheme::Uuid
        } else {
            return Err(Error::config(format!(
                "Merchant ID {m:?} and Project ID {p:?} must both be numbers or both be UUIDs \
                 (like 1a2b3c4d-0000-4000-8000-1234567890ab)"
            )));
        };
        let norm = |s: &'a str| -> Cow<'a, str> {
            match scheme {
                IdScheme::Numeric => Cow::Borrowed(s.trim_start_matches('0')),
                IdScheme::Uuid if s.bytes().any(|b| b.is_ascii_uppercase()) => {
                    Cow::Owned(s.to_ascii_lowercase())
                }
                IdScheme::Uuid => Cow::Borrowed(s),
            }
        };
        Ok(MerchantIds {
            scheme,
            merchant_id: norm(m),
            project_id: norm(p),
        })
    }

    /// Whether a merchant/project pair seen in a callback is ours. (Normalising
    /// borrows, so a matching pair costs no allocation.)
    pub fn matches(&self, merchant_id: &str, project_id: &str) -> bool {
        MerchantIds::new(merchant_id, project_id).is_ok_and(|other| other == *self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_pairs_are_classified_and_normalised() {
        let n = MerchantIds::new("169", " 3 ").unwrap();
        assert_eq!(
            (n.scheme, &*n.merchant_id, &*n.project_id),
            (IdScheme::Numeric, "169", "3")
        );
        let u = MerchantIds::new(
            "1A2B3C4D-0000-4000-8000-1234567890AB",
            "9f1c2d3e-1111-4222-8333-444455556666",
        )
        .unwrap();
        assert_eq!(u.scheme, IdScheme::Uuid);
        assert_eq!(u.merchant_id, "1a2b3c4d-0000-4000-8000-1234567890ab");
        assert!(u.matches(
            "1a2b3c4d-0000-4000-8000-1234567890ab",
            "9F1C2D3E-1111-4222-8333-444455556666"
        ));
    }

    #[test]
    fn mixed_or_malformed_ids_are_refused() {
        for (m, p) in [
            ("169", "1a2b3c4d-0000-4000-8000-1234567890ab"),
            ("", "3"),
            ("abc", "3"),
            ("-1", "3"),
            (
                "1a2b3c4d-0000-4000-8000-1234567890a",
                "1a2b3c4d-0000-4000-8000-1234567890ab",
            ),
            ("12345678901234567890", "1"),
        ] {
            assert!(MerchantIds::new(m, p).is_err(), "{m:?}/{p:?}");
        }
    }

    #[test]
    fn foreign_ids_do_not_match() {
        let n = MerchantIds::new("169", "3").unwrap();
        assert!(n.matches("169", "3"));
        assert!(n.matches("0169", "3"));
        assert!(!n.matches("169", "4"));
        assert!(!n.matches("170", "3"));
        assert!(!n.matches("", ""));
    }
}
