"""One Logger and one Metrics for every function (service name from POWERTOOLS_SERVICE_NAME)."""

from aws_lambda_powertools import Logger

logger = Logger()
