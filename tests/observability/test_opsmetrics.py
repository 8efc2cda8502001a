"""The operator gauges' arithmetic (lexstream.shared.opsmetrics, transcribe's metrics), without
a stack: lag from offsets, members from DescribeGroups, the time inside a UUIDv7."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace

import pytest
import uuid_utils
from opentelemetry import metrics
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader

from lexstream.shared import opsmetrics
from lexstream.shared.opsmetrics import KafkaSnapshot, ReadinessGauge, group_lag, members_of
from lexstream.transcribe.metrics import Nvml, TranscribeGauges


def test_lag_counts_uncommitted_partitions_of_a_consumed_topic_from_the_oldest_offset() -> None:
    offsets = {("t.a", 0): (0, 10), ("t.a", 1): (4, 9), ("t.a", 2): (0, 0), ("t.b", 0): (0, 7)}
    committed = {("t.a", 0): 6}  # the group consumes t.a; never committed on 1 and 2
    assert group_lag(committed, offsets) == {("t.a", 0): 4, ("t.a", 1): 5, ("t.a", 2): 0}


def test_lag_is_never_negative_and_a_committed_offset_below_the_oldest_counts_from_it() -> None:
    offsets = {("t", 0): (50, 60), ("t", 1): (0, 3)}
    assert group_lag({("t", 0): 10, ("t", 1): 5}, offsets) == {("t", 0): 10, ("t", 1): 0}


def test_members_from_raw_describe_groups_responses() -> None:
    response = SimpleNamespace(
        groups=[
            (0, "p-ocr", "Stable", "consumer", "range", [("m1",), ("m2",)]),
            (0, "p-index", "Empty", "consumer", "", []),
        ]
    )
    assert members_of([response]) == {"p-ocr": 2, "p-index": 0}


def test_dlq_depth_sums_partitions_of_dlq_topics_only() -> None:
    snapshot = KafkaSnapshot(
        offsets={
            ("p.ocr.requested.v1.dlq", 0): (2, 5),
            ("p.ocr.requested.v1.dlq", 1): (0, 1),
            ("p.ocr.requested.v1", 0): (0, 100),
        }
    )
    assert snapshot.dlq_depth() == {"p.ocr.requested.v1.dlq": 4}


def test_uuid7_time_is_the_creation_time_and_other_ids_have_none() -> None:
    before = time.time()
    document_id = str(uuid_utils.uuid7())
    seconds = opsmetrics.uuid7_seconds(document_id)
    assert seconds is not None
    assert before - 0.01 <= seconds <= time.time() + 0.01
    assert opsmetrics.uuid7_seconds("00000000-0000-4000-8000-000000000000") is None
    assert opsmetrics.uuid7_seconds("not-an-id") is None


def _points(reader: InMemoryMetricReader) -> dict[str, list[tuple[dict[str, object], float]]]:
    found: dict[str, list[tuple[dict[str, object], float]]] = {}
    data = reader.get_metrics_data()
    if data is None:  # nothing recorded yet
        return found
    for resource in data.resource_metrics:
        for scope in resource.scope_metrics:
            for metric in scope.metrics:
                for point in metric.data.data_points:
                    value = getattr(point, "value", None)
                    found.setdefault(metric.name, []).append(
                        (dict(point.attributes or {}), float(value if value is not None else 0))
                    )
    return found


def _private_meters(monkeypatch: pytest.MonkeyPatch) -> InMemoryMetricReader:
    """Instruments created through ``metrics.get_meter`` land in a reader of the test's own."""
    reader = InMemoryMetricReader()
    monkeypatch.setattr(metrics, "get_meter", MeterProvider(metric_readers=[reader]).get_meter)
    return reader


def test_readiness_gauge_follows_the_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    reader = _private_meters(monkeypatch)
    state = {"ok": True}

    async def check() -> None:
        if not state["ok"]:
            raise ConnectionError("down")

    gauge = ReadinessGauge(lambda: {"dependency": check})
    assert "lexstream.service.ready" not in _points(reader)  # nothing before a first run
    asyncio.run(gauge.collect())
    assert _points(reader)["lexstream.service.ready"] == [({}, 1.0)]
    state["ok"] = False
    asyncio.run(gauge.collect())
    assert _points(reader)["lexstream.service.ready"] == [({}, 0.0)]


def test_transcribe_reports_its_model_and_no_gpu_series_on_cpu(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reader = _private_meters(monkeypatch)
    TranscribeGauges(model="base", device="cpu", compute_type="int8", load_s=1.5, nvml=None)
    points = _points(reader)
    attributes = {"model": "base", "device": "cpu", "compute_type": "int8"}
    assert points["lexstream.transcribe.model.loaded"] == [(attributes, 1.0)]
    assert points["lexstream.transcribe.model.load.duration"] == [(attributes, 1.5)]
    assert not [name for name in points if name.startswith("hw.")]


def test_nvml_reads_every_gpu_where_a_driver_is_present() -> None:
    nvml = Nvml.open()
    if nvml is None:  # no NVIDIA driver here: nothing to read, and no error either
        return
    readings = nvml.readings()
    assert readings, "NVML loaded but listed no GPU"
    for reading in readings:
        assert 0.0 <= reading.utilization <= 1.0
        assert 0 < reading.memory_used <= reading.memory_total
