"""X-Ray tracing with the Powertools Tracer, loaded only when the stack's Tracing parameter is on.

Creating the Tracer imports aws_xray_sdk and patches botocore and requests, so every DynamoDB,
S3 and SSM call and every Ringostat request becomes a subsegment of the invocation's trace
(Lambda itself records the invocation's segment). That costs cold start (see docs/performance.md,
cold start with Tracing on), which is why functions import this module only when tracing is on.
"""

from aws_lambda_powertools import Tracer

tracer = Tracer()  # service name from POWERTOOLS_SERVICE_NAME; Powertools disables it outside Lambda
