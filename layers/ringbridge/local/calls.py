"""Which DynamoDB operations the current thread issued: round-trip counts and the no-Scan rule."""

import threading

from ringbridge import aws

_local = threading.local()
_registered = False


def _record(event_name: str, **_: object) -> None:
    log = getattr(_local, "log", None)
    if log is not None:
        log.append(event_name.rsplit(".", 1)[-1])


def start() -> list[str]:
    """Record this thread's DynamoDB calls from now on into the returned list (cleared first)."""
    global _registered
    if not _registered:
        aws.dynamodb().meta.events.register("before-call.dynamodb", _record)
        _registered = True
    _local.log = []
    return _local.log
