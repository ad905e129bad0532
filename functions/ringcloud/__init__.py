"""RingCloud: the scheduled import of completed calls, and click-to-call."""

from ringbridge import coldstart

coldstart.begin()  # before the function module loads: see ringbridge/coldstart.py
