"""The HTTP API's routes as data: which methods each path has.

API Gateway answers a method a path has no route for with its own 404; ringbridge's ``$default``
route (NoRouteFunction) answers it instead, with 405 and ``Allow`` from this table, or 404 with the
error body every route gives. The deployed table is the ``HTTP_ROUTES`` variable, which
``tests/unit/test_routes.py`` keeps equal to template.yaml's routes; locally it is read from the
template itself.
"""

import re

from ringbridge import settings

Routes = dict[str, list[str]]  # path as in the template (/ringio/notes/{note_id}) -> its methods


def pattern(path: str) -> re.Pattern[str]:
    """A route path's regular expression: a ``{param}`` matches one path segment."""
    return re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)) + "$")


def allowed_methods(routes: Routes, path: str) -> list[str]:
    """The methods of the most specific route path matching ``path`` (the ``Allow`` of a 405).

    ``/ringotel/contacts/find`` allows GET: that ``{contact_id}`` would match it too does not count.
    """
    matching = [(route, methods) for route, methods in routes.items() if pattern(route).match(path)]
    if not matching:
        return []
    fewest = min(route.count("{") for route, _ in matching)
    return sorted({method for route, methods in matching if route.count("{") == fewest for method in methods})


def deployed() -> Routes:
    return settings.current().http_routes
