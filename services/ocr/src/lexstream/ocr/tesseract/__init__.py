"""Tesseract OCR: the engine (one per process) and the pool of worker processes.

Both implement :class:`lexstream.ocr.extractors.base.PageOcr`; the extractors never import
this package, the service (or whoever calls ``extract_text``) hands an implementation in.
"""
