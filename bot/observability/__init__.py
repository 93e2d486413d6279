"""Health and metrics: what an operator's monitoring asks a running Tocsin.

`recorder.Recorder` is what the pipeline, the delivery loop and the platforms call
to count things (a no-op unless HEALTH_LISTEN is set); `metrics.Metrics` holds the
Prometheus instruments in a registry of its own; `health` decides liveness and
readiness from plain data; `server.HealthServer` answers /healthz, /readyz and
/metrics over HTTP.
"""
