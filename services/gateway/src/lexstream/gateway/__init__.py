"""lexstream gateway."""
