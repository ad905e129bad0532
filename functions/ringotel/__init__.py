"""The Ringotel hooks, webhook and integration document: one module per Lambda function."""

from ringbridge import coldstart

coldstart.begin()  # before the function module loads: see ringbridge/coldstart.py
