"""Business rules: plain functions from pydantic inputs to pydantic outputs."""
