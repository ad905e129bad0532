"""The Ringio-compatible REST API and its change feeds: one function per resource."""
