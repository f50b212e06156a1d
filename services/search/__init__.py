"""search-service: full-text search over published events (gRPC + Kafka indexer)."""
