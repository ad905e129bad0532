"""Ringostat's tests' settings."""

RINGOSTAT_LINK = "https://crm.example.com/contacts/{id}"
