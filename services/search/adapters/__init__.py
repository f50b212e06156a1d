"""Implementations of the ports: PostgreSQL index, result cache."""
