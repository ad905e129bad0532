"""`make bench`: measurements written into the README's Performance section.

Each module here that defines ``TITLE`` and ``measure() -> str`` (markdown) is one section.
"""
