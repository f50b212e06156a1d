"""Pure model of search-service: documents, queries, results."""
