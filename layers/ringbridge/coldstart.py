"""Cold start: no cyclic garbage collection while a function's modules load.

Loading a function (boto3, Powertools, pydantic, our models) creates hundreds of thousands of
long-lived objects, and the cyclic collector walks them again and again while they load without
finding garbage: 40 to 70 ms of a cold start here. Each package under functions/ pauses the
collector before its function's module is imported; the first invocation freezes what was
loaded (gc.freeze: those objects are never scanned again) and restarts the collector.
"""

import gc

_paused = False


def pause_gc() -> None:
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_gc() -> None:
    """Idempotent: only the first call after pause_gc does anything."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
