"""`make bench`: measurements written into docs/performance.md, and the numbers the docs' prose quotes.

Each module here that defines ``TITLE`` and ``measure()`` is one section. ``measure()`` answers its
markdown, or a ``Measured``: the markdown and, by name, the numbers that prose elsewhere in the docs
quotes between ``<!-- bench:NAME -->`` and ``<!-- /bench -->`` (the module lists those names in ``QUOTED``).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Measured:
    text: str
    quoted: dict[str, str]
