"""Accounts: the scheduled continuation of account deletions."""

from ringbridge import coldstart

coldstart.begin()  # before the function module loads: see ringbridge/coldstart.py
