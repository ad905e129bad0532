"""Refusals made before a request reaches an OAuth endpoint (405, 413), in RFC 6749 §5.2's shape.

``ringbridge.http`` answers those with ringbridge's error body; an OAuth client reads only
``{"error": "<code>", "error_description": …}``. Light on purpose: NoRouteFunction imports it.
"""

import json
from typing import Any

PATH_PREFIX = "/oauth/"
RESHAPED = (405, 413)


def in_oauth_shape(answer: dict[str, Any]) -> dict[str, Any]:
    """A 405 or 413 answer with ringbridge's error body, as OAuth's ``invalid_request`` (others as they are)."""
    if answer.get("statusCode") not in RESHAPED:
        return answer
    message = json.loads(answer["body"])["error"]["message"]
    return {**answer, "body": json.dumps({"error": "invalid_request", "error_description": message})}
