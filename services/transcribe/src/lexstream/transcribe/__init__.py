"""lexstream transcribe."""
