"""``python -m lexstream.transcribe``: run the transcribe worker."""

from lexstream.shared.worker import serve
from lexstream.transcribe.app import create_app
from lexstream.transcribe.settings import TranscribeSettings

if __name__ == "__main__":
    settings = TranscribeSettings()
    serve(create_app(settings), settings.health_host, settings.health_port)
