"""lexstream.shared: events, settings and clients every service uses."""

__version__ = "0.1.0"
