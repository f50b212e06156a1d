"""Stand-ins for the outside world: one local server per external provider, speaking
that provider's real protocol (auth, signatures, callbacks, failure modes), for
development and tests. `kgo up` runs each (kgo/topology.py: SANDBOXES). A sandbox is a
test double of a provider, never of our own components, and shares no code with the
adapters that talk to it (a shared bug would hide itself)."""
