"""The operators' view of a running bot: /healthz, /readyz and /metrics (Prometheus) on METRICS_HOST:METRICS_PORT."""

from monitoring.wiring import Monitor

__all__ = ["Monitor"]
