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

    /// SpectroCoin reports money received for the order: paid (test payments too),
    /// partly, short or late. The decision credits it or holds it for review; an order
    /// of earlier settings in such a status is put up for review.
    pub fn money_received(self) -> bool {
        use Status::*;
        matches!(
            self,
            Paid | TestPaid
                | Underpaid
                | PartialPayment
                | LateCryptoPayment
                | PendingLateCryptoPayment
        )
    }

    pub fn name(self) -> &'static str {
        TABLE
            .iter()
            .find(|(s, _, _)| *s == self)
            .map(|(_, _, n)| *n)
            .unwrap_or("UNKNOWN")
    }
}

/// What our order row says about the order: created by us and not heard of
/// since, or the last SpectroCoin status a callback brought.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RowStatus {
    #[default]
    Created,
    Is(Status),
}

impl RowStatus {
    pub const CREATED: &'static str = "CREATED";

    /// The row's stored text (`CREATED` or a status name; empty means `CREATED`).
    pub fn parse(text: &str) -> Result<RowStatus> {
        let t = text.trim();
        if t.is_empty() || t.eq_ignore_ascii_case(Self::CREATED) {
            return Ok(RowStatus::Created);
        }
        Status::from_name(t).map(RowStatus::Is).ok_or_else(|| {
            let shown: String = t.chars().take(32).collect();
            Error::config(format!("unknown order status {shown:?} in the order row"))
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            RowStatus::Created => Self::CREATED,
            RowStatus::Is(s) => s.name(),
        }
    }

    pub fn is(self, status: Status) -> bool {
        self == RowStatus::Is(status)
    }
}

/// A WHMCS invoice status, as the decision needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvoiceStatus {
    Unpaid,
    PaymentPending,
    Paid,
    Cancelled,
    Refunded,
    Collections,
    Draft,
    /// The invoice row is gone.
    Deleted,
    /// A status this module does not know (a newer WHMCS): never payable.
    Other,
}

const INVOICE_NAMES: [(InvoiceStatus, &str); 8] = [
    (InvoiceStatus::Unpaid, "Unpaid"),
    (InvoiceStatus::PaymentPending, "Payment Pending"),
    (InvoiceStatus::Paid, "Paid"),
    (InvoiceStatus::Cancelled, "Cancelled"),
    (InvoiceStatus::Refunded, "Refunded"),
    (InvoiceStatus::Collections, "Collections"),
    (InvoiceStatus::Draft, "Draft"),
    (InvoiceStatus::Deleted, "Deleted"),
];

impl InvoiceStatus {
    /// WHMCS's spelling (`tblinvoices.status`); anything else is `Other`.
    pub fn parse(text: &str) -> InvoiceStatus {
        INVOICE_NAMES
            .iter()
            .find(|(_, n)| *n == text)
            .map(|(s, _)| *s)
            .unwrap_or(InvoiceStatus::Other)
    }

    pub fn name(self) -> &'static str {
        INVOICE_NAMES
            .iter()
            .find(|(s, _)| *s == self)
            .map(|(_, n)| *n)
            .unwrap_or("Other")
    }

    /// May still take a payment (addInvoicePayment applies it).
    pub fn payable(self) -> bool {
        matches!(
            self,
            InvoiceStatus::Unpaid | InvoiceStatus::PaymentPending | InvoiceStatus::Collections
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_received_names_the_paid_partial_short_and_late_statuses() {
        let money: Vec<&str> = Status::all()
            .filter(|s| s.money_received())
            .map(Status::name)
            .collect();
        assert_eq!(
            money,
            [
                "PAID",
                "LATE_CRYPTO_PAYMENT",
                "PARTIAL_PAYMENT",
                "UNDERPAID",
                "TEST_PAID",
                "PENDING_LATE_CRYPTO_PAYMENT"
            ]
        );
    }

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
    fn row_and_invoice_statuses_round_trip() {
        assert_eq!(RowStatus::parse("").unwrap(), RowStatus::Created);
        assert_eq!(RowStatus::parse("CREATED").unwrap(), RowStatus::Created);
        for s in Status::all() {
            assert_eq!(RowStatus::parse(s.name()).unwrap(), RowStatus::Is(s));
            assert_eq!(RowStatus::Is(s).name(), s.name());
        }
        assert!(matches!(RowStatus::parse("3"), Err(Error::Config(_))));
        for (s, n) in INVOICE_NAMES {
            assert_eq!((InvoiceStatus::parse(n), s.name()), (s, n));
        }
        assert_eq!(InvoiceStatus::parse("unpaid"), InvoiceStatus::Other);
        assert!(!InvoiceStatus::Other.payable() && InvoiceStatus::Collections.payable());
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
