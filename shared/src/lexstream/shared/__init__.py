"""lexstream shared."""
