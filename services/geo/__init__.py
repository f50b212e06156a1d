"""geo-service: points of interest near a place (PostGIS KNN behind a Redis GEO cache
of hot map cells) and travel time estimates (pgRouting or a geodesic estimate)."""
