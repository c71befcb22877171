// The body of the fuzz target `form_roundtrip` (see form_roundtrip.rs), included by it and by
// tests/fuzz_corpus.rs, which replays the committed seeds under `cargo test`.
use spectrocoin::core::form::{decode_form, encode_pairs, urlencode, MAX_BODY};

fuzz_target!(|data: &[u8]| {
    // 1. Arbitrary bytes through the decoder.
    if let Ok(pairs) = decode_form(data) {
        assert!(data.len() <= MAX_BODY);
        for (i, (n, _)) in pairs.iter().enumerate() {
            assert!(!n.is_empty());
            assert!(!pairs[..i].iter().any(|(m, _)| m == n), "duplicate {n:?} accepted");
        }
        let body = encode_pairs(pairs.iter().map(|(n, v)| (&**n, &**v)));
        assert_eq!(decode_form(body.as_bytes()).expect("canonical body decodes"), pairs);
    }
    // 2. The input as pairs (NUL-separated name, value, name, …) through the encoder.
    let text = String::from_utf8_lossy(data);
    let items: Vec<&str> = text.split('\0').collect();
    let mut pairs: Vec<(String, String)> = Vec::new();
    for chunk in items.chunks(2) {
        let name = chunk[0].to_owned();
        let value = chunk.get(1).copied().unwrap_or("").to_owned();
        if name.is_empty() || pairs.iter().any(|(n, _)| *n == name) {
            continue;
        }
        pairs.push((name, value));
    }
    let body = encode_pairs(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
    assert!(body
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b".-_+%&=".contains(&b)));
    if body.len() <= MAX_BODY {
        let decoded = decode_form(body.as_bytes()).expect("encoding decodes");
        let decoded: Vec<(String, String)> =
            decoded.into_iter().map(|(n, v)| (n.into_owned(), v.into_owned())).collect();
        assert_eq!(decoded, pairs);
    }
    // 3. Every encoded name and value is PHP's: kept bytes as they are, space as '+',
    // anything else as exactly one %XX, so its length follows from its bytes.
    for (n, v) in &pairs {
        for text in [n, v] {
            let want: usize = text
                .bytes()
                .map(|b| if b.is_ascii_alphanumeric() || b".-_ ".contains(&b) { 1 } else { 3 })
                .sum();
            assert_eq!(urlencode(text).len(), want, "{text:?}");
        }
    }
});
