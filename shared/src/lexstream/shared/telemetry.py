"""OpenTelemetry set-up: tracer and meter providers, OTLP export only when configured."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.metrics.view import ExplicitBucketHistogramAggregation, View
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor

from lexstream.shared import __version__

#: seconds; upload-to-searchable objectives are stated at 30 s and 120 s
SEARCHABLE_BUCKETS_S = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)


@dataclass(frozen=True)
class Telemetry:
    tracer_provider: TracerProvider
    meter_provider: MeterProvider

    def tracer(self, name: str) -> trace.Tracer:
        return self.tracer_provider.get_tracer(name, __version__)

    def meter(self, name: str) -> metrics.Meter:
        return self.meter_provider.get_meter(name, __version__)

    def shutdown(self) -> None:
        self.tracer_provider.shutdown()
        self.meter_provider.shutdown()


def setup_telemetry(
    service_name: str,
    otlp_endpoint: str | None,
    *,
    extra_span_processors: tuple[SpanProcessor, ...] = (),
    set_global: bool = True,
    instrument_http: bool = True,
) -> Telemetry:
    """Build providers for one process. Without an endpoint nothing is exported.

    With ``instrument_http`` FastAPI apps and httpx clients created afterwards carry W3C
    trace context (server spans for requests, client spans and headers for calls), so an
    upload through the gateway and ingest joins the trace that Kafka headers carry on.
    """
    # service.instance.id tells two processes of one service apart (the collector's Prometheus
    # exporter makes it the "instance" label); OTEL_RESOURCE_ATTRIBUTES adds deployment ones.
    resource = Resource.create(
        {
            "service.name": service_name,
            "service.version": __version__,
            "service.instance.id": str(uuid.uuid4()),
        }
    )
    tracer_provider = TracerProvider(resource=resource)
    readers: list[MetricReader] = []
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        base = otlp_endpoint.rstrip("/")
        tracer_provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{base}/v1/traces"))
        )
        readers.append(
            PeriodicExportingMetricReader(
                OTLPMetricExporter(endpoint=f"{base}/v1/metrics"),
                # the SDK's default is a minute; 15 s matches a usual scrape interval
                export_interval_millis=float(os.environ.get("OTEL_METRIC_EXPORT_INTERVAL", 15000)),
            )
        )
    for processor in extra_span_processors:
        tracer_provider.add_span_processor(processor)
    meter_provider = MeterProvider(
        resource=resource,
        metric_readers=readers,
        # the SLO's thresholds (docs/slo.md) must be bucket boundaries
        views=[
            View(
                instrument_name="lexstream.pipeline.searchable.duration",
                aggregation=ExplicitBucketHistogramAggregation(SEARCHABLE_BUCKETS_S),
            )
        ],
    )
    if set_global:
        trace.set_tracer_provider(tracer_provider)
        metrics.set_meter_provider(meter_provider)
    if instrument_http:
        # OpenTelemetry's stable HTTP names (http.server.request.duration in seconds,
        # http.response.status_code), which the SLO rules use; an operator's setting wins
        os.environ.setdefault("OTEL_SEMCONV_STABILITY_OPT_IN", "http")
        _instrument_http(tracer_provider, meter_provider)
    return Telemetry(tracer_provider=tracer_provider, meter_provider=meter_provider)


def _instrument_http(tracer_provider: TracerProvider, meter_provider: MeterProvider) -> None:
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    if not FastAPIInstrumentor().is_instrumented_by_opentelemetry:
        FastAPIInstrumentor().instrument(
            tracer_provider=tracer_provider,
            meter_provider=meter_provider,
            excluded_urls="health/live,health/ready",
        )
    if not HTTPXClientInstrumentor().is_instrumented_by_opentelemetry:
        HTTPXClientInstrumentor().instrument(
            tracer_provider=tracer_provider, meter_provider=meter_provider
        )
