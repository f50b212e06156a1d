"""The shared runtime every KulturaGo service is built on.

Server factory, interceptors, settings, logging, telemetry, PostgreSQL, Redis, S3,
Kafka (outbox relay, inbox consumer). Services import from here and never copy
infrastructure code.
"""
