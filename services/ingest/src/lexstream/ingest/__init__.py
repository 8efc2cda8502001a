"""lexstream ingest."""
