"""A Kassir.ru sandbox: the partner API as ticketing-service models it, with its own
ticket inventory, locally.

Kassir.ru publishes no partner API, so the protocol is ours to model; it is written down
once, in services/ticketing/adapters/vendors/kassir.py (the adapter's docstring), and
this server speaks exactly that (it shares no code with the adapter). In short: JSON,
`Authorization: Bearer <API key>`, reservations keyed by the partner's order id:

    PUT    /v1/sessions/<session>/reservations/<id>  {"items": [{categoryId, quantity}], "seats": [...],
                                                      "ttlSeconds": 900}   201 new, 200 the same again
    POST   /v1/reservations/<id>/confirm             SOLD
    DELETE /v1/reservations/<id>                     CANCELLED (an unknown id is fenced: cancelled for good)
    GET    /v1/reservations/<id>                     RESERVED | SOLD | CANCELLED | EXPIRED
    GET    /v1/sessions/<session>                    categories with `available`, seats

Run by `kgo up` (`python -m sandboxes.kassir`) on port 17580 (+KGO_PORT_OFFSET), state in
.dev/state/kassir.sqlite3, key in .dev/secrets/kassir-api-key. At start it seeds the demo
city's Kassir-backed sessions (kgo/demo_city/sellable.py: `vendor_events`).

Control API (no auth; loopback only):

    GET    /sandbox/health
    PUT    /sandbox/sessions/<id>   {"title", "categories": [{id, name, price (kopecks), quantity}],
                                     "seats": [[seat, category]]}
    GET    /sandbox/sessions/<id>   inventory: what is available
    GET    /sandbox/reservations?sessionId=<id>
    POST   /sandbox/faults {"method": "reservations.create"|"reservations.confirm"|"reservations.cancel"|
                                      "reservations.get",
                            "mode": "error"|"latency"|"stall"|"taken"|"lose", "times": 1, "seconds": 30,
                            "status": 503,
                            "match": {"sessionId": <id>, "reservationId": <id>}}
                           error: HTTP `status`, nothing done; latency (0.2 s) and stall (30 s): wait
                           `seconds`, then act as usual (slow, or past the client's timeout);
                           taken (create): the seats asked for are sold to someone else a moment before,
                           409 SEATS_UNAVAILABLE; lose (confirm/cancel): the reservation expires at the
                           vendor first
    DELETE /sandbox/faults

Faults live in memory (a restart forgets them).
"""
