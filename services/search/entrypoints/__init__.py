"""Ways in: gRPC SearchService and the event.published consumer."""
