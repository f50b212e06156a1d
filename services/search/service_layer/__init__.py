"""Use cases of search-service and the ports they depend on."""
