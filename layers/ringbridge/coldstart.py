"""Cold start: load only what a function uses, without the cyclic garbage collector running meanwhile.

Each package under functions/ calls ``begin()`` before its function's module is imported:

- **Package __init__s deferred.** Some packages of our dependencies import far more in their
  __init__ than a function uses: Powertools' ``event_handler`` loads every resolver (AppSync's, and
  with it ``asyncio``; Bedrock's; VPC Lattice's) where we use the HTTP API's, its ``data_classes``
  every event class (Kinesis, S3, SQS, ...), ``phonenumbers`` the as-you-type formatter, the
  number matcher and the short-number data where we parse and format, and ``oauthlib.oauth2``
  every client where we run a server: some 30 ms of every cold start here. ``begin()`` registers
  such a package without running its __init__: its submodules import as usual, a name its __init__
  takes from one of them comes from that submodule when asked for, and anything else asked of the
  package runs the real __init__ first. Nothing behaves differently; less is loaded.
- **No garbage collection while loading.** Loading a function (boto3, Powertools, pydantic, our
  models) creates hundreds of thousands of long-lived objects, and the cyclic collector walks them
  again and again while they load without finding garbage: 40 to 70 ms of a cold start here. The
  collector is paused; the first invocation freezes what was loaded (``gc.freeze``: those objects
  are never scanned again) and restarts it (``resume_gc``).
"""

import ast
import gc
import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

# Each of these packages' __init__ imports far more than a function uses (see above).
_DEFERRED = (
    "aws_lambda_powertools.event_handler",
    "aws_lambda_powertools.utilities.data_classes",
    "phonenumbers",
    "oauthlib.oauth2",
)

_paused = False


def begin() -> None:
    """Before a function's module loads: defer the package __init__s above and pause the collector."""
    global _paused
    for package in _DEFERRED:
        _defer_init(package)
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_gc() -> None:
    """Idempotent: only the first call after begin() does anything."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()


def _defer_init(name: str) -> None:
    if name in sys.modules:
        return
    spec = importlib.util.find_spec(name)
    loader = spec.loader if spec else None
    if spec is None or loader is None or spec.origin is None or spec.submodule_search_locations is None:
        return
    init = Path(spec.origin)
    homes: dict[str, tuple[str, str]] | None = None  # read when first asked for: many cold starts never ask
    package = importlib.util.module_from_spec(spec)  # __path__ and __spec__ set; __init__ not run

    def attribute(attr: str) -> Any:
        nonlocal homes
        if homes is None:
            homes = _reexports(name, init)
        if attr in homes:
            module, original = homes[attr]
            return getattr(importlib.import_module(module), original)
        if not attr.startswith("__") and importlib.util.find_spec(f"{name}.{attr}") is not None:
            return importlib.import_module(f"{name}.{attr}")  # `from package import submodule`
        del package.__getattr__  # anything else: the package as its __init__ makes it
        loader.exec_module(package)
        return getattr(package, attr)

    package.__getattr__ = attribute  # type: ignore[method-assign]
    sys.modules[name] = package
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(importlib.import_module(parent), child, package)


def _reexports(package: str, init: Path) -> dict[str, tuple[str, str]]:
    """What the package's __init__ takes from its own submodules: {name: (submodule, name there)}.

    Importing a name from the module that defines it is what the __init__ itself does, in the
    order its own modules need (one of Powertools' event classes imports another from the package).
    """
    homes = {}
    for node in ast.parse(init.read_bytes()).body:
        if isinstance(node, ast.ImportFrom) and node.module:
            module = importlib.util.resolve_name("." * node.level + node.module, package)
            if module.startswith(f"{package}."):
                homes.update({alias.asname or alias.name: (module, alias.name) for alias in node.names})
    return homes
