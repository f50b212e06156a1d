"""CloudPayments (https://developers.cloudpayments.ru), as payment-service speaks it:

- API (`api.py`): JSON POSTs to <base URL>/<method> with HTTP Basic auth (Public ID :
  API secret) and an `X-Request-ID` header, which CloudPayments uses to answer a
  repeated request with the outcome of the first. Replies are
  `{"Success": bool, "Message": str|null, "Model": {...}}`. We use `orders/create`
  (an invoice with a payment link; `InvoiceId` = our order id, `AccountId` = the
  buyer), `orders/cancel` and `payments/refund` (by `TransactionId`).
- Notifications (`notifications.py`): form-encoded POSTs (Check, Pay, Fail, Refund,
  each configured with its own URL at CloudPayments: ours differ by `?notification=`)
  signed with `Content-HMAC: base64(HMAC-SHA256(raw body, API secret))`. Amounts are
  rubles with two decimals ("1500.00"), times "yyyy-MM-dd HH:mm:ss" in UTC. The answer
  is `{"code": 0}`; Check may answer 10 (unknown InvoiceId), 11 (wrong AccountId),
  12 (wrong amount) or 13 (the payment cannot be accepted).
"""
