"""lexstream index."""
