"""``python -m lexstream.gateway``: run the gateway; ``python -m lexstream.gateway retention
[--dry-run]``: apply the matters' retention policies once (lexstream.gateway.retention)."""

import sys

from lexstream.gateway.app import create_app
from lexstream.gateway.settings import GatewaySettings
from lexstream.shared.worker import serve

if __name__ == "__main__":
    if sys.argv[1:2] == ["retention"]:
        from lexstream.gateway.retention import main

        sys.argv.pop(1)
        main()
    else:
        settings = GatewaySettings()
        serve(
            create_app(settings),
            settings.http_host,
            settings.http_port,
            keep_alive_s=settings.http_keep_alive_s,
            header_timeout_s=settings.http_header_timeout_s,
        )
