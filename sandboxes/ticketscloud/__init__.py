"""A TicketsCloud sandbox: the vendor's v2 orders API and its own ticket inventory, locally.

Run by `kgo up` (`python -m sandboxes.ticketscloud`) on port 17570 (+KGO_PORT_OFFSET),
state in .dev/state/ticketscloud.sqlite3. The credential is the distributor's API key
(.dev/secrets/ticketscloud-api-key), shared with ticketing-service like the real one
would be. At start it seeds the demo city's TicketsCloud-backed sessions
(kgo/demo_city/sellable.py: `vendor_events`), each a TicketsCloud event with the same
ids as the catalog's session and tiers.

TicketsCloud's API as modelled (https://ticketscloud.readthedocs.io, "Ticketscloud v2
API"): JSON over HTTPS, `Authorization: key <API key>` (401 otherwise), replies
`{"data": ..., "refs": {...}}`. A TicketsCloud event is one performance (our session);
its `sets` are ticket categories (our tiers); seated events name tickets by seat.

    POST  /v2/resources/orders        {"event": <id>, "random": {<set id>: <count>}}  general admission
                                      {"event": <id>, "tickets": ["A-12", ...]}       seats
                                      -> 201 order {id, number, event, status: "reserved", reserved_till,
                                         tickets: [{id, set, seat}], value, values}
                                      409 {"error": "tickets_unavailable"} when some are gone (nothing held),
                                      404 unknown event, 400 bad body
    GET   /v2/resources/orders/<id>   the order; `reserved` turns `expired` once reserved_till passes
                                      (20 minutes: TicketsCloud's setting, not the partner's)
    PATCH /v2/resources/orders/<id>   {"status": "executed"}  sold (the payment went through)
                                      {"status": "cancelled"} (or "canceled") the tickets go back
                                      the same status again answers the order unchanged; any other move
                                      is 409 {"error": "order_<status>"}
    GET   /v2/resources/events/<id>   sets with amount and amount_vacant, seats with vacant

Control API (no auth; loopback only), for tests and for trying failures by hand:

    GET    /sandbox/health
    PUT    /sandbox/events/<id>   {"title", "sets": [{id, name, price (kopecks), amount}], "seats": [[seat, set]]}
    GET    /sandbox/events/<id>   inventory: what is vacant
    GET    /sandbox/orders?event=<id>
    POST   /sandbox/faults {"method": "orders.create"|"orders.update"|"orders.get",
                            "mode": "error"|"latency"|"stall"|"taken"|"lose", "times": 1, "seconds": 30,
                            "status": 503,
                            "match": {"event": <id>, "order": <id>, "status": "executed"}}
                           the next `times` calls of `method` whose parameters include all of `match`:
                           error: answer HTTP `status`, do nothing; latency (0.2 s) and stall (30 s): wait
                           `seconds`, then act as usual (slow, or past the client's timeout); taken (create):
                           the tickets asked for are sold to someone else a moment before, 409; lose (update):
                           the reservation is dropped (expired) at the vendor, after `seconds` the update
                           answers 409
    DELETE /sandbox/faults         forget queued faults

Faults live in memory (a restart forgets them).
"""
