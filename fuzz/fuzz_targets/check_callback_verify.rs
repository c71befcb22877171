// The body of the fuzz target `callback_verify` (see callback_verify.rs), included by it and by
// tests/fuzz_corpus.rs, which replays the committed seeds under `cargo test`.
use spectrocoin::core::callback::verify_callback;
use spectrocoin::core::form::{decode_form, encode_pairs};
use spectrocoin::core::ids::MerchantIds;
use spectrocoin::core::merchant::MerchantConfig;

include!("common.rs");

fuzz_target!(|data: &[u8]| {
    let numeric = MerchantIds::new("169", "3").unwrap();
    let uuids = MerchantIds::new(
        "1a2b3c4d-0000-4000-8000-1234567890ab",
        "9f1c2d3e-1111-4222-8333-444455556666",
    )
    .unwrap();
    for ids in [&numeric, &uuids] {
        let Ok(cb) = verify_callback(data, ids, common::v1_key()) else { continue };
        let fields: Vec<(String, String)> =
            cb.fields.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect();
        assert_eq!(fields, common::v1_fields(), "a forged callback verified");
        for n in ["payAmount", "receiveAmount", "receivedAmount"] {
            assert!(common::is_canonical_amount(cb.get(n)), "{n}={:?}", cb.get(n));
        }
        // Canonical re-encoding (plus the unsigned fields) verifies to the same.
        let pairs = decode_form(data).expect("verified body decodes");
        let extra: Vec<(&str, &str)> = pairs
            .iter()
            .filter(|(n, _)| !fields.iter().any(|(f, _)| f == n))
            .map(|(n, v)| (&**n, &**v))
            .collect();
        let canonical = encode_pairs(
            cb.fields.iter().map(|(n, v)| (*n, &**v)).chain(extra.iter().copied()),
        );
        let again = verify_callback(canonical.as_bytes(), ids, common::v1_key())
            .expect("canonical re-encoding of a verified callback verifies");
        assert_eq!(again, cb);
    }
    // The merchant path with an explicit key (per-process key cache).
    let mut m = MerchantConfig::new("169", "3");
    m.public_key_pem = Some(common::v1_key_pem().into());
    if let Ok(cb) = m.verify_callback(data) {
        assert_eq!(cb.get("orderId"), "275");
    }
});
