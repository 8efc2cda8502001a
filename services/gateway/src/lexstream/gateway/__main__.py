"""``python -m lexstream.gateway``: run the gateway."""

from lexstream.gateway.app import create_app
from lexstream.gateway.settings import GatewaySettings
from lexstream.shared.worker import serve

if __name__ == "__main__":
    settings = GatewaySettings()
    serve(
        create_app(settings),
        settings.http_host,
        settings.http_port,
        keep_alive_s=settings.http_keep_alive_s,
        header_timeout_s=settings.http_header_timeout_s,
    )
