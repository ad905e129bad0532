"""A whole list in one Lambda response: gzip-compressed when the client accepts it, cut before 6 MB.

Lambda refuses a synchronous response whose payload (the JSON of ``statusCode``, ``headers``,
``body``, ``isBase64Encoded``) is over 6 MB. A plain JSON body travels in that payload escaped as
a JSON string; a gzip body travels base64-encoded (HTTP API and function URLs decode it and send
``Content-Encoding: gzip``). ``ListBody`` writes ``{"<name>": [...], "next": ...}`` item by item
and keeps an upper bound of the payload: the first item that could push it over the bound is left
out, with ``next`` the cursor that resumes at it. Items stream through the compressor, so memory
holds the compressed body, not the list.
"""

import base64
import json
import math
import zlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import Response

from ringbridge import clock

# Lambda's bound for a synchronous response payload (AWS accepts 100 bytes more; we keep them spare).
LAMBDA_RESPONSE_MAX_BYTES = 6 * 1024 * 1024
# What the payload holds besides the body: status, headers (Content-Type, Content-Encoding, Vary,
# what the runtime adds) and isBase64Encoded; ours take about 150 bytes.
ENVELOPE_BYTES = 1024
GZIP_WRAPPER_BYTES = 18  # gzip's header and trailer around the deflate stream
JSON_TYPE = "application/json"
# Kept from the function's timeout to finish the answer (compress the tail, base64, return it).
FINISH_SECONDS = 3


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an Accept-Encoding header value admits gzip (RFC 9110: ``gzip;q=0`` refuses it, ``*`` admits it)."""
    weights: dict[str, float] = {}
    for element in (accept_encoding or "").split(","):
        coding, *params = (part.strip() for part in element.split(";"))
        weight = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if coding:
            weights[coding.lower()] = weight
    for coding in ("gzip", "x-gzip", "*"):
        if coding in weights:
            return weights[coding] > 0
    return False


def _deflate_bound(size: int) -> int:
    """zlib's compressBound: the most a deflate stream of ``size`` input bytes can take."""
    return size + (size >> 12) + (size >> 14) + (size >> 25) + 13


class ListBody:
    """``{"<name>": [item, ...], "next": cursor|null}`` built by ``add``, bounded by ``max_bytes`` of payload."""

    def __init__(self, name: str, *, compress: bool, max_bytes: int = LAMBDA_RESPONSE_MAX_BYTES) -> None:
        self.compress = compress
        self.count = 0
        self._budget = max_bytes - ENVELOPE_BYTES
        self._gzip = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS | 16) if compress else None
        self._chunks: list[bytes] = []
        self._written = 0  # compressed bytes out of the compressor, or escaped characters of the plain body
        self._pending = 0  # bytes in the compressor not yet known to be out
        self._feed(json.dumps(name).join(["{", ":["]))

    def add(self, item_json: str, cursor_after: str) -> bool:
        """Append one item (its JSON text) unless the payload could then exceed the bound: then False.

        ``cursor_after`` is the ``next`` the body needs if it ends after this item with more left:
        that tail is counted too, so ``finish`` always fits.
        """
        text = ("," if self.count else "") + item_json
        if not self._fits(text + self._tail(cursor_after)):
            return False
        self._feed(text)
        self.count += 1
        return True

    def finish(self, next_cursor: str | None) -> bytes:
        """The body: gzip bytes when compressed, else UTF-8 JSON."""
        self._feed(self._tail(next_cursor))
        if self._gzip is not None:
            self._chunks.append(self._gzip.flush())
        return b"".join(self._chunks)

    def _tail(self, cursor: str | None) -> str:
        return f'],"next":{json.dumps(cursor)}}}'

    def _fits(self, text: str) -> bool:
        if self._gzip is None:
            return 2 + self._written + _escaped_length(text) <= self._budget
        if self._payload_bound(len(text.encode())) <= self._budget:
            return True
        if self._pending:
            # The bound counts bytes still inside the compressor as incompressible: flush them out
            # to learn their real size, and check again (this happens only near the end).
            self._collect(self._gzip.flush(zlib.Z_SYNC_FLUSH))
            self._pending = 0
            return self._payload_bound(len(text.encode())) <= self._budget
        return False

    def _payload_bound(self, more: int) -> int:
        """The largest base64 payload the body could take with ``more`` bytes added and the stream finished."""
        compressed = self._written + _deflate_bound(self._pending + more) + GZIP_WRAPPER_BYTES
        return 4 * math.ceil(compressed / 3)

    def _feed(self, text: str) -> None:
        data = text.encode()
        if self._gzip is None:
            self._chunks.append(data)
            self._written += _escaped_length(text)
            return
        self._pending += len(data)
        self._collect(self._gzip.compress(data))

    def _collect(self, out: bytes) -> None:
        if out:
            self._chunks.append(out)
            self._written += len(out)


def _escaped_length(text: str) -> int:
    """Characters ``text`` takes inside a JSON string (the ASCII-only escaping of json.dumps: the largest)."""
    return len(json.dumps(text)) - 2


def deadline(lambda_context: Any) -> datetime:
    """When a list must stop growing for its answer to leave before the function's timeout."""
    left = lambda_context.get_remaining_time_in_millis() / 1000 - FINISH_SECONDS
    return clock.now() + timedelta(seconds=max(left, 0))


def whole_list(
    name: str, items: Iterable[tuple[str, str]], accept_encoding: str | None, until: datetime | None = None
) -> Response[str]:
    """The answer holding as many of ``items`` ((JSON text, cursor after it) pairs) as fit one Lambda response.

    It stops early at ``until`` too, rather than time out. ``next`` is null when every item is in;
    otherwise it resumes at the first one left out.
    """
    body = ListBody(name, compress=accepts_gzip(accept_encoding))
    last_cursor: str | None = None
    complete = True
    for item_json, cursor in items:
        # Past the deadline, a list stops, but not before its first item: an empty answer's null
        # `next` would say the list is complete.
        late = until is not None and last_cursor is not None and clock.now() >= until
        if late or not body.add(item_json, cursor):
            complete = False
            break
        last_cursor = cursor
    data = body.finish(None if complete else last_cursor)
    headers = {"Vary": "Accept-Encoding"}
    if not body.compress:
        return Response(status_code=200, content_type=JSON_TYPE, body=data.decode(), headers=headers)
    # Already compressed, so the resolver must neither serialize nor compress it again: a base64
    # text body flagged as such is passed through as it is.
    response: Response[str] = Response(
        status_code=200,
        content_type=JSON_TYPE,
        body=base64.b64encode(data).decode(),
        headers={**headers, "Content-Encoding": "gzip"},
    )
    response.base64_encoded = True
    return response


# The headers of ``whole_list``'s answers, for the OpenAPI document.
HEADERS: dict[str, Any] = {
    "Vary": {"description": "Accept-Encoding (the whole list, without `limit`)", "schema": {"type": "string"}},
    "Content-Encoding": {
        "description": "gzip: the whole list, when the request accepts it",
        "schema": {"type": "string", "enum": ["gzip"]},
    },
}


def answer(app: Any, name: str, items: Iterable[tuple[str, str]]) -> Response[str]:
    """``whole_list`` for the resolver's current request: its Accept-Encoding, its function's time left."""
    return whole_list(name, items, app.current_event.headers.get("accept-encoding"), deadline(app.lambda_context))


def description(kind: str) -> str:
    """The OpenAPI description of a list route that answers the whole list without ``limit``."""
    return (
        f"Without `limit`: every {kind} (from `cursor` on) that fits one response and its time, gzip-compressed "
        "when the request accepts it; `next` is null when none is left out, else the cursor of the rest (see "
        f"docs/performance.md for how many fit). With `limit`: one page of at most `limit` {kind}s."
    )
