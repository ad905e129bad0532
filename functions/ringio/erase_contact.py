"""RingioEraseContactFunction: erase a person on request (docs/data-lifecycle.md).

A function of its own, apart from the contacts routes: only it may delete recordings and read the
Ringostat auth keys (to send Ringostat the blank contact).
"""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler.api_gateway import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from ringbridge import http
from ringbridge.budget import Budget
from ringbridge.caller import current_caller
from ringbridge.logic import erasure
from ringbridge.logic.allowance import Allowance
from ringbridge.models.erasure import ErasureResult
from ringbridge.observability import logger

app = http.create_app()


@app.post(
    "/ringio/contacts/<contact_id>/erase",
    summary="Erase a contact on request (GDPR): the contact, its notes and recordings; its activities anonymised",
    description="More than DELETE: see docs/data-lifecycle.md. The feeds report the contact deleted. "
    "A rw token only. An erasure the function's time cannot finish answers 202: POST again to continue.",
    tags=["Ringio"],
    responses={
        200: http.ok(ErasureResult, "Erased: nothing of the person remains"),
        202: http.ok(ErasureResult, "Erased in part (the time ran out): POST again to continue where it stopped"),
        **http.errors(
            404,
            409,
            502,
            s409="The contact changed during the erasure: POST again",
            s502="Ringostat did not take the blank contact: POST again (the contact is blank already)",
        ),
    },
)
def erase_contact(contact_id: Annotated[str, Path(max_length=64)]) -> Response[ErasureResult]:
    budget = Budget.for_lambda(app.lambda_context.get_remaining_time_in_millis())
    result = erasure.erase_contact(current_caller().account_id, contact_id, Allowance(budget))
    return Response(status_code=200 if result.complete else 202, content_type=http.JSON, body=result)


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return http.handle(app, event, context)
