//! Inputs the fuzz targets (fuzz/) found, kept as regression tests.
//! Each names the target that found it and what was wrong.

use spectrocoin::core::amount::{format_amount, format_callback_amount};
use spectrocoin::core::current::{parse_time_ms, CurrentOrder};

/// fuzz target `create_order_answer`: a multi-byte character in the
/// timezone offset of `validUntil` made `parse_time_ms` slice inside a
/// character and panic (a PHP `\Error` "Rust panic" on Pay Now). It must
/// simply be unreadable.
#[test]
fn valid_until_with_a_multibyte_offset_is_unreadable_not_a_panic() {
    for t in [
        "2026-11-26T07:30:00+a\u{e9}00",
        "2026-11-26T07:30:00+\u{e9}:00",
        "2026-11-26T07:30:00\u{e9}\u{e9}\u{e9}",
        "2026-11-26T07:30:00.5-0\u{e9}00",
        "2026-11-26T07:30:00+-1:00",
    ] {
        assert_eq!(parse_time_ms(t), None, "{t:?}");
    }
    assert_eq!(
        parse_time_ms("2026-11-26T09:30:00.5+02:00"),
        Some(1_795_678_200_500)
    );
    let answer: serde_json::Value = serde_json::from_str(
        r#"{"preOrderId":"p-1","orderId":"7-1","validUntil":"2026-11-26T07:30:00+a\u00e900",
            "receiveAmount":"12.30","receiveCurrencyCode":"EUR","redirectUrl":"https://spectrocoin.com/x"}"#,
    )
    .unwrap();
    let o = CurrentOrder::from_create(&answer).unwrap();
    assert_eq!(o.response.valid_until, None);
}

/// fuzz target `amount_format`: an amount of 40 integer digits was accepted
/// and formatted to 42 characters, which the same formatter (and the
/// callback path, when SpectroCoin echoes the amount back) then refused.
/// Whatever is accepted must format to something that is accepted again.
#[test]
fn every_accepted_amount_formats_to_an_accepted_amount() {
    for digits in 36..=41 {
        for text in ["1".repeat(digits), format!("{}.5", "1".repeat(digits - 2))] {
            if let Ok(f) = format_amount(&text) {
                assert_eq!(format_amount(&f).as_deref(), Ok(f.as_str()), "{text}");
                assert_eq!(
                    format_callback_amount(&f).as_deref(),
                    Some(f.as_str()),
                    "{text}"
                );
            }
        }
    }
    assert!(format_amount(&"1".repeat(38)).is_ok());
}
