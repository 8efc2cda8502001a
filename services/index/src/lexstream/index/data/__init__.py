"""Tables kept as data (JSON), read by lexstream.index.extraction.tables."""
