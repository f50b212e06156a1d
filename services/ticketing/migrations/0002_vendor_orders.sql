-- The vendor's own id of the order it holds for one of ours, where the vendor names
-- orders itself (TicketsCloud answers POST /v2/resources/orders with its id; Kassir
-- reservations are keyed by our order id and need no row here). Written by the
-- vendor adapter right after the vendor created it; read to confirm, release and ask.
CREATE TABLE vendor_orders (
    order_id        uuid PRIMARY KEY,
    vendor          text NOT NULL,
    vendor_order_id text NOT NULL,
    create_time     timestamptz NOT NULL DEFAULT now()
);
