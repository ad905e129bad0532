"""NoRouteFunction: the HTTP API's $default route, for what no other route serves.

A method the path has no route for answers 405 with ``Allow``; an unknown path 404. Both with the
error body every route gives, where API Gateway alone would answer ``{"message": "Not Found"}``.
"""

from typing import Any

from ringbridge import http


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http.no_route(event)
