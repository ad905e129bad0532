"""The scheduled Ringostat sync."""

from ringbridge import coldstart

coldstart.pause_gc()  # before the function module loads: see ringbridge/coldstart.py
