"""The format plugins, one module per format family (Aleph ingest-file style).

Each plugin says whether it takes a media type and then extracts; :mod:`lexstream.ocr.extract`
holds the registry and ``extract_text``. This package imports nothing itself, so that a
plugin is imported with only what it needs: the plain-text, HTML and e-mail plugins load
neither PDFium nor Tesseract.
"""
