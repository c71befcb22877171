//! Replays the committed fuzz seeds (fuzz/seeds/<target>/) through each fuzz target's own
//! oracles, deterministically, under `cargo test`: the targets' bodies are included as they
//! are, with `fuzz_target!` turned into a plain function.

use std::path::Path;

macro_rules! fuzz_target {
    (|$data:ident: &[u8]| $body:block) => {
        pub fn run($data: &[u8]) $body
    };
}

macro_rules! targets {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                include!(concat!("../fuzz/fuzz_targets/check_", stringify!($name), ".rs"));
            }
        )*

        #[test]
        fn every_committed_seed_passes_its_targets_oracles() {
            let replayed = vec![
                $((stringify!($name), replay(stringify!($name), $name::run)),)*
            ];
            for (name, n) in &replayed {
                assert!(*n > 0, "no seeds for fuzz target {name}");
            }
            eprintln!("replayed: {replayed:?}");
        }
    };
}

targets!(
    amount_format,
    callback_verify,
    create_order_answer,
    fetched_order,
    form_roundtrip,
    json_callback,
    oauth_token,
    pem_keys,
);

/// Runs every seed of `target` (sorted, so failures are reproducible); the count run.
fn replay(target: &str, run: fn(&[u8])) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let mut seeds: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    seeds.sort();
    for seed in &seeds {
        let data = std::fs::read(seed).unwrap();
        if std::panic::catch_unwind(|| run(&data)).is_err() {
            panic!("fuzz target {target} fails on seed {}", seed.display());
        }
    }
    seeds.len()
}
