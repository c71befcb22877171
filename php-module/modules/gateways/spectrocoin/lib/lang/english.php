<?php
/**
 * Every string a customer sees, English (the fallback for any key or language missing). A language
 * is one file named as WHMCS names it (tblclients.language, `Language` setting): lib/lang/NAME.php
 * returning the same keys. {placeholders} are filled in by Lang::t().
 */
return [
    'title.not_started' => 'Payment could not be started',
    'title.open_from_invoice' => 'Please start the payment from your invoice',
    'title.being_confirmed' => 'Your payment is being confirmed',
    'title.already_paid' => 'This invoice is already paid',
    'title.unavailable' => 'Paying with SpectroCoin is unavailable',

    'msg.open_from_invoice' => 'This page is opened from your invoice: open the invoice and press Pay Now there.',
    'msg.other_site' => 'This payment link is not valid. Please open your invoice again and press Pay Now.',
    'msg.other_account' => 'This invoice belongs to another account. Please log in with the account the invoice was sent to.',
    'msg.link_expired' => 'This payment link is not valid or has expired. Please log in, open your invoice again and press Pay Now.',
    'msg.other_gateway' => 'This invoice is not set to be paid with SpectroCoin. Choose SpectroCoin on the invoice first.',
    'msg.being_confirmed' => 'Your payment is being confirmed. The invoice will show as paid as soon as it is confirmed; there is nothing more to pay.',
    'msg.already_paid' => 'This invoice is already paid. Thank you!',
    'msg.cancelled' => 'This invoice was cancelled, so it cannot be paid.',
    'msg.not_awaiting' => 'This invoice is not awaiting payment at the moment.',
    'msg.nothing_left' => 'This invoice has nothing left to pay.',
    'msg.cannot_pay_now' => 'This invoice cannot be paid with SpectroCoin right now. Please choose another payment method or contact us.',
    'msg.try_again_minute' => 'The payment could not be started. Please try again in a minute.',
    'msg.invoice_changed' => 'This invoice changed while we were preparing the payment. Please open it again.',
    'msg.spectrocoin_failed' => 'SpectroCoin could not start this payment right now. Please try again in a few minutes or choose another payment method.',
    'msg.unavailable' => 'Paying with SpectroCoin is temporarily unavailable. Please try again later or choose another payment method.',

    'ref.intro' => 'If you contact us about this, please quote:',
    'ref.invoice' => 'Invoice #{number}',
    'ref.order' => 'Payment reference {order}',
    'link.back_to_invoice' => 'Back to the invoice',
    'link.your_invoices' => 'Your invoices',
    'breadcrumb.home' => 'Portal Home',

    'invoice.unavailable' => 'Paying with SpectroCoin is temporarily unavailable. Please choose another payment method or contact us.',
    'invoice.unavailable_retry' => 'Paying with SpectroCoin is temporarily unavailable. Please try again later.',
    'invoice.log_in' => 'Please log in to pay this invoice with SpectroCoin.',
    'invoice.pay_in' => 'You will pay in {currency} on SpectroCoin\'s payment page.',
    'invoice.pay_in_coin_of_choice' => 'You will pay in the cryptocurrency of your choice on SpectroCoin\'s payment page.',
    'invoice.received' => 'Received so far: {received} of {total}. Pay Now pays the remaining {balance}.',
    'currency.BTC' => 'Bitcoin',
];
