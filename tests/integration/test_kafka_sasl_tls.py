"""Kafka over SASL_SSL with SCRAM-SHA-512, on the local stack's secured listener.

deploy/local/stack.sh runs a second Kafka listener (LEXSTREAM_STACK_KAFKA_SECURE_PORT, 9094)
with a certificate from a CA it makes under .stack/conf/kafka/tls and a SCRAM user. With the
services' settings pointed at it, the project's own factories (make_broker, ensure_topics)
publish and consume; a wrong password, a plaintext client and a client that does not trust
the CA are refused, each for its own reason (read from aiokafka's log: every refusal surfaces
as the same "Unable to bootstrap" error). Skipped, naming why, when the listener is not up
(a stack started before it existed: ``stack.sh stop kafka && stack.sh start kafka``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError
from tests.conftest import settings_for

from lexstream.shared.kafka import ensure_topics, make_broker
from lexstream.shared.settings import LOCAL_KAFKA_SASL_PASSWORD, CommonSettings
from lexstream.shared.telemetry import setup_telemetry
from lexstream.shared.transport import kafka_client_options

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

ROOT = Path(__file__).resolve().parents[2]
STACK_DIR = Path(os.environ.get("LEXSTREAM_STACK_DIR", ROOT / ".stack"))
SECURE_PORT = int(os.environ.get("LEXSTREAM_STACK_KAFKA_SECURE_PORT", "9094"))
CA_FILE = STACK_DIR / "conf" / "kafka" / "tls" / "ca.pem"
SCRAM_USER = os.environ.get("LEXSTREAM_STACK_KAFKA_SCRAM_USER", "lexstream")
SCRAM_PASSWORD = os.environ.get("LEXSTREAM_STACK_KAFKA_SCRAM_PASSWORD", LOCAL_KAFKA_SASL_PASSWORD)
BOOTSTRAP = f"127.0.0.1:{SECURE_PORT}"

SecuredSettings = Callable[..., CommonSettings]


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1.0)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def secured(stack_env: dict[str, str]) -> SecuredSettings:
    """Settings for the secured listener; keyword arguments override LEXSTREAM_* values."""
    if SECURE_PORT == 0 or not _listening(SECURE_PORT) or not CA_FILE.is_file():
        pytest.skip(
            f"Kafka's secured listener is not up on {BOOTSTRAP} (CA {CA_FILE}): restart Kafka "
            "with 'deploy/local/stack.sh stop kafka && deploy/local/stack.sh start kafka'"
        )

    def build(**overrides: str) -> CommonSettings:
        env = {
            **stack_env,
            "LEXSTREAM_KAFKA_BOOTSTRAP_SERVERS": BOOTSTRAP,
            "LEXSTREAM_KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "LEXSTREAM_KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            "LEXSTREAM_KAFKA_SASL_USERNAME": SCRAM_USER,
            "LEXSTREAM_KAFKA_SASL_PASSWORD": SCRAM_PASSWORD,
            "LEXSTREAM_KAFKA_SSL_CA_FILE": str(CA_FILE),
        }
        env.update({f"LEXSTREAM_{name.upper()}": value for name, value in overrides.items()})
        return settings_for(env)

    return build


async def test_the_broker_factory_publishes_and_consumes_over_sasl_ssl(
    secured: SecuredSettings,
) -> None:
    settings = secured()
    topic = f"{settings.topic_prefix}.transport.sasl.v1"
    await ensure_topics(settings, [topic])  # the admin client goes through the same options
    broker = make_broker(
        settings, setup_telemetry("test", None, instrument_http=False), client_id="sasl-test"
    )
    received: asyncio.Future[dict[str, str]] = asyncio.get_running_loop().create_future()

    @broker.subscriber(
        topic, group_id=f"{settings.topic_prefix}-sasl-test", auto_offset_reset="earliest"
    )
    async def handle(body: dict[str, str]) -> None:
        if not received.done():
            received.set_result(body)

    marker = uuid.uuid4().hex
    await broker.start()
    try:
        await broker.publish({"marker": marker}, topic, key=marker.encode())
        assert await asyncio.wait_for(received, 60) == {"marker": marker}
    finally:
        await broker.stop()


async def _refused(options: dict[str, object], caplog: pytest.LogCaptureFixture) -> str:
    """Starts a producer that must be refused; returns what aiokafka logged as the cause."""
    producer = AIOKafkaProducer(**options, request_timeout_ms=5000)
    with caplog.at_level(logging.ERROR, logger="aiokafka"):
        try:
            with pytest.raises(KafkaConnectionError):
                await asyncio.wait_for(producer.start(), 30)
        finally:
            await producer.stop()
    return caplog.text


async def test_a_wrong_password_is_refused(
    secured: SecuredSettings, caplog: pytest.LogCaptureFixture
) -> None:
    options = kafka_client_options(secured(kafka_sasl_password="not-the-password"))
    assert "SaslAuthenticationFailed" in await _refused(options, caplog)


async def test_a_plaintext_client_gets_nothing_from_the_tls_port(
    secured: SecuredSettings, caplog: pytest.LogCaptureFixture
) -> None:
    options = kafka_client_options(secured(kafka_security_protocol="PLAINTEXT"))
    assert options == {"bootstrap_servers": BOOTSTRAP, "security_protocol": "PLAINTEXT"}
    assert "closed" in await _refused(options, caplog)


async def test_a_client_that_does_not_trust_the_ca_is_refused(
    secured: SecuredSettings, caplog: pytest.LogCaptureFixture
) -> None:
    settings = secured()
    # the system trust store instead of the stack's CA: the broker's certificate is unknown
    options = kafka_client_options(settings.model_copy(update={"kafka_ssl_ca_file": None}))
    assert "CERTIFICATE_VERIFY_FAILED" in await _refused(options, caplog)
