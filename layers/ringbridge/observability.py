"""One Logger and one Metrics for every function (service name from POWERTOOLS_SERVICE_NAME).

HTTP functions publish their metrics once per request (``finish_request``, called by
http.handle), the others once per invocation (``publishes_metrics``), as CloudWatch embedded metric
format (EMF) lines in the function's log:

- ``Requests``, ``Requests4xx``, ``Requests5xx``: every request by outcome (0 or 1 each, so
  rates are Sum(Requests5xx) / Sum(Requests)); an exception escaping the handler counts as a 5xx.
- ``AuthFailures``: requests answered 403 (missing, unknown or revoked token; a read-only token writing).
- Domain counters added during the request: ``FindContactMatched``/``FindContactUnmatched``,
  ``ActivitiesCreated``, ``RecordingsStored`` and ``RecordingBytes``.

Every log line carries the API Gateway request id as ``correlation_id`` (and Powertools'
``function_request_id``, the Lambda request id).
"""

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from ringbridge import settings

Handler = TypeVar("Handler", bound=Callable[..., Any])

logger = Logger()
# POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME (the stack's name, the dimension the alarms
# read), with the settings' fallbacks for local processes that import this before setting them.
metrics = Metrics(
    namespace=settings.current().powertools_metrics_namespace,
    service=settings.current().powertools_service_name,
)


def count(name: str, value: float = 1, unit: MetricUnit = MetricUnit.Count) -> None:
    """Add to a metric of the current invocation (published at its end)."""
    metrics.add_metric(name=name, unit=unit, value=value)


def start_tracing() -> None:
    """Patch boto3 and requests for X-Ray when tracing is on (once; importing the module does it)."""
    if settings.current().tracing_enabled:
        from ringbridge import tracing  # noqa: F401


def start_request(event: dict[str, Any]) -> None:
    start_tracing()
    logger.set_correlation_id((event.get("requestContext") or {}).get("requestId"))


def finish_request(response: dict[str, Any] | None) -> None:
    """Publish the request's metrics; ``response`` None: the handler raised (API Gateway answers 500)."""
    status = int(response.get("statusCode", 200)) if response is not None else 500
    count("Requests")
    count("Requests4xx", 1 if 400 <= status < 500 else 0)
    count("Requests5xx", 1 if status >= 500 else 0)
    count("AuthFailures", 1 if status == 403 else 0)
    publish_metrics()


def publishes_metrics(handler: Handler) -> Handler:
    """A handler that publishes its invocation's metrics when it ends, however it ends."""

    @functools.wraps(handler)
    def publishing(*args: Any, **kwargs: Any) -> Any:
        try:
            return handler(*args, **kwargs)
        finally:
            publish_metrics()

    return publishing  # type: ignore[return-value]


def publish_metrics() -> None:
    metrics.flush_metrics()
    # Powertools keeps what it did not print when metrics are disabled (the local stack, the tests), and a
    # warm process would pile them up run after run: drop them anyway.
    metrics.clear_metrics()
