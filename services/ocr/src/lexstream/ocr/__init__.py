"""lexstream ocr."""
