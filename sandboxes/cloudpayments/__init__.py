"""A CloudPayments sandbox: the provider's API, payment page and notifications, locally.

Run by `kgo up` (`python -m sandboxes.cloudpayments`) on port 17560 (+KGO_PORT_OFFSET),
state in .dev/state/cloudpayments.sqlite3. Credentials are the merchant's Public ID and
API secret (.dev/secrets/cloudpayments-public-id, -api-secret), shared with
payment-service like the real ones would be.

CloudPayments' API (HTTP Basic: Public ID : API secret; JSON or form bodies; every reply
`{"Success": bool, "Message": str|null, "Model": ...}`; a repeated `X-Request-ID` gets
the first request's reply):

    POST /orders/create    {Amount, Currency, Description, InvoiceId, AccountId, Email, ...}
                           -> Model {Id, Number, Amount, Url: <base>/pay/<Id>, Status: "Created", ...}
    POST /orders/cancel    {Id}: the page stops taking payments
    POST /payments/refund  {TransactionId, Amount} -> Model {TransactionId}; then a Refund notification
    POST /test             -> Success (checks credentials)

The payment page, for a person (or a test, as an HTML form would):

    GET  /pay/<Id>         amount, description, status, Pay and Decline buttons
    POST /pay/<Id>         action=pay|decline: Check is sent first; an answer other than
                           {"code":0} stops it (the page shows the code, nothing is charged);
                           then Pay (money taken, the order is paid) or Fail (InsufficientFunds,
                           5051; the payer may try again). Redirects back to the page.

Notifications are form-encoded POSTs to KGO_CLOUDPAYMENTS_NOTIFY_URL (our gateway's
/api/v1/payments/callback/cloudpayments) + `?notification=check|pay|fail|refund`, signed
with `Content-HMAC` (and `X-Content-HMAC`) = base64(HMAC-SHA256(body, API secret)). Pay,
Fail and Refund are retried until the answer is HTTP 200 `{"code":0}`: after 1, 2, 4 ...
up to 60 s, 12 attempts (KGO_CLOUDPAYMENTS_RETRY_*), each attempt logged, then abandoned
(logged as an error). Pending retries survive a restart.

Control API (no auth; loopback only), for tests and for trying failures by hand:

    GET    /sandbox/health
    GET    /sandbox/orders?invoiceId=                 the orders made for an invoice id
    GET    /sandbox/orders/<Id>                       the order and its transactions
    GET    /sandbox/notifications?invoiceId=&kind=    what was sent: body, contentHmac, attempts,
                                                      state (pending|delivered|abandoned|answered)
    POST   /sandbox/faults {"method": "orders/create"|"orders/cancel"|"payments/refund",
                            "mode": "error"|"stall"|"refuse", "times": 1, "seconds": 30,
                            "match": {"InvoiceId": "order-1"}}
                           the next `times` calls of `method` (whose parameters include all of
                           `match`, when given: scope faults to your own requests on a shared
                           sandbox) answer HTTP 500 (error), answer only after `seconds` and then
                           act as usual (stall), or answer {"Success": false} (refuse)
    DELETE /sandbox/faults                            forget queued faults

Faults live in memory (a restart forgets them).
"""
