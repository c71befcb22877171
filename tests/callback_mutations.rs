//! Property: every mutation of a validly signed legacy callback is rejected,
//! unless it leaves the decoded signed fields (and the signature) unchanged —
//! then it must still verify.
//!
//! Bases: V1 (really signed by SpectroCoin) and callbacks signed here with a
//! key generated for this test. Mutations: each signed field changed (several
//! ways), each field dropped, duplicated (same or other value), fields
//! reordered, names and values re-encoded, unsigned fields added, raw bytes
//! inserted; then thousands of random compositions of those.
//!
//! The expectation comes from an independent model (a strict form decoder and
//! the `0.0#######` rule written here again), not from the code under test.

use openssl::pkey::Private;
use openssl::rsa::Rsa;
use spectrocoin::core::callback::{verify_callback, SIGNED_FIELDS};
use spectrocoin::core::form::decode_form;
use spectrocoin::core::ids::MerchantIds;
use spectrocoin::core::keys::parse_public_key;
use spectrocoin::core::signature::sign;

fn vectors() -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/vectors/spectrocoin-vectors.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

// ---------------------------------------------------------------- the model

/// PHP urlencode, written again.
fn enc(s: &str) -> String {
    let mut out = String::new();
    for &b in s.as_bytes() {
        if b.is_ascii_alphanumeric() || b"._-".contains(&b) {
            out.push(b as char);
        } else if b == b' ' {
            out.push('+');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn dec(raw: &[u8]) -> Option<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let h = std::str::from_utf8(raw.get(i + 1..i + 3)?).ok()?;
                if !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return None;
                }
                out.push(u8::from_str_radix(h, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// The strict decoding the verifier promises: `None` for a body it must refuse
/// whatever the signature (bad escapes, non-UTF-8, empty or duplicate names).
fn model_decode(body: &[u8]) -> Option<Vec<(String, String)>> {
    if body.len() > 64 * 1024 {
        return None;
    }
    let mut pairs: Vec<(String, String)> = Vec::new();
    if body.split(|b| *b == b'&').filter(|s| !s.is_empty()).count() > 256 {
        return None;
    }
    for seg in body.split(|b| *b == b'&').filter(|s| !s.is_empty()) {
        let (n, v) = match seg.iter().position(|b| *b == b'=') {
            Some(i) => (&seg[..i], &seg[i + 1..]),
            None => (seg, &seg[..0]),
        };
        let (n, v) = (dec(n)?, dec(v)?);
        if n.is_empty() || pairs.iter().any(|(m, _)| *m == n) {
            return None;
        }
        pairs.push((n, v));
    }
    Some(pairs)
}

/// `0.0#######`, rounding half up past eight decimals; `None` if not a plain decimal.
fn model_amount(s: &str) -> Option<String> {
    let (i, f) = match s.split_once('.') {
        Some((i, f)) if !f.is_empty() => (i, f),
        Some(_) => return None,
        None => (s, ""),
    };
    if s.len() > 40 || i.is_empty() || !(i.bytes().chain(f.bytes())).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let i = i.trim_start_matches('0');
    if i.len() > 20 {
        return None; // not generated here
    }
    let mut units: u128 = if i.is_empty() { 0 } else { i.parse().ok()? };
    let mut frac8 = format!("{f:0<8}");
    let round_up = frac8.len() > 8 && frac8.as_bytes()[8] >= b'5';
    frac8.truncate(8);
    units = units * 100_000_000 + frac8.parse::<u128>().ok()? + u128::from(round_up);
    let frac = format!("{:08}", units % 100_000_000);
    let frac = frac.trim_end_matches('0');
    Some(format!(
        "{}.{}",
        units / 100_000_000,
        if frac.is_empty() { "0" } else { frac }
    ))
}

/// The facts a body carries under the model: canonical signed fields and the
/// signature text; `None` when it must be refused before any signature check.
fn model_facts(body: &[u8]) -> Option<(Vec<String>, String)> {
    let pairs = model_decode(body)?;
    let get = |n: &str| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
    let mut signed = Vec::new();
    for n in SIGNED_FIELDS {
        let v = get(n)?;
        signed.push(if n.ends_with("Amount") {
            model_amount(&v)?
        } else {
            v
        });
    }
    // A '+' that arrived unencoded in the Base64 decodes to a space.
    let sig = get("sign")?.replace(' ', "+").replace(['\r', '\n'], "");
    Some((signed, sig))
}

// ---------------------------------------------------------------- the bases

struct Base {
    name: String,
    fields: Vec<(String, String)>, // signed fields, canonical, in signing order
    sign: String,
    key: Rsa<openssl::pkey::Public>,
    ids: MerchantIds<'static>,
}

impl Base {
    fn segments(&self) -> Vec<(String, String)> {
        let mut s: Vec<(String, String)> =
            self.fields.iter().map(|(n, v)| (enc(n), enc(v))).collect();
        s.push(("sign".into(), enc(&self.sign)));
        s
    }
    fn facts(&self) -> (Vec<String>, String) {
        (
            self.fields.iter().map(|(_, v)| v.clone()).collect(),
            self.sign.clone(),
        )
    }
}

fn join(segs: &[(String, String)]) -> String {
    segs.iter()
        .map(|(n, v)| format!("{n}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn v1() -> Base {
    let v = vectors();
    let cb = &v["callbacks"][0];
    Base {
        name: "V1".into(),
        fields: SIGNED_FIELDS
            .iter()
            .map(|n| {
                let raw = cb["fields"][n].as_str().unwrap();
                let val = if n.ends_with("Amount") {
                    model_amount(raw).unwrap()
                } else {
                    raw.to_owned()
                };
                (n.to_string(), val)
            })
            .collect(),
        sign: cb["sign"].as_str().unwrap().to_owned(),
        key: parse_public_key(v["spectrocoin_callback_public_key_pem"].as_str().unwrap()).unwrap(),
        ids: MerchantIds::new("169", "3").unwrap(),
    }
}

fn self_signed(key: &Rsa<Private>, name: &str, changes: &[(&str, &str)]) -> Base {
    let mut fields: Vec<(String, String)> = [
        ("merchantId", "25"),
        ("apiId", "74"),
        ("orderId", "7-1"),
        ("payCurrency", "BTC"),
        ("payAmount", "0.00024699"),
        ("receiveCurrency", "EUR"),
        ("receiveAmount", "12.3"),
        ("receivedAmount", "0.0"),
        ("description", "Invoice #7"),
        ("orderRequestId", "1234567"),
        ("status", "3"),
    ]
    .iter()
    .map(|(n, v)| (n.to_string(), v.to_string()))
    .collect();
    for (n, v) in changes {
        fields.iter_mut().find(|(k, _)| k == n).unwrap().1 = v.to_string();
    }
    let signed = fields
        .iter()
        .map(|(n, v)| format!("{}={}", enc(n), enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    let sign = sign(signed.as_bytes(), key).unwrap();
    let public =
        Rsa::from_public_components(key.n().to_owned().unwrap(), key.e().to_owned().unwrap())
            .unwrap();
    Base {
        name: name.into(),
        fields,
        sign,
        key: public,
        ids: MerchantIds::new("25", "74").unwrap(),
    }
}

fn bases() -> Vec<Base> {
    // A throwaway key made for this test run: nothing private is committed.
    let key = Rsa::generate(2048).unwrap();
    vec![
        v1(),
        self_signed(&key, "paid", &[]),
        self_signed(
            &key,
            "html+non-ASCII description",
            &[(
                "description",
                "Tom & Jerry's <b>\"café\"</b> 100% * ~ + = ąžė €",
            )],
        ),
        self_signed(&key, "empty description", &[("description", "")]),
        self_signed(
            &key,
            "pending, 8 decimals",
            &[
                ("status", "2"),
                ("receivedAmount", "0.00012345"),
                ("receiveAmount", "99999999999.99"),
            ],
        ),
        self_signed(
            &key,
            "expired, empty orderId",
            &[("status", "5"), ("orderId", "")],
        ),
    ]
}

// ---------------------------------------------------------------- checking

struct Tally {
    checked: usize,
    verified: usize,
    rejected: usize,
}

/// Verifies `body` and checks the outcome against the model.
fn check(base: &Base, body: &str, what: &str, tally: &mut Tally) {
    let expect_ok = model_facts(body.as_bytes()).is_some_and(|f| f == base.facts());
    let got = verify_callback(body.as_bytes(), &base.ids, &base.key);
    tally.checked += 1;
    match (&got, expect_ok) {
        (Ok(cb), true) => {
            tally.verified += 1;
            let got: Vec<(String, String)> = cb
                .fields
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect();
            assert_eq!(got, base.fields, "{}: {what}: fields differ", base.name);
        }
        (Err(_), false) => tally.rejected += 1,
        (Ok(_), false) => panic!(
            "{}: {what}: ACCEPTED a mutation that changes the signed fields\n  body: {body}",
            base.name
        ),
        (Err(e), true) => panic!(
            "{}: {what}: REFUSED a mutation that keeps the signed fields ({e})\n  body: {body}",
            base.name
        ),
    }
}

/// Other values for a field: some change it, some only re-spell it.
fn alternatives(name: &str, value: &str) -> Vec<String> {
    let mut alts = vec![
        format!("{value}x"),
        format!("x{value}"),
        format!(" {value}"),
        format!("{value} "),
        String::new(),
        value.to_uppercase(),
        value.to_lowercase(),
        format!("{value}\u{0}"),
        format!("{value}é"),
    ];
    if let Some(stripped) = value.get(1..) {
        alts.push(stripped.to_owned());
    }
    if let Ok(n) = value.parse::<u64>() {
        alts.extend([
            (n + 1).to_string(),
            n.saturating_sub(1).to_string(),
            format!("0{n}"),
        ]);
    }
    if name.ends_with("Amount") {
        alts.extend([
            format!("{value}0"),         // same value
            format!("00{value}"),        // same value
            format!("{value}000000001"), // beyond 8 decimals, rounds away
            format!("{value}000000005"), // rounds up: another value
            format!("{value}1"),
            value.trim_end_matches(".0").to_owned(), // "20.0" ⇒ "20": same value
            format!("-{value}"),
            format!("{value}e0"),
            value.replace('.', ","),
        ]);
    }
    alts.retain(|a| a != value);
    alts
}

/// Percent-encodes every byte of an (already decoded) value: same value, other bytes.
fn over_encode(s: &str, lower: bool) -> String {
    s.bytes()
        .map(|b| {
            if lower {
                format!("%{b:02x}")
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn systematic_mutations_are_rejected_unless_the_signed_fields_are_unchanged() {
    let mut t = Tally {
        checked: 0,
        verified: 0,
        rejected: 0,
    };
    for base in bases() {
        let segs = base.segments();
        check(&base, &join(&segs), "unmutated", &mut t);
        for (i, (name, _)) in base.fields.iter().enumerate() {
            let value = &base.fields[i].1;
            // changed
            for alt in alternatives(name, value) {
                let mut m = segs.clone();
                m[i].1 = enc(&alt);
                check(&base, &join(&m), &format!("{name}={alt:?}"), &mut t);
            }
            // re-encoded (same decoded value): every byte escaped, lower-case hex, %20 for space
            for lower in [false, true] {
                let mut m = segs.clone();
                m[i].1 = over_encode(value, lower);
                check(&base, &join(&m), &format!("{name} over-encoded"), &mut t);
                let mut m = segs.clone();
                m[i].0 = over_encode(name, lower);
                check(
                    &base,
                    &join(&m),
                    &format!("name {name} over-encoded"),
                    &mut t,
                );
            }
            let mut m = segs.clone();
            m[i].1 = m[i].1.replace('+', "%20");
            check(&base, &join(&m), &format!("{name} %20"), &mut t);
            // '+' literal vs %2B, double encoding: other values
            let mut m = segs.clone();
            m[i].1 = enc(&enc(value));
            check(&base, &join(&m), &format!("{name} double-encoded"), &mut t);
            let mut m = segs.clone();
            m[i].1 = m[i].1.replace("%2B", "+").replace('+', "%2B");
            check(&base, &join(&m), &format!("{name} + as %2B"), &mut t);
            // name case changed ⇒ the field is gone
            let mut m = segs.clone();
            m[i].0 = name.to_uppercase();
            check(&base, &join(&m), &format!("{name} upper-cased"), &mut t);
        }
        for i in 0..segs.len() {
            // dropped
            let mut m = segs.clone();
            m.remove(i);
            check(&base, &join(&m), &format!("drop {}", segs[i].0), &mut t);
            // duplicated, same value and another value, before and after
            for (pos, val) in [
                (0, segs[i].1.clone()),
                (segs.len(), segs[i].1.clone()),
                (segs.len(), enc("1")),
            ] {
                let mut m = segs.clone();
                m.insert(pos, (segs[i].0.clone(), val));
                check(
                    &base,
                    &join(&m),
                    &format!("duplicate {}", segs[i].0),
                    &mut t,
                );
            }
            // bare name, empty value
            let mut m = segs.clone();
            let bare = m[i].0.clone();
            m.remove(i);
            let body = format!("{}&{bare}", join(&m));
            check(&base, &body, &format!("bare {bare}"), &mut t);
            // moved to every other position
            for j in 0..segs.len() {
                let mut m = segs.clone();
                let s = m.remove(i);
                m.insert(j, s);
                check(&base, &join(&m), &format!("move {i}→{j}"), &mut t);
            }
        }
        // reordered
        let mut rev = segs.clone();
        rev.reverse();
        check(&base, &join(&rev), "reversed", &mut t);
        // unsigned additions and empty segments
        for extra in [
            "userId=1a2b3c4d-0000-4000-8000-1234567890ab&merchantApiId=9f1c2d3e-1111-4222-8333-444455556666",
            "payerEmail=x%40y.z&payerName=%3Cscript%3E",
            "Sign=AAAA",
            "&&",
            "signature=x",
        ] {
            check(&base, &format!("{}&{extra}", join(&segs)), extra, &mut t);
            check(&base, &format!("{extra}&{}", join(&segs)), extra, &mut t);
        }
        // the signature itself: a character changed, truncated, padding dropped, doubled
        let sig_at = |m: &mut Vec<(String, String)>, s: String| {
            m.last_mut().unwrap().1 = s;
        };
        for (what, s) in [
            ("sign char flipped", {
                let mut c: Vec<char> = base.sign.chars().collect();
                c[10] = if c[10] == 'A' { 'B' } else { 'A' };
                enc(&c.into_iter().collect::<String>())
            }),
            ("sign truncated", enc(&base.sign[..base.sign.len() - 4])),
            ("sign padding dropped", enc(base.sign.trim_end_matches('='))),
            ("sign doubled", enc(&format!("{0}{0}", base.sign))),
            ("sign raw +", base.sign.clone()), // unencoded: '+' decodes to space
            ("sign of another callback", enc(&v1().sign)),
        ] {
            let mut m = segs.clone();
            sig_at(&mut m, s);
            check(&base, &join(&m), what, &mut t);
        }
    }
    eprintln!(
        "systematic: {} mutations checked, {} verified (signed fields unchanged), {} rejected",
        t.checked, t.verified, t.rejected
    );
    assert!(t.checked > 1500 && t.verified > 100 && t.rejected > 1000);
}

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn random_compositions_of_mutations_agree_with_the_model() {
    let seed: u64 = std::env::var("MUTATION_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_c0ffee);
    let rounds: usize = std::env::var("MUTATION_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3000);
    let mut rng = Rng(seed | 1);
    let mut t = Tally {
        checked: 0,
        verified: 0,
        rejected: 0,
    };
    let junk = [
        "%", "%2", "%zz", "%FF", "%C3", "&", "=", "+", "%20", "%00", "é", "\u{feff}", "%25",
    ];
    for base in bases() {
        let segs = base.segments();
        for round in 0..rounds {
            let mut m = segs.clone();
            let ops = 1 + rng.below(3);
            let mut raw_tail = String::new();
            for _ in 0..ops {
                let i = rng.below(m.len().max(1));
                match rng.below(9) {
                    0 if !m.is_empty() => {
                        m.remove(i);
                    }
                    1 if !m.is_empty() => {
                        let s = m[i].clone();
                        let j = rng.below(m.len() + 1);
                        m.insert(j, s);
                    }
                    2 if m.len() > 1 => {
                        let j = rng.below(m.len());
                        m.swap(i, j);
                    }
                    3 if !m.is_empty() => {
                        let decoded = dec(m[i].1.as_bytes()).unwrap_or_default();
                        m[i].1 = over_encode(&decoded, rng.below(2) == 0);
                    }
                    4 if !m.is_empty() => {
                        let decoded = dec(m[i].1.as_bytes()).unwrap_or_default();
                        let name = dec(m[i].0.as_bytes()).unwrap_or_default();
                        let alts = alternatives(&name, &decoded);
                        m[i].1 = enc(&alts[rng.below(alts.len())]);
                    }
                    5 if !m.is_empty() => {
                        let v = &mut m[i].1;
                        let at = rng.below(v.len() + 1);
                        if v.is_char_boundary(at) {
                            v.insert_str(at, junk[rng.below(junk.len())]);
                        }
                    }
                    6 => m.push((
                        ["userId", "payerEmail", "x", "merchantApiId"][rng.below(4)].into(),
                        enc("<b>&amp;</b>"),
                    )),
                    7 => raw_tail.push_str(junk[rng.below(junk.len())]),
                    _ => {
                        let j = rng.below(m.len().max(1));
                        if j < m.len() && i < m.len() {
                            let s = m.remove(i);
                            m.insert(j.min(m.len()), s);
                        }
                    }
                }
            }
            let body = format!("{}{raw_tail}", join(&m));
            check(
                &base,
                &body,
                &format!("random #{round} (seed {seed})"),
                &mut t,
            );
        }
    }
    eprintln!(
        "random: {} mutations checked, {} verified, {} rejected (seed {seed:#x})",
        t.checked, t.verified, t.rejected
    );
    assert!(t.verified > 100 && t.rejected > 1000);
}

#[test]
fn a_genuine_callback_for_another_merchant_is_refused() {
    let b = v1();
    let body = join(&b.segments());
    for (m, p) in [("169", "4"), ("170", "3"), ("25", "74")] {
        assert!(
            verify_callback(body.as_bytes(), &MerchantIds::new(m, p).unwrap(), &b.key).is_err()
        );
    }
    // UUID merchants are matched on the unsigned userId/merchantApiId: a changed one is foreign.
    let uuids = MerchantIds::new(
        "1a2b3c4d-0000-4000-8000-1234567890ab",
        "9f1c2d3e-1111-4222-8333-444455556666",
    )
    .unwrap();
    let ours = format!("{body}&userId=1a2b3c4d-0000-4000-8000-1234567890ab&merchantApiId=9f1c2d3e-1111-4222-8333-444455556666");
    assert!(verify_callback(ours.as_bytes(), &uuids, &b.key).is_ok());
    let theirs = ours.replace("8000-1234567890ab", "8000-1234567890ac");
    assert!(verify_callback(theirs.as_bytes(), &uuids, &b.key).is_err());
}

/// The form decoder itself against the model's strict decoding, on generated bodies
/// full of delimiters, escapes good and bad, and raw UTF-8 good and bad.
#[test]
fn the_form_decoder_agrees_with_the_model_on_generated_bodies() {
    let pieces: [&[u8]; 18] = [
        b"-.",
        b" /\x7f",
        b"a",
        b"b",
        b"sign",
        b"=",
        b"&",
        b"+",
        b"%",
        b"%2B",
        b"%2f",
        b"%4",
        b"%zz",
        b"%C3%A9",
        b"\xc3\xa9",
        b"\xff",
        b"==",
        b"x9",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut agreed = (0, 0);
    for _ in 0..20_000 {
        let mut body = Vec::new();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut r = seed;
        for _ in 0..(r % 9) {
            r = r.rotate_left(7) ^ 0x2545_f491_4f6c_dd1d;
            body.extend_from_slice(pieces[(r % pieces.len() as u64) as usize]);
        }
        let got = decode_form(&body).ok().map(|p| {
            p.into_iter()
                .map(|(n, v)| (n.into_owned(), v.into_owned()))
                .collect::<Vec<_>>()
        });
        assert_eq!(
            got,
            model_decode(&body),
            "{:?}",
            String::from_utf8_lossy(&body)
        );
        if got.is_some() {
            agreed.0 += 1
        } else {
            agreed.1 += 1
        }
    }
    // Both outcomes were exercised.
    assert!(agreed.0 > 1000 && agreed.1 > 1000, "{agreed:?}");
}
