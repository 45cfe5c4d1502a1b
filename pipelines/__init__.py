"""Employee-advocacy analytics: read exports, validate and load them into DuckDB, compute the metrics."""
