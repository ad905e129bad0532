"""ringbridge: the shared library every ringbridge Lambda function imports."""
