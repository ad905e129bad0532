"""One Logger and one Metrics for every function (service name from POWERTOOLS_SERVICE_NAME)."""

import os

from aws_lambda_powertools import Logger, Metrics

logger = Logger()
# POWERTOOLS_METRICS_NAMESPACE as Powertools reads it, with a fallback for processes that import this first
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE") or "ringbridge")
