//! What a verified callback does to our order row and the WHMCS invoice.
//!
//! Pure: the module reads the order row and the invoice under a lock, asks
//! here, and executes the answer: the decision names every effect (the payment
//! to apply, the invoice move, the row fields to write), so the module derives
//! nothing from action names. The table of outcomes is `decision_table.txt`.

use crate::core::amount::same_amount;
use crate::core::error::{Error, Result};
use crate::core::ids::is_numeric_id;
use crate::core::status::{InvoiceStatus, RowStatus, Status};

/// The facts of a verified callback that the decision needs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CallbackFacts {
    pub order_id: String,
    pub order_request_id: String,
    pub receive_currency: String,
    pub receive_amount: String,
    /// The coin and amount the payer pays, when the callback says.
    pub pay_amount: Option<String>,
    pub pay_currency: Option<String>,
    /// The current API's pre-order id the order came from, when known.
    pub pre_order_id: Option<String>,
    /// The merchant and project ids were proven: signed by SpectroCoin (numeric
    /// ids), or the order was fetched with our own token (JSON callbacks).
    pub ids_verified: bool,
}

/// Our stored order (`mod_spectrocoin_orders`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OrderRow {
    pub order_id: String,
    /// SpectroCoin's id, when createOrder returned one (not for pre-orders); the first
    /// id learned, which the transaction id is made of.
    pub order_request_id: Option<String>,
    /// The ids of each kind learned from callbacks of either API generation: the
    /// numeric legacy orderRequestId and the current API's order UUID.
    pub order_number: Option<String>,
    pub order_uuid: Option<String>,
    pub receive_currency: String,
    pub receive_amount: String,
    /// What a payment of this order credits, in the invoice's currency.
    pub invoice_amount: String,
    pub invoice_currency: String,
    /// The pay amount is known (pre-orders learn it from the first callback).
    pub pay_amount_known: bool,
    pub status: RowStatus,
    /// A payment of this order has been applied to the invoice.
    pub credited: bool,
    /// We moved the invoice to Payment Pending for this order.
    pub pending_set: bool,
    /// The current API's pre-order id, when the order was created there.
    pub pre_order_id: Option<String>,
    /// SpectroCoin refused to create this order (it answered with an error), so
    /// no order of ours carries this orderId there. Not set for timeouts: an
    /// order whose answer was lost may exist and be paid.
    pub create_refused: bool,
    /// We recorded SpectroCoin's refund of this order in WHMCS (confirmed).
    pub refund_recorded: bool,
}

/// The invoice as WHMCS has it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceFacts {
    pub status: InvoiceStatus,
    /// `tblaccounts` already holds the transaction id (e.g. from the official module).
    pub transaction_exists: bool,
    /// WHMCS already records a refund of this order's payment (a `tblaccounts` row
    /// whose `refundid` is the payment's row), e.g. one the admin entered by hand.
    pub payment_refunded: bool,
}

/// The module settings the decision depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// "Mark the invoice Payment Pending" while SpectroCoin waits for confirmations.
    pub mark_pending: bool,
    /// "Record SpectroCoin refunds in WHMCS": a REFUNDED order's refund is recorded as
    /// WHMCS's "Manual Refund Processed Externally" records it; off, it is a review item.
    pub record_refunds: bool,
}

/// What the gateway log calls the outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Apply the order's amount to the invoice with `addInvoicePayment`.
    Credit,
    /// The payment is already in WHMCS: only mark the row.
    AlreadyCredited,
    /// Paid, but the invoice can no longer take it (Cancelled, Paid, Draft,
    /// Refunded): keep the money visible for the admin.
    Hold,
    Pending,
    Close,
    Record,
    Test,
    Review,
    /// Refund news (PROCESSING_REFUND, REJECTED_REFUND, or REFUNDED not recorded):
    /// the status is stored, nothing moves.
    Refund,
    /// REFUNDED: record the refund in WHMCS (claim it on the row, record, confirm).
    RecordRefund,
    /// Older news than the row already knows (e.g. EXPIRED after PAID).
    Ignore,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Credit => "credit",
            Action::AlreadyCredited => "already_credited",
            Action::Hold => "hold",
            Action::Pending => "pending",
            Action::Close => "close",
            Action::Record => "record",
            Action::Test => "test",
            Action::Review => "review",
            Action::Refund => "refund",
            Action::RecordRefund => "record_refund",
            Action::Ignore => "ignore",
        }
    }
}

/// A payment to apply: claim it on the row, `addInvoicePayment`, confirm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub trans_id: String,
    pub amount: String,
    pub currency: String,
}

/// A refund made at SpectroCoin to record in WHMCS, as WHMCS's own "Manual Refund
/// Processed Externally" does: a refund transaction linked to the original payment.
/// Claim it on the row, record it, confirm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundToRecord {
    /// The refund's own transaction id (`SC…-refund`): SpectroCoin names no refund id.
    pub trans_id: String,
    /// What the order's payment credited, in the invoice's currency.
    pub amount: String,
    pub currency: String,
    /// The payment being refunded (the order's transaction id).
    pub original_trans_id: String,
}

/// The row fields to write (`None`: leave as is).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowWrite {
    pub status: RowStatus,
    pub pending_set: Option<bool>,
    /// The payment is in WHMCS: mark the row credited.
    pub credited: bool,
    pub trans_id: Option<String>,
    pub review_reason: Option<String>,
    /// SpectroCoin's order id, first learned from this callback (pre-orders).
    pub order_request_id: Option<String>,
    /// SpectroCoin's order id of a kind the row has not recorded yet, to keep
    /// (numeric: `order_number`; UUID: `order_uuid`), so later callbacks of either
    /// generation bind by it.
    pub order_number: Option<String>,
    pub order_uuid: Option<String>,
    /// The pay amount and coin, first learned from this callback (pre-orders).
    pub pay_amount: Option<String>,
    pub pay_currency: Option<String>,
}

/// An invoice status change we make (never to Paid: only addInvoicePayment pays).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvoiceMove {
    pub from: InvoiceStatus,
    pub to: InvoiceStatus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub action: Action,
    /// Transaction id in WHMCS: `SC` + orderRequestId, the official module's scheme.
    pub trans_id: String,
    /// One line for the gateway log and the admin.
    pub message: String,
    pub row: RowWrite,
    pub apply: Option<Payment>,
    pub invoice: Option<InvoiceMove>,
    /// A refund to record (only for REFUNDED of a credited order, with the setting on).
    pub refund: Option<RefundToRecord>,
}

/// Statuses after which the order is over unless it is paid.
fn closed(s: RowStatus) -> bool {
    matches!(
        s,
        RowStatus::Is(Status::Failed | Status::Expired | Status::Cancelled | Status::Rejected)
    )
}

/// Refund news: later than any payment news of the same order.
fn refund_news(s: RowStatus) -> bool {
    matches!(
        s,
        RowStatus::Is(Status::ProcessingRefund | Status::Refunded | Status::RejectedRefund)
    )
}

/// The refund transaction id for an order's payment `trans_id`.
pub fn refund_transaction_id(trans_id: &str) -> String {
    format!("{trans_id}-refund")
}

/// Checks that the callback is about this order, for this amount and currency.
fn check_match(cb: &CallbackFacts, row: &OrderRow) -> Result<()> {
    if cb.order_id != row.order_id {
        return Err(Error::callback(format!(
            "callback orderId {:?} does not match the order {:?}",
            cb.order_id, row.order_id
        )));
    }
    if row.create_refused {
        return Err(Error::callback(format!(
            "SpectroCoin refused to create order {:?} for this shop, so a callback for that orderId is about someone else's order",
            row.order_id
        )));
    }
    // The current API's pre-order id, when both sides know it, binds the order
    // whichever kind of SpectroCoin order id each side holds (numeric from a
    // legacy callback, UUID from a fetched order).
    let pre_order_bound = match (&row.pre_order_id, &cb.pre_order_id) {
        (Some(ours), Some(theirs)) if ours.eq_ignore_ascii_case(theirs) => true,
        (Some(_), Some(theirs)) => {
            return Err(Error::callback(format!(
                "callback's pre-order {theirs:?} is not the one created for order {:?}",
                row.order_id
            )))
        }
        _ => false,
    };
    // Across formats the same order has a numeric id (legacy) and a UUID (JSON). An
    // id of a kind the row has recorded must be that one: two ids of one kind are two
    // orders. With only ids of the other kind recorded, the pre-order binds, or the
    // authenticated orderId (signed, or read with our own token; unique in the project).
    let any_recorded = [&row.order_request_id, &row.order_number, &row.order_uuid]
        .iter()
        .any(|id| id.as_deref().is_some_and(|s| !s.is_empty()));
    let mismatch = || {
        Error::callback(format!(
            "callback orderRequestId {:?} is not the one SpectroCoin gave for order {:?}",
            cb.order_request_id, row.order_id
        ))
    };
    match recorded_of_kind(row, &cb.order_request_id) {
        Some(ours) if !same_order_id(ours, &cb.order_request_id) => return Err(mismatch()),
        Some(_) => {}
        None if any_recorded && !(pre_order_bound || cb.ids_verified) => return Err(mismatch()),
        // Nothing SpectroCoin signed ties this callback to this shop yet: only
        // unsigned UUIDs name our project, and another merchant's genuine
        // callback for an order with the same orderId and amount would pass.
        None if !any_recorded && !cb.ids_verified && !pre_order_bound => {
            return Err(Error::config(format!(
                "a signed callback for order {:?} names this shop only by unsigned UUIDs (userId/merchantApiId) \
                 and no SpectroCoin order id is stored for it yet, so it cannot be proven ours: add the \
                 numeric Merchant ID and Project (API) ID of the SpectroCoin project in the gateway \
                 settings, or switch the project to JSON callbacks; SpectroCoin retries the callback",
                row.order_id
            )));
        }
        None => {}
    }
    if !cb
        .receive_currency
        .eq_ignore_ascii_case(&row.receive_currency)
    {
        return Err(Error::callback(format!(
            "callback currency {} does not match the order's {}",
            cb.receive_currency, row.receive_currency
        )));
    }
    if !same_amount(&cb.receive_amount, &row.receive_amount) {
        return Err(Error::callback(format!(
            "callback amount {} {} does not match the order's {} {}",
            cb.receive_amount, cb.receive_currency, row.receive_amount, row.receive_currency
        )));
    }
    Ok(())
}

/// The SpectroCoin order id of `id`'s kind (numeric legacy orderRequestId, or the
/// current API's order UUID) that the row has recorded.
fn recorded_of_kind<'a>(row: &'a OrderRow, id: &str) -> Option<&'a str> {
    let numeric = is_numeric_id(id);
    let column = if numeric {
        &row.order_number
    } else {
        &row.order_uuid
    };
    let present = |s: &&str| !s.is_empty();
    column.as_deref().filter(present).or_else(|| {
        row.order_request_id
            .as_deref()
            .filter(|s| !s.is_empty() && is_numeric_id(s) == numeric)
    })
}

/// Two SpectroCoin order ids name the same order: numeric ids exactly, UUIDs in any
/// letter case (as the pre-order id is compared).
fn same_order_id(a: &str, b: &str) -> bool {
    a == b || (!is_numeric_id(a) && a.eq_ignore_ascii_case(b))
}

/// The WHMCS transaction id of a payment: `SC` + SpectroCoin's order id (numeric
/// orderRequestId of the legacy API, order UUID of the current API), as SpectroCoin's
/// own module writes it, so duplicate detection spans a migration from that module.
/// The id stored with our order wins over the callback's.
pub fn transaction_id(cb: &CallbackFacts, row: &OrderRow) -> String {
    let reference = row
        .order_request_id
        .as_deref()
        .filter(|s| !s.is_empty())
        .unwrap_or(&cb.order_request_id);
    format!("SC{reference}")
}

/// Decides. Errors only when the callback does not match the order.
pub fn decide(
    cb: &CallbackFacts,
    status: Status,
    row: &OrderRow,
    invoice: &InvoiceFacts,
    options: Options,
) -> Result<Decision> {
    use InvoiceStatus as Inv;
    let mark_pending = options.mark_pending;
    use Status::*;
    check_match(cb, row)?;
    let trans_id = transaction_id(cb, row);
    let learned = |w: &mut RowWrite| {
        if row.order_request_id.as_deref().is_none_or(str::is_empty)
            && !cb.order_request_id.is_empty()
        {
            w.order_request_id = Some(cb.order_request_id.clone());
        }
        if !cb.order_request_id.is_empty() && recorded_of_kind(row, &cb.order_request_id).is_none()
        {
            let id = Some(cb.order_request_id.clone());
            if is_numeric_id(&cb.order_request_id) {
                w.order_number = id;
            } else {
                w.order_uuid = id;
            }
        }
        if !row.pay_amount_known {
            w.pay_amount = cb.pay_amount.clone();
            w.pay_currency = cb.pay_currency.clone();
        }
    };
    let mut d = Decision {
        action: Action::Ignore,
        trans_id,
        message: String::new(),
        row: RowWrite {
            status: RowStatus::Is(status),
            pending_set: None,
            credited: false,
            trans_id: None,
            review_reason: None,
            order_request_id: None,
            order_number: None,
            order_uuid: None,
            pay_amount: None,
            pay_currency: None,
        },
        apply: None,
        invoice: None,
        refund: None,
    };
    learned(&mut d.row);
    let inv = invoice.status;
    let already_paid = row.credited || row.status.is(Paid);
    let keep_row_status = |d: &mut Decision| d.row.status = row.status;
    let move_invoice = |d: &mut Decision, to: Inv| d.invoice = Some(InvoiceMove { from: inv, to });
    match status {
        Paid if refund_news(row.status) => {
            // A late PAID (retries deliver out of order) after refund news: never a credit
            // of money SpectroCoin reports returned.
            keep_row_status(&mut d);
            if row.credited {
                d.message = format!("PAID after {}: ignored", row.status.name());
            } else if invoice.transaction_exists {
                d.action = Action::AlreadyCredited;
                d.row.credited = true;
                d.row.trans_id = Some(d.trans_id.clone());
                d.message = format!(
                    "payment {} already recorded; {} after it: nothing to do",
                    d.trans_id,
                    row.status.name()
                );
            } else {
                d.action = Action::Review;
                d.message = format!(
                    "PAID arrived after {}: SpectroCoin reports a refund for this order, so the payment was NOT applied; check the order in SpectroCoin",
                    row.status.name()
                );
                d.row.review_reason = Some(d.message.clone());
                if inv == Inv::PaymentPending && row.pending_set {
                    move_invoice(&mut d, Inv::Unpaid);
                    d.row.pending_set = Some(false);
                }
            }
        }
        Paid => {
            if row.credited || invoice.transaction_exists {
                d.action = Action::AlreadyCredited;
                d.row.credited = true;
                d.row.trans_id = Some(d.trans_id.clone());
                d.message = format!("payment {} already recorded; nothing to do", d.trans_id);
            } else if inv.payable() {
                d.action = Action::Credit;
                d.apply = Some(Payment {
                    trans_id: d.trans_id.clone(),
                    amount: row.invoice_amount.clone(),
                    currency: row.invoice_currency.clone(),
                });
                d.message = format!(
                    "paid: applying {} {} to the invoice",
                    row.receive_amount, row.receive_currency
                );
            } else {
                d.action = Action::Hold;
                d.row.trans_id = Some(d.trans_id.clone());
                d.message = format!(
                    "Paid at SpectroCoin, but NOT applied: the invoice was {} when the payment came; \
                     apply payment {} by hand or refund it in SpectroCoin",
                    inv.name(),
                    d.trans_id
                );
                d.row.review_reason = Some(d.message.clone());
            }
        }
        Pending => {
            if already_paid || closed(row.status) || refund_news(row.status) {
                // Older news (retries deliver out of order): the outcome must not depend on
                // delivery order. A late payment after EXPIRED still credits when PAID comes.
                keep_row_status(&mut d);
                d.message = format!("PENDING after {}: ignored", row.status.name());
            } else {
                d.action = Action::Pending;
                if mark_pending && inv == Inv::Unpaid {
                    move_invoice(&mut d, Inv::PaymentPending);
                    d.row.pending_set = Some(true);
                }
                d.message = "payment seen, waiting for confirmations".to_owned();
            }
        }
        Failed | Expired | Cancelled | Rejected => {
            if already_paid || refund_news(row.status) {
                keep_row_status(&mut d);
                d.message = format!(
                    "{} after {}: ignored; the invoice is never cancelled",
                    status.name(),
                    if refund_news(row.status) {
                        row.status.name()
                    } else {
                        "PAID"
                    }
                );
            } else {
                d.action = Action::Close;
                if inv == Inv::PaymentPending && row.pending_set {
                    move_invoice(&mut d, Inv::Unpaid);
                    d.row.pending_set = Some(false);
                }
                d.message = format!(
                    "order {}: closed; the invoice stays open for another payment",
                    status.name()
                );
            }
        }
        New => {
            if row.status == RowStatus::Created || row.status.is(New) {
                d.action = Action::Record;
                d.message = "order created at SpectroCoin".to_owned();
            } else {
                keep_row_status(&mut d);
                d.message = "NEW after later news: ignored".to_owned();
            }
        }
        Test | TestPaid | TestExpired => {
            d.action = Action::Test;
            if already_paid {
                keep_row_status(&mut d);
            }
            d.message = format!(
                "{}: test-mode callback, never applied as a payment",
                status.name()
            );
        }
        PartialPayment
        | Underpaid
        | LateCryptoPayment
        | InvalidPayment
        | PendingLateCryptoPayment => {
            d.action = Action::Review;
            d.message = format!(
                "{}: nothing was credited; settle it in SpectroCoin (accept the payment there and \
                 the invoice is credited when SpectroCoin reports the order paid, or refund it)",
                status.name()
            );
            d.row.review_reason = Some(d.message.clone());
            // This payment ends without a credit (a late payment still pending may yet
            // complete): an invoice we moved to Payment Pending is open again for Pay Now.
            if status != PendingLateCryptoPayment && inv == Inv::PaymentPending && row.pending_set {
                move_invoice(&mut d, Inv::Unpaid);
                d.row.pending_set = Some(false);
            }
        }
        ProcessingRefund => {
            if row.status.is(Refunded) || row.refund_recorded {
                keep_row_status(&mut d);
                d.message = "PROCESSING_REFUND after REFUNDED: older news; ignored".to_owned();
            } else {
                d.action = Action::Refund;
                d.message =
                    "refund under way at SpectroCoin; nothing changes in WHMCS until SpectroCoin reports it REFUNDED"
                        .to_owned();
            }
        }
        Refunded => {
            let amount = format!("{} {}", row.invoice_amount, row.invoice_currency);
            if row.refund_recorded {
                d.message = format!(
                    "refund {} already recorded in WHMCS; nothing to do",
                    refund_transaction_id(&d.trans_id)
                );
            } else if !row.credited {
                // Never a refund of a payment WHMCS does not hold (e.g. an underpayment
                // refunded, or a payment held for review).
                d.action = Action::Refund;
                d.message = "Refunded at SpectroCoin, but this order's payment was never applied in WHMCS, \
                    so no refund is recorded; check the order in SpectroCoin"
                    .to_owned();
                d.row.review_reason = Some(d.message.clone());
            } else if !options.record_refunds {
                d.action = Action::Refund;
                d.message = format!(
                    "Refunded at SpectroCoin: record the refund of payment {} ({amount}) in WHMCS \
                     (invoice, Refunds tab, Manual Refund Processed Externally)",
                    d.trans_id
                );
                d.row.review_reason = Some(d.message.clone());
            } else if invoice.payment_refunded {
                d.action = Action::Refund;
                d.message = format!(
                    "Refunded at SpectroCoin, but WHMCS already records a refund of payment {} \
                     (entered by hand?), so nothing was recorded; check that it covers this refund of {amount}",
                    d.trans_id
                );
                d.row.review_reason = Some(d.message.clone());
            } else {
                d.action = Action::RecordRefund;
                d.refund = Some(RefundToRecord {
                    trans_id: refund_transaction_id(&d.trans_id),
                    amount: row.invoice_amount.clone(),
                    currency: row.invoice_currency.clone(),
                    original_trans_id: d.trans_id.clone(),
                });
                d.message = format!(
                    "refunded at SpectroCoin: recording the refund of payment {} ({amount}) in WHMCS",
                    d.trans_id
                );
            }
        }
        RejectedRefund => {
            d.action = Action::Refund;
            if row.status.is(Refunded) || row.refund_recorded {
                // Out of order, or SpectroCoin changed its mind: a person must look. A refund
                // recorded in WHMCS is never taken back automatically.
                keep_row_status(&mut d);
                d.message = format!(
                    "REJECTED_REFUND after REFUNDED: check the order in SpectroCoin; {}",
                    if row.refund_recorded {
                        "the refund recorded in WHMCS stays until you correct it"
                    } else {
                        "no refund was recorded in WHMCS"
                    }
                );
            } else {
                d.message = "The refund started at SpectroCoin was rejected, so the customer has not been paid back; \
                    refund again in SpectroCoin or tell the customer"
                    .to_owned();
            }
            d.row.review_reason = Some(d.message.clone());
        }
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A decision with refunds not recorded (the setting's default).
    fn decide_marking(
        cb: &CallbackFacts,
        status: Status,
        row: &OrderRow,
        invoice: &InvoiceFacts,
        mark_pending: bool,
    ) -> Result<Decision> {
        decide(
            cb,
            status,
            row,
            invoice,
            Options {
                mark_pending,
                record_refunds: false,
            },
        )
    }

    fn cb() -> CallbackFacts {
        CallbackFacts {
            order_id: "7-1".into(),
            order_request_id: "900".into(),
            receive_currency: "EUR".into(),
            receive_amount: "12.3".into(),
            pre_order_id: Some("p-1".into()),
            ids_verified: true,
            ..Default::default()
        }
    }
    fn row(status: &str, credited: bool, pending_set: bool) -> OrderRow {
        OrderRow {
            order_id: "7-1".into(),
            order_request_id: Some("900".into()),
            order_number: None,
            order_uuid: None,
            receive_currency: "EUR".into(),
            receive_amount: "12.30".into(),
            invoice_amount: "12.30".into(),
            invoice_currency: "EUR".into(),
            pay_amount_known: true,
            status: RowStatus::parse(status).unwrap(),
            credited,
            pending_set,
            pre_order_id: None,
            create_refused: false,
            refund_recorded: false,
        }
    }
    fn inv(status: &str, exists: bool) -> InvoiceFacts {
        InvoiceFacts {
            status: InvoiceStatus::parse(status),
            transaction_exists: exists,
            payment_refunded: false,
        }
    }

    fn yes(word: &str) -> bool {
        match word {
            "yes" => true,
            "no" => false,
            other => panic!("yes or no, not {other:?}"),
        }
    }

    /// Every line of `decision_table.txt` is one decision.
    #[test]
    fn the_decision_table() {
        let mut rows = 0;
        for (n, line) in include_str!("decision_table.txt").lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let w: Vec<String> = line
                .split_whitespace()
                .map(|w| w.replace('_', " "))
                .collect();
            let w: Vec<&str> = w.iter().map(String::as_str).collect();
            assert_eq!((w.len(), w[9]), (16, "=>"), "line {}: {line}", n + 1);
            let status = Status::parse(&w[0].replace(' ', "_")).unwrap();
            let r = OrderRow {
                refund_recorded: yes(w[7]),
                ..row(&w[1].replace(' ', "_"), yes(w[2]), yes(w[3]))
            };
            let options = Options {
                mark_pending: yes(w[6]),
                record_refunds: yes(w[8]),
            };
            let d = decide(&cb(), status, &r, &inv(w[4], yes(w[5])), options).unwrap();
            let got = (
                d.action.name().to_owned(),
                d.row.status.name().to_owned(),
                d.invoice.map_or("-", |m| m.to.name()).to_owned(),
                d.apply.is_some(),
                d.refund.is_some(),
                d.row.review_reason.is_some(),
            );
            let want = (
                w[10].replace(' ', "_"),
                w[11].replace(' ', "_"),
                w[12].to_owned(),
                yes(w[13]),
                yes(w[14]),
                yes(w[15]),
            );
            assert_eq!(got, want, "line {}: {line}", n + 1);
            assert_eq!(d.trans_id, "SC900");
            assert!(!d.message.is_empty());
            if let Some(p) = &d.apply {
                assert_eq!(
                    (p.trans_id.as_str(), p.amount.as_str(), p.currency.as_str()),
                    ("SC900", "12.30", "EUR")
                );
            }
            if let Some(f) = &d.refund {
                assert_eq!(
                    (
                        f.trans_id.as_str(),
                        f.amount.as_str(),
                        f.currency.as_str(),
                        f.original_trans_id.as_str()
                    ),
                    ("SC900-refund", "12.30", "EUR", "SC900")
                );
            }
            assert_eq!(
                d.row.credited,
                d.action == Action::AlreadyCredited,
                "line {}",
                n + 1
            );
            rows += 1;
        }
        assert!(rows >= 30, "the table was not read");
    }

    #[test]
    fn a_late_pending_after_the_order_closed_is_ignored() {
        for closed in ["EXPIRED", "FAILED", "CANCELLED", "REJECTED"] {
            let d = decide_marking(
                &cb(),
                Status::Pending,
                &row(closed, false, false),
                &inv("Unpaid", false),
                true,
            )
            .unwrap();
            assert_eq!(
                (d.action, d.row.status.name(), d.invoice),
                (Action::Ignore, closed, None)
            );
        }
    }

    #[test]
    fn pending_set_follows_the_invoice_moves_we_make() {
        let d = decide_marking(
            &cb(),
            Status::Pending,
            &row("CREATED", false, false),
            &inv("Unpaid", false),
            true,
        )
        .unwrap();
        assert_eq!(d.row.pending_set, Some(true));
        let d = decide_marking(
            &cb(),
            Status::Expired,
            &row("PENDING", false, true),
            &inv("Payment Pending", false),
            true,
        )
        .unwrap();
        assert_eq!(d.row.pending_set, Some(false));
        let d = decide_marking(
            &cb(),
            Status::Paid,
            &row("PENDING", false, true),
            &inv("Payment Pending", false),
            true,
        )
        .unwrap();
        assert_eq!(d.row.pending_set, None);
    }

    #[test]
    fn the_transaction_id_prefers_the_stored_spectrocoin_id() {
        assert_eq!(
            transaction_id(&cb(), &row("CREATED", false, false)),
            "SC900"
        );
        let pre = OrderRow {
            order_request_id: None,
            ..row("CREATED", false, false)
        };
        let json = CallbackFacts {
            order_request_id: "0b6f0c7e-2a5b-4c7d-9e1f-123456789abc".into(),
            ..cb()
        };
        assert_eq!(
            transaction_id(&json, &pre),
            "SC0b6f0c7e-2a5b-4c7d-9e1f-123456789abc"
        );
    }

    #[test]
    fn no_status_ever_cancels_an_invoice() {
        for st in Status::all() {
            for is in [
                "Unpaid",
                "Payment Pending",
                "Paid",
                "Cancelled",
                "Collections",
                "Draft",
            ] {
                for (rs, c, p) in [
                    ("CREATED", false, false),
                    ("PENDING", false, true),
                    ("PAID", true, false),
                ] {
                    let d = decide_marking(&cb(), st, &row(rs, c, p), &inv(is, c), true).unwrap();
                    let to = d.invoice.map(|m| m.to);
                    assert!(
                        !matches!(to, Some(InvoiceStatus::Cancelled | InvoiceStatus::Paid)),
                        "{st:?} {is} {rs}"
                    );
                    assert!(
                        !(d.apply.is_some() && (c || !InvoiceStatus::parse(is).payable())),
                        "{st:?} {is} {rs}"
                    );
                }
            }
        }
    }

    #[test]
    fn callbacks_that_do_not_match_the_order_are_refused() {
        let r = OrderRow {
            pre_order_id: Some("p-1".into()),
            ..row("PENDING", false, false)
        };
        let i = inv("Unpaid", false);
        let cases = [
            (
                CallbackFacts {
                    receive_amount: "12.31".into(),
                    ..cb()
                },
                "amount",
            ),
            (
                CallbackFacts {
                    receive_amount: "1.23".into(),
                    ..cb()
                },
                "amount",
            ),
            (
                CallbackFacts {
                    receive_currency: "USD".into(),
                    ..cb()
                },
                "currency",
            ),
            (
                CallbackFacts {
                    order_id: "8-1".into(),
                    ..cb()
                },
                "orderId",
            ),
            (
                CallbackFacts {
                    order_request_id: "901".into(),
                    ..cb()
                },
                "orderRequestId",
            ),
            (
                CallbackFacts {
                    pre_order_id: Some("p-2".into()),
                    ..cb()
                },
                "pre-order",
            ),
        ];
        for (c, reason) in cases {
            let err = decide_marking(&c, Status::Paid, &r, &i, true).unwrap_err();
            assert!(
                matches!(err, Error::Callback(_)) && err.to_string().contains(reason),
                "{err}"
            );
        }
    }

    #[test]
    fn an_unbound_order_needs_ids_spectrocoin_signed() {
        let unbound = OrderRow {
            order_request_id: None,
            pre_order_id: None,
            ..row("CREATED", false, false)
        };
        let forged = CallbackFacts {
            ids_verified: false,
            pre_order_id: None,
            ..cb()
        };
        let err = decide_marking(&forged, Status::Paid, &unbound, &inv("Unpaid", false), true)
            .unwrap_err();
        assert!(
            matches!(err, Error::Config(_)) && err.to_string().contains("cannot be proven ours"),
            "{err}"
        );
        // Bound by the stored SpectroCoin id, unsigned ids are enough.
        assert!(decide_marking(
            &forged,
            Status::Paid,
            &row("CREATED", false, false),
            &inv("Unpaid", false),
            true
        )
        .is_ok());
        // Signed numeric ids bind an order whose creation answer was lost (e.g. a timeout).
        let signed = CallbackFacts {
            ids_verified: true,
            pre_order_id: None,
            ..cb()
        };
        assert_eq!(
            decide_marking(&signed, Status::Paid, &unbound, &inv("Unpaid", false), true)
                .unwrap()
                .action,
            Action::Credit
        );
    }

    #[test]
    fn an_order_spectrocoin_refused_to_create_takes_no_callback() {
        let refused = OrderRow {
            order_request_id: None,
            create_refused: true,
            ..row("CREATED", false, false)
        };
        let err =
            decide_marking(&cb(), Status::Paid, &refused, &inv("Unpaid", false), true).unwrap_err();
        assert!(
            matches!(err, Error::Callback(_)) && err.to_string().contains("refused to create"),
            "{err}"
        );
    }

    #[test]
    fn a_pre_order_id_binds_across_callback_formats() {
        // PENDING came as a legacy callback (numeric id stored), PAID comes as JSON (UUID).
        let stored = OrderRow {
            order_request_id: Some("900".into()),
            pre_order_id: Some("p-1".into()),
            ..row("PENDING", false, false)
        };
        let json = CallbackFacts {
            order_request_id: "0b6f0c7e-2a5b-4c7d-9e1f-123456789abc".into(),
            ..cb()
        };
        let d = decide_marking(&json, Status::Paid, &stored, &inv("Unpaid", false), true).unwrap();
        assert_eq!((d.action, d.trans_id.as_str()), (Action::Credit, "SC900"));
        // Without the pre-order, the authenticated orderId binds across formats (a legacy
        // order reported by a JSON callback); unproven ids do not.
        let other = CallbackFacts {
            pre_order_id: None,
            ..json.clone()
        };
        let d = decide_marking(&other, Status::Paid, &stored, &inv("Unpaid", false), true).unwrap();
        assert_eq!((d.action, d.trans_id.as_str()), (Action::Credit, "SC900"));
        let unproven = CallbackFacts {
            ids_verified: false,
            ..other
        };
        assert!(decide_marking(
            &unproven,
            Status::Paid,
            &stored,
            &inv("Unpaid", false),
            true
        )
        .is_err());
        // The same pre-order with a second numeric order id is another order.
        let second = CallbackFacts {
            order_request_id: "901".into(),
            ..cb()
        };
        assert!(
            decide_marking(&second, Status::Paid, &stored, &inv("Unpaid", false), true).is_err()
        );
    }

    #[test]
    fn an_id_of_a_kind_the_row_recorded_must_be_that_one() {
        // A legacy order (numeric id) reported once by a JSON callback: its UUID is learned.
        let legacy = row("PENDING", false, false);
        let uuid = "0b6f0c7e-2a5b-4c7d-9e1f-123456789abc";
        let json = CallbackFacts {
            order_request_id: uuid.into(),
            pre_order_id: None,
            ..cb()
        };
        let d =
            decide_marking(&json, Status::Pending, &legacy, &inv("Unpaid", false), true).unwrap();
        assert_eq!(
            (d.row.order_uuid.as_deref(), d.row.order_number.as_deref()),
            (Some(uuid), None)
        );
        // Once recorded, the UUID binds in any letter case, and another UUID is another order.
        let learned = OrderRow {
            order_uuid: Some(uuid.into()),
            ..legacy.clone()
        };
        let upper = CallbackFacts {
            order_request_id: uuid.to_ascii_uppercase(),
            ..json.clone()
        };
        let d =
            decide_marking(&upper, Status::Paid, &learned, &inv("Unpaid", false), true).unwrap();
        assert_eq!(
            (d.action, d.trans_id.as_str(), d.row.order_uuid),
            (Action::Credit, "SC900", None)
        );
        let another = CallbackFacts {
            order_request_id: "1c6f0c7e-2a5b-4c7d-9e1f-123456789abc".into(),
            ..json
        };
        let err = decide_marking(
            &another,
            Status::Paid,
            &learned,
            &inv("Unpaid", false),
            true,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("is not the one SpectroCoin gave"),
            "{err}"
        );
        // A recorded numeric id (order_number) binds a legacy callback of a UUID-created order.
        let current = OrderRow {
            order_request_id: Some(uuid.into()),
            order_number: Some("900".into()),
            ..legacy
        };
        assert!(decide_marking(&cb(), Status::Paid, &current, &inv("Unpaid", false), true).is_ok());
        let other_number = CallbackFacts {
            order_request_id: "901".into(),
            ..cb()
        };
        assert!(decide_marking(
            &other_number,
            Status::Paid,
            &current,
            &inv("Unpaid", false),
            true
        )
        .is_err());
    }

    #[test]
    fn refunded_is_recorded_only_with_the_setting_and_never_over_a_refund_whmcs_has() {
        let on = Options {
            mark_pending: true,
            record_refunds: true,
        };
        let paid = row("PAID", true, false);
        let d = decide(&cb(), Status::Refunded, &paid, &inv("Paid", true), on).unwrap();
        assert_eq!(d.action, Action::RecordRefund);
        assert!(d.row.review_reason.is_none() && d.apply.is_none());
        // Default off: a review item that says what to do.
        let d = decide_marking(&cb(), Status::Refunded, &paid, &inv("Paid", true), true).unwrap();
        assert_eq!((d.action, d.refund.as_ref()), (Action::Refund, None));
        let reason = d.row.review_reason.unwrap();
        assert!(
            reason.contains("Refunded at SpectroCoin") && reason.contains("record the refund"),
            "{reason}"
        );
        // A refund of the payment already in WHMCS (entered by hand): nothing recorded.
        let by_hand = InvoiceFacts {
            payment_refunded: true,
            ..inv("Refunded", true)
        };
        let d = decide(&cb(), Status::Refunded, &paid, &by_hand, on).unwrap();
        assert_eq!((d.action, d.refund.is_none()), (Action::Refund, true));
        assert!(d
            .row
            .review_reason
            .unwrap()
            .contains("already records a refund"));
        // Never for an order whose payment WHMCS does not hold, even with the ledger
        // naming the transaction id (the row's credit is what counts).
        let d = decide(
            &cb(),
            Status::Refunded,
            &row("PENDING", false, false),
            &inv("Unpaid", true),
            on,
        )
        .unwrap();
        assert!(d.refund.is_none());
        assert!(d.row.review_reason.unwrap().contains("never applied"));
    }

    #[test]
    fn no_status_records_a_refund_twice_or_for_an_uncredited_order() {
        let on = Options {
            mark_pending: true,
            record_refunds: true,
        };
        for st in Status::all() {
            for rs in [
                "CREATED",
                "PENDING",
                "PAID",
                "REFUNDED",
                "PROCESSING_REFUND",
                "UNDERPAID",
            ] {
                for (credited, recorded) in [(false, false), (true, false), (true, true)] {
                    let r = OrderRow {
                        refund_recorded: recorded,
                        ..row(rs, credited, false)
                    };
                    let d = decide(&cb(), st, &r, &inv("Paid", credited), on).unwrap();
                    if d.refund.is_some() {
                        assert!(
                            st == Status::Refunded && credited && !recorded,
                            "{st:?} {rs} {credited} {recorded}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn pre_orders_take_spectrocoins_id_from_the_callback() {
        let r = OrderRow {
            order_request_id: None,
            ..row("CREATED", false, false)
        };
        let d = decide_marking(&cb(), Status::Paid, &r, &inv("Unpaid", false), true).unwrap();
        assert_eq!((d.action, d.trans_id.as_str()), (Action::Credit, "SC900"));
    }
}
