"""pydantic models: what the API accepts and answers."""
