"""Prometheus metrics, on a registry of our own (no global state)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "crmbot_requests_total",
            "Requests by kind and outcome",
            ["kind", "outcome"],
            registry=self.registry,
        )
        self.ack_latency = Histogram(
            "crmbot_ack_latency_seconds",
            "Time from a Slack request's arrival to its HTTP answer",
            ["kind"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 3.0, 5.0),
            registry=self.registry,
        )
        self.job_runs = Counter(
            "crmbot_job_runs_total",
            "Scheduled job cycles",
            ["job", "outcome"],
            registry=self.registry,
        )
        self.messages_sent = Counter(
            "crmbot_messages_sent_total",
            "Messages delivered to Slack",
            ["kind"],
            registry=self.registry,
        )
        self.slack_errors = Counter(
            "crmbot_slack_api_errors_total",
            "Slack Web API errors",
            ["method", "error"],
            registry=self.registry,
        )
        self.slack_rate_limited = Counter(
            "crmbot_slack_rate_limited_total",
            "Slack answers of HTTP 429",
            ["method"],
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
