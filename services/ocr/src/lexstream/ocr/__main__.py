"""``python -m lexstream.ocr``: run the ocr worker."""

from lexstream.ocr.app import create_app
from lexstream.ocr.settings import OcrSettings
from lexstream.shared.worker import serve

if __name__ == "__main__":
    settings = OcrSettings()
    serve(create_app(settings), settings.health_host, settings.health_port)
