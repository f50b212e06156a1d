"""event-service: the catalog of events (browse, card, admin publishing)."""
