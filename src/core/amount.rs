//! SpectroCoin's amount rule, `0.0#######`, on decimal strings.
//!
//! Floats never touch an amount: PHP's float path turns `99999999999.99` into
//! `99999999999.99000549`, which would change a signed string.

use std::borrow::Cow;

use crate::core::error::{Error, Result};

/// Longest amount text accepted at all; far beyond any real amount.
const MAX_LEN: usize = 40;
/// Decimals SpectroCoin can represent.
pub const MAX_DECIMALS: usize = 8;

/// A non-negative decimal split into canonical integer and fraction digits.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Decimal {
    int: String,
    frac: String,
}

impl Decimal {
    fn render(&self) -> String {
        let frac = if self.frac.is_empty() {
            "0"
        } else {
            &self.frac
        };
        format!("{}.{}", self.int, frac)
    }
    fn is_zero(&self) -> bool {
        self.int == "0" && self.frac.is_empty()
    }
}

/// Splits a plain decimal (`digits[.digits]`) into canonical parts, without
/// limiting the number of decimals. `None` for anything else: signs,
/// exponents, separators, blanks, a bare `.`.
fn parse(text: &str) -> Option<Decimal> {
    if text.is_empty() || text.len() > MAX_LEN {
        return None;
    }
    let (int, frac) = match text.split_once('.') {
        Some((i, f)) => (i, f),
        None => (text, ""),
    };
    if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if text.contains('.') && frac.is_empty() {
        return None;
    }
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let int = int.trim_start_matches('0');
    let d = Decimal {
        int: if int.is_empty() {
            "0".to_owned()
        } else {
            int.to_owned()
        },
        frac: frac.trim_end_matches('0').to_owned(),
    };
    // What is accepted must render to something accepted again ("1"×40 ⇒ 42 chars).
    if d.int.len() + 1 + d.frac.len().max(1) > MAX_LEN {
        return None;
    }
    Some(d)
}

/// Formats an amount we send: a plain decimal with at most eight decimals
/// (trailing zeros beyond that are harmless), rendered as `0.0#######`.
///
/// ```
/// use spectrocoin::core::amount::format_amount;
/// assert_eq!(format_amount("12.30").unwrap(), "12.3");
/// assert_eq!(format_amount("100").unwrap(), "100.0");
/// assert!(format_amount("0.123456789").is_err());
/// ```
pub fn format_amount(text: &str) -> Result<String> {
    let d = parse(text).ok_or_else(|| {
        Error::config(format!(
            "amount {:?} is not a plain decimal number (digits, optionally one '.' and up to {MAX_DECIMALS} decimals)",
            shorten(text)
        ))
    })?;
    if d.frac.len() > MAX_DECIMALS {
        return Err(Error::config(format!(
            "amount {:?} has more than {MAX_DECIMALS} decimals, which SpectroCoin cannot represent",
            shorten(text)
        )));
    }
    Ok(d.render())
}

/// Like [`format_amount`], and the amount must be greater than zero.
pub fn format_positive_amount(text: &str) -> Result<String> {
    let formatted = format_amount(text)?;
    if formatted == "0.0" {
        return Err(Error::config(format!(
            "amount {:?} must be greater than zero",
            shorten(text)
        )));
    }
    Ok(formatted)
}

/// Already in the `0.0#######` form: canonical integer digits, a point, one to
/// eight decimals without a trailing zero (or exactly `0`).
fn is_canonical(text: &str) -> bool {
    let Some((int, frac)) = text.split_once('.') else {
        return false;
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    text.len() <= MAX_LEN
        && digits(int)
        && (int == "0" || !int.starts_with('0'))
        && digits(frac)
        && frac.len() <= MAX_DECIMALS
        && (frac == "0" || !frac.ends_with('0'))
}

/// Formats an amount found in a callback for signature checking. More than
/// eight decimals are rounded half-up to eight, as SpectroCoin's own PHP
/// plugins do; the signature then decides. `None` if it is not a decimal.
/// An amount already in canonical form (as SpectroCoin sends it) is borrowed.
pub fn format_callback_amount(text: &str) -> Option<Cow<'_, str>> {
    if is_canonical(text) {
        return Some(Cow::Borrowed(text));
    }
    let mut d = parse(text)?;
    if d.frac.len() > MAX_DECIMALS {
        let round_up = d.frac.as_bytes()[MAX_DECIMALS] >= b'5';
        d.frac.truncate(MAX_DECIMALS);
        if round_up {
            let mut digits: Vec<u8> = format!("{}{}", d.int, d.frac).into_bytes();
            let mut i = digits.len();
            loop {
                if i == 0 {
                    digits.insert(0, b'1');
                    break;
                }
                i -= 1;
                if digits[i] == b'9' {
                    digits[i] = b'0';
                } else {
                    digits[i] += 1;
                    break;
                }
            }
            let split = digits.len() - MAX_DECIMALS;
            let (int, frac) = digits.split_at(split);
            d.int = String::from_utf8_lossy(int).into_owned();
            d.frac = String::from_utf8_lossy(frac).into_owned();
        }
        d.frac = d.frac.trim_end_matches('0').to_owned();
    }
    Some(Cow::Owned(d.render()))
}

/// True when both texts are decimals of the same value.
pub fn same_amount(a: &str, b: &str) -> bool {
    match (parse(a), parse(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// True for a decimal that is exactly zero.
pub fn is_zero(text: &str) -> bool {
    parse(text).is_some_and(|d| d.is_zero())
}

fn shorten(text: &str) -> String {
    text.chars().take(48).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::test_vectors::vectors;

    #[test]
    fn every_published_amount_case_formats_as_documented() {
        let v = vectors();
        let cases = v["amount_format"].as_array().expect("amount_format");
        assert!(cases.len() >= 10);
        for case in cases {
            let (input, want) = (case[0].as_str().unwrap(), case[1].as_str().unwrap());
            assert_eq!(format_amount(input).unwrap(), want, "input {input}");
            assert_eq!(
                format_callback_amount(input).unwrap(),
                want,
                "callback input {input}"
            );
        }
    }

    #[test]
    fn every_published_rejected_order_amount_is_refused() {
        let v = vectors();
        for case in v["order_amount_rejected"].as_array().unwrap() {
            let input = case.as_str().unwrap();
            let err = format_amount(input).unwrap_err();
            assert!(matches!(err, Error::Config(_)), "{input}: {err:?}");
        }
    }

    #[test]
    fn malformed_amounts_are_refused() {
        for bad in [
            ".5", "5.", ".", "+1", " 1", "1 ", "1.2.3", "0x10", "1_000", "١", "NaN", "inf",
        ] {
            assert!(format_amount(bad).is_err(), "{bad:?} accepted");
            assert!(
                format_callback_amount(bad).is_none(),
                "{bad:?} accepted in callback"
            );
        }
        assert!(format_amount(&"1".repeat(41)).is_err());
    }

    #[test]
    fn leading_zeros_and_trailing_zeros_are_canonicalised() {
        assert_eq!(format_amount("007.50").unwrap(), "7.5");
        assert_eq!(format_amount("1.123456780000").unwrap(), "1.12345678");
        assert_eq!(format_amount("0.000000010").unwrap(), "0.00000001");
    }

    #[test]
    fn order_amounts_must_be_positive() {
        assert!(format_positive_amount("0").is_err());
        assert!(format_positive_amount("0.00000000").is_err());
        assert_eq!(format_positive_amount("0.00000001").unwrap(), "0.00000001");
    }

    #[test]
    fn callback_amounts_round_half_up_to_eight_decimals() {
        let cases = [
            ("0.123456785", "0.12345679"),
            ("0.123456784999", "0.12345678"),
            ("0.999999995", "1.0"),
            ("9.999999999", "10.0"),
            ("99.000000004", "99.0"),
            ("1.100000005", "1.10000001"),
        ];
        for (input, want) in cases {
            assert_eq!(format_callback_amount(input).unwrap(), want, "{input}");
        }
    }

    #[test]
    fn same_amount_compares_values_not_text() {
        assert!(same_amount("12.30", "12.3"));
        assert!(same_amount("012.3", "12.300"));
        assert!(!same_amount("12.3", "12.31"));
        assert!(!same_amount("abc", "abc"));
        assert!(is_zero("0.000") && !is_zero("0.001"));
    }
}
