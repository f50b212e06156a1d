"""OpenTelemetry: a tracer provider per service, instrumentation of grpc.aio,
psycopg and redis, and W3C trace context for Kafka headers."""

from __future__ import annotations

from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased


def configure_telemetry(service: str, otlp_endpoint: str, sample_ratio: float) -> None:
    # Head sampling: a sampled parent (traceparent from the caller) is always followed;
    # new traces are kept at `sample_ratio`. Unsampled requests still get trace ids
    # (for log correlation) but skip the cost of recording spans.
    provider = TracerProvider(resource=Resource.create({"service.name": service}),
                              sampler=ParentBased(TraceIdRatioBased(sample_ratio)))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=otlp_endpoint)))
    trace.set_tracer_provider(provider)

    # gRPC server spans come from services.runtime.rpc.observability.
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    PsycopgInstrumentor().instrument(enable_commenter=False)
    RedisInstrumentor().instrument()


def inject_headers() -> dict[str, str]:
    """W3C traceparent (and tracestate) of the current span, for Kafka headers."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier
