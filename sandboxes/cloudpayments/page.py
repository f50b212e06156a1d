"""The payment page a payer sees at an order's Url: what is paid for, and Pay / Decline."""

from __future__ import annotations

from html import escape

from sandboxes.cloudpayments.notifier import TEST_CARD, rubles
from sandboxes.cloudpayments.store import Order

_STYLE = """
body { font-family: system-ui, sans-serif; background: #f3f4f6; margin: 0; }
main { max-width: 28rem; margin: 3rem auto; background: #fff; border-radius: .75rem; padding: 2rem;
       box-shadow: 0 1px 4px rgba(0,0,0,.1); }
h1 { font-size: 1.1rem; color: #6b7280; margin: 0 0 .25rem; }
.amount { font-size: 2rem; font-weight: 600; margin: .5rem 0 1rem; }
.card { font-family: monospace; background: #f9fafb; padding: .75rem; border-radius: .5rem; }
.status { margin: 1rem 0; padding: .75rem; border-radius: .5rem; background: #eef2ff; }
.status.bad { background: #fef2f2; } .status.good { background: #ecfdf5; }
form { display: flex; gap: .75rem; margin-top: 1.5rem; }
button { flex: 1; padding: .75rem; font-size: 1rem; border: 0; border-radius: .5rem; cursor: pointer; }
button[value=pay] { background: #16a34a; color: #fff; } button[value=decline] { background: #e5e7eb; }
footer { margin-top: 1.5rem; font-size: .8rem; color: #9ca3af; }
"""


def render(order: Order) -> str:
    status = {"Created": "Awaiting payment", "Paid": "Paid", "Cancelled": "Cancelled by the merchant"}[order.status]
    message = escape(order.last_message)
    css = "good" if order.status == "Paid" else "bad" if order.status == "Cancelled" or "refused" in message else ""
    buttons = ""
    if order.status == "Created":
        buttons = """<form method="post">
  <button name="action" value="pay" type="submit">Pay</button>
  <button name="action" value="decline" type="submit">Decline</button>
</form>"""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CloudPayments sandbox · order {order.number}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_STYLE}</style></head>
<body><main>
<h1>CloudPayments sandbox · order № {order.number}</h1>
<div>{escape(order.description)}</div>
<div class="amount" id="amount">{rubles(order.amount)} {escape(order.currency)}</div>
<div class="card">Test card {TEST_CARD["CardFirstSix"][:4]} {TEST_CARD["CardFirstSix"][4:]}•• •••• \
{TEST_CARD["CardLastFour"]} · {TEST_CARD["CardExpDate"]}</div>
<div class="status {css}" id="status" data-status="{order.status}">{status}{"<br>" + message if message else ""}</div>
{buttons}
<footer>Invoice {escape(order.invoice_id)} · Pay sends Check, then Pay; Decline sends Check, then Fail
(InsufficientFunds). No money moves: this is a sandbox.</footer>
</main></body></html>
"""
