"""Which DynamoDB operations the current request issued: round-trip counts and the no-Scan rule.

A context variable rather than a thread-local: the handler runs in a worker thread (see
lambdas.invoke) that starts from a copy of the caller's context, so its calls land in the
caller's list.
"""

from contextvars import ContextVar

from ringbridge import aws

_log: ContextVar[list[str] | None] = ContextVar("dynamodb_calls", default=None)
_recorded_client: object = None


def _record(event_name: str, **_: object) -> None:
    log = _log.get()
    if log is not None:
        log.append(event_name.rsplit(".", 1)[-1])


def start() -> list[str]:
    """Record this context's DynamoDB calls from now on into the returned list (a new one)."""
    global _recorded_client
    client = aws.dynamodb()
    if client is not _recorded_client:  # a new client, after stack.use_endpoint pointed this process elsewhere
        client.meta.events.register("before-call.dynamodb", _record)
        _recorded_client = client
    log: list[str] = []
    _log.set(log)
    return log
