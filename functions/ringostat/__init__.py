"""Ringostat: the scheduled sync and the push from the table's stream."""

from ringbridge import coldstart

coldstart.begin()  # before the function module loads: see ringbridge/coldstart.py
