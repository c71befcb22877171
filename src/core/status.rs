//! SpectroCoin order status codes (legacy spec 1–6, current docs 10–21).

use crate::core::error::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Status {
    New,
    Pending,
    Paid,
    Failed,
    Expired,
    Test,
    LateCryptoPayment,
    PartialPayment,
    Underpaid,
    Cancelled,
    InvalidPayment,
    TestPaid,
    TestExpired,
    ProcessingRefund,
    Refunded,
    RejectedRefund,
    PendingLateCryptoPayment,
    Rejected,
}

const TABLE: [(Status, i64, &str); 18] = [
    (Status::New, 1, "NEW"),
    (Status::Pending, 2, "PENDING"),
    (Status::Paid, 3, "PAID"),
    (Status::Failed, 4, "FAILED"),
    (Status::Expired, 5, "EXPIRED"),
    (Status::Test, 6, "TEST"),
    (Status::LateCryptoPayment, 10, "LATE_CRYPTO_PAYMENT"),
    (Status::PartialPayment, 11, "PARTIAL_PAYMENT"),
    (Status::Underpaid, 12, "UNDERPAID"),
    (Status::Cancelled, 13, "CANCELLED"),
    (Status::InvalidPayment, 14, "INVALID_PAYMENT"),
    (Status::TestPaid, 15, "TEST_PAID"),
    (Status::TestExpired, 16, "TEST_EXPIRED"),
    (Status::ProcessingRefund, 17, "PROCESSING_REFUND"),
    (Status::Refunded, 18, "REFUNDED"),
    (Status::RejectedRefund, 19, "REJECTED_REFUND"),
    (
        Status::PendingLateCryptoPayment,
        20,
        "PENDING_LATE_CRYPTO_PAYMENT",
    ),
    (Status::Rejected, 21, "REJECTED"),
];

impl Status {
    pub fn all() -> impl Iterator<Item = Status> {
        TABLE.iter().map(|(s, _, _)| *s)
    }

    pub fn from_code(code: i64) -> Option<Status> {
        TABLE
            .iter()
            .find(|(_, c, _)| *c == code)
            .map(|(s, _, _)| *s)
    }

    pub fn from_name(name: &str) -> Option<Status> {
        TABLE
            .iter()
            .find(|(_, _, n)| n.eq_ignore_ascii_case(name))
            .map(|(s, _, _)| *s)
    }

    /// Parses a status as a callback carries it: a decimal code or a name.
    pub fn parse(text: &str) -> Result<Status> {
        let t = text.trim();
        let found = if !t.is_empty() && t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit()) {
            t.parse::<i64>().ok().and_then(Status::from_code)
        } else {
            Status::from_name(t)
        };
        found.ok_or_else(|| {
            let shown: String = t.chars().take(32).collect();
            Error::callback(format!("unknown SpectroCoin status {shown:?}"))
        })
    }

    pub fn code(self) -> i64 {
        TABLE
            .iter()
            .find(|(s, _, _)| *s == self)
            .map(|(_, c, _)| *c)
            .unwrap_or(0)
    }

    pub fn name(self) -> &'static str {
        TABLE
            .iter()
            .find(|(s, _, _)| *s == self)
            .map(|(_, _, n)| *n)
            .unwrap_or("UNKNOWN")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_through_its_name() {
        let codes: Vec<i64> = Status::all().map(Status::code).collect();
        assert_eq!(
            codes,
            vec![1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21]
        );
        for s in Status::all() {
            assert_eq!(Status::parse(&s.code().to_string()).unwrap(), s);
            assert_eq!(Status::parse(s.name()).unwrap(), s);
        }
        assert_eq!(Status::parse("3").unwrap().name(), "PAID");
        assert_eq!(Status::parse("expired").unwrap(), Status::Expired);
    }

    #[test]
    fn unknown_statuses_are_errors_not_panics() {
        for bad in [
            "0",
            "7",
            "9",
            "22",
            "-1",
            "",
            "3.0",
            "PAIDX",
            "99999999999999999999",
        ] {
            let err = Status::parse(bad).unwrap_err();
            assert!(matches!(err, Error::Callback(_)), "{bad:?}");
        }
    }
}
