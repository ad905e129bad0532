"""Data access: the only code that speaks to DynamoDB and S3."""
