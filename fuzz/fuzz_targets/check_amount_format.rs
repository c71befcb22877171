// The body of the fuzz target `amount_format` (see amount_format.rs), included by it and by
// tests/fuzz_corpus.rs, which replays the committed seeds under `cargo test`.
use spectrocoin::core::amount::{
    format_amount, format_callback_amount, format_positive_amount, is_zero, same_amount,
};

include!("common.rs");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let order = format_amount(text);
    let callback = format_callback_amount(text);
    if let Ok(f) = &order {
        assert!(common::is_canonical_amount(f), "{text:?} ⇒ {f:?}");
        assert_eq!(format_amount(f).as_ref(), Ok(f), "not a fixed point");
        assert_eq!(callback.as_deref(), Some(f.as_str()), "order and callback paths disagree");
        assert!(same_amount(text, f));
        assert_eq!(is_zero(text), f == "0.0");
        assert_eq!(format_positive_amount(text).is_ok(), f != "0.0");
        // Every plain decimal has exactly these characters.
        assert!(text.bytes().all(|b| b.is_ascii_digit() || b == b'.'));
    } else {
        assert!(format_positive_amount(text).is_err());
    }
    if let Some(c) = &callback {
        assert!(common::is_canonical_amount(c), "{text:?} ⇒ {c:?}");
        assert_eq!(format_callback_amount(c).as_deref(), Some(&**c));
        // The input is borrowed exactly when it already was the canonical form.
        assert_eq!(matches!(c, std::borrow::Cow::Borrowed(_)), *c == text, "{text:?}");
        assert_eq!(format_amount(c).as_deref(), Ok(&**c), "callback output refused by the order path");
    } else {
        assert!(order.is_err());
        assert!(!is_zero(text));
    }
    // Split the input in two: same_amount is symmetric and agrees with formatting.
    if let Some((a, b)) = text.split_once('|') {
        assert_eq!(same_amount(a, b), same_amount(b, a));
        if let (Ok(x), Ok(y)) = (format_amount(a), format_amount(b)) {
            assert_eq!(same_amount(a, b), x == y, "{a:?} {b:?}");
        }
    }
});
