"""payment-service: payments of orders through a payment provider (CloudPayments), its
signed notifications, refunds; no card data ever reaches it."""
