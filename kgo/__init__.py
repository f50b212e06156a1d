"""kgo: the KulturaGo developer CLI (provisioning, supervision, codegen, events, seeding)."""
