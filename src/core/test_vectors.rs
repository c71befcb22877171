//! The shared SpectroCoin vectors, for tests.
use serde_json::Value;

pub fn vectors() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/vectors/spectrocoin-vectors.json"
    );
    let text = std::fs::read_to_string(path).expect("vectors file");
    serde_json::from_str(&text).expect("vectors json")
}
