"""Domain events over Kafka: envelope, transactional outbox + relay, inbox consumer."""
