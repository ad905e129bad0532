"""The Ringio-compatible REST API and its change feeds: one function per resource."""

from ringbridge import coldstart

coldstart.begin()  # before the function module loads: see ringbridge/coldstart.py
