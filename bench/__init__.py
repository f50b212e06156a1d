"""`nox -s bench`: load tests through Envoy, side by side in one run."""
