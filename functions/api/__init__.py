"""What no other route serves: the HTTP API's $default route."""

from ringbridge import coldstart

coldstart.begin()  # before the function module loads: see ringbridge/coldstart.py
