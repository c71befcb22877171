//! Pay Now's reuse rule: whether the customer is sent back to an order we already
//! created for the invoice instead of a new one.

use crate::core::amount::same_amount;
use crate::core::status::{RowStatus, Status};

/// An order we stored, as Pay Now sees it when deciding whether to reuse it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoredOrder {
    /// The row's status; `None` for a text that is no status (never reused).
    pub status: Option<RowStatus>,
    pub credited: bool,
    pub needs_review: bool,
    pub has_redirect: bool,
    pub valid_until_ms: Option<i64>,
    pub receive_amount: String,
    pub receive_currency: String,
    pub invoice_amount: String,
}

/// The customer must have at least this long left to pay a reused order.
pub const REUSE_MARGIN_MS: i64 = 5 * 60 * 1000;

/// Whether Pay Now should send the customer back to this order rather than
/// create another: same amounts and currency, not paid, not under review, and
/// either still open with time left, or already PENDING (money is on its way:
/// a second order would invite a second payment).
pub fn order_reusable(
    o: &StoredOrder,
    receive_amount: &str,
    receive_currency: &str,
    invoice_amount: &str,
    now_ms: i64,
) -> bool {
    let same = same_amount(&o.receive_amount, receive_amount)
        && o.receive_currency.eq_ignore_ascii_case(receive_currency)
        && same_amount(&o.invoice_amount, invoice_amount);
    if !same || o.credited || o.needs_review || !o.has_redirect {
        return false;
    }
    match o.status {
        Some(RowStatus::Created | RowStatus::Is(Status::New)) => o
            .valid_until_ms
            .is_some_and(|v| v - now_ms >= REUSE_MARGIN_MS),
        Some(RowStatus::Is(Status::Pending)) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pay_now_reuses_only_a_matching_open_order_with_time_left() {
        let now = 1_000_000_000_000;
        let open = StoredOrder {
            status: Some(RowStatus::Created),
            has_redirect: true,
            valid_until_ms: Some(now + REUSE_MARGIN_MS + 1),
            receive_amount: "12.30000000".into(),
            receive_currency: "EUR".into(),
            invoice_amount: "12.30".into(),
            ..Default::default()
        };
        assert!(order_reusable(&open, "12.3", "EUR", "12.3", now));
        let new = StoredOrder {
            status: Some(RowStatus::Is(Status::New)),
            ..open.clone()
        };
        assert!(
            order_reusable(&new, "12.3", "EUR", "12.3", now),
            "NEW is open too"
        );
        let cases: Vec<(StoredOrder, &str)> = vec![
            (
                StoredOrder {
                    valid_until_ms: Some(now + REUSE_MARGIN_MS - 1),
                    ..open.clone()
                },
                "about to expire",
            ),
            (
                StoredOrder {
                    valid_until_ms: None,
                    ..open.clone()
                },
                "no expiry known",
            ),
            (
                StoredOrder {
                    status: Some(RowStatus::Is(Status::Expired)),
                    ..open.clone()
                },
                "expired",
            ),
            (
                StoredOrder {
                    status: None,
                    ..open.clone()
                },
                "a status we do not know",
            ),
            (
                StoredOrder {
                    status: Some(RowStatus::Is(Status::Paid)),
                    ..open.clone()
                },
                "paid",
            ),
            (
                StoredOrder {
                    credited: true,
                    ..open.clone()
                },
                "credited",
            ),
            (
                StoredOrder {
                    needs_review: true,
                    ..open.clone()
                },
                "review",
            ),
            (
                StoredOrder {
                    has_redirect: false,
                    ..open.clone()
                },
                "no redirect",
            ),
            (
                StoredOrder {
                    receive_amount: "12.31".into(),
                    ..open.clone()
                },
                "other amount",
            ),
            (
                StoredOrder {
                    receive_currency: "USD".into(),
                    ..open.clone()
                },
                "other currency",
            ),
            (
                StoredOrder {
                    invoice_amount: "10.00".into(),
                    ..open.clone()
                },
                "balance changed",
            ),
        ];
        for (o, why) in cases {
            assert!(!order_reusable(&o, "12.3", "EUR", "12.3", now), "{why}");
        }
        let pending = StoredOrder {
            status: Some(RowStatus::Is(Status::Pending)),
            valid_until_ms: Some(now - 1),
            ..open
        };
        assert!(
            order_reusable(&pending, "12.3", "EUR", "12.3", now),
            "a payment in flight is reused"
        );
    }
}
