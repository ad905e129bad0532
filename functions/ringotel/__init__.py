"""The Ringotel hooks, webhook and integration document: one module per Lambda function."""

from ringbridge import coldstart

coldstart.pause_gc()  # before the function module loads: see ringbridge/coldstart.py
