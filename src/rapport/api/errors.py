"""What the API answers when something goes wrong: always JSON, never a
traceback, and for bad input the same shape as django-ninja's own 422, so a
client reads one format whether the schema or a service refused the input:

    {"detail": [{"loc": ["body", "emails"], "msg": "…", "type": "value_error"}]}
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, ValidationError
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, ValidationErrorContext
from ninja.errors import ValidationError as SchemaValidationError
from pydantic import BaseModel

from rapport.core.errors import DuplicateContact, PermissionDenied
from rapport.search.query import QueryError

logger = logging.getLogger("rapport.api")


class Message(Schema):
    detail: str


class FieldError(Schema):
    loc: list[str | int]
    msg: str
    type: str
    candidate_id: int | None = None
    position: int | None = None
    length: int | None = None


class FieldErrors(Schema):
    detail: list[FieldError]


# The error responses every endpoint may give, for the OpenAPI schema.
ERRORS: dict[int, type[Schema]] = {401: Message, 403: Message, 404: Message, 422: FieldErrors}


def field_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """A service's ValidationError as 422 items, one per message."""
    if isinstance(exc, DuplicateContact):
        return [
            {
                "loc": ["body", exc.field],
                "msg": message,
                "type": "duplicate_contact",
                "candidate_id": exc.candidate_id,
            }
            for message in exc.messages
        ]
    if not hasattr(exc, "error_dict"):
        return [{"loc": ["body"], "msg": m, "type": "value_error"} for m in exc.messages]
    return [
        {
            "loc": ["body"] if field == NON_FIELD_ERRORS else ["body", field],
            "msg": message,
            "type": "value_error",
        }
        for field, messages in exc.message_dict.items()
        for message in messages
    ]


@contextmanager
def fields_as_sent(**names: str) -> Iterator[None]:
    """Services name their errors after model fields (`email`); rename them
    to the fields the client sent (`emails`) so that `loc` points at the input."""
    try:
        yield
    except DuplicateContact as exc:
        raise DuplicateContact(
            field=names.get(exc.field, exc.field),
            value=exc.value,
            candidate_id=exc.candidate_id,
            candidate_name=exc.candidate_name,
        ) from exc
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        renamed = {names.get(field, field): msgs for field, msgs in exc.message_dict.items()}
        raise ValidationError(renamed) from exc


class RapportAPI(NinjaAPI):
    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext[Any]]
    ) -> SchemaValidationError:
        """Django-ninja puts the name of the view's argument in `loc`
        (["body", "payload", "emails", 0]); the client never sent that name,
        and service errors do not have it, so drop it: ["body", "emails", 0]."""
        error = super().validation_error_from_error_contexts(error_contexts)
        wrappers = {
            (context.model.__ninja_param_source__, name)
            for context in error_contexts
            for name, info in context.model.model_fields.items()
            if isinstance(info.annotation, type) and issubclass(info.annotation, BaseModel)
        }
        for item in error.errors:
            loc = item["loc"]
            if len(loc) > 2 and (loc[0], loc[1]) in wrappers:
                item["loc"] = (loc[0], *loc[2:])
        return error


def install_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return api.create_response(request, {"detail": field_errors(exc)}, status=422)

    @api.exception_handler(QueryError)
    def bad_query(request: HttpRequest, exc: QueryError) -> HttpResponse:
        # Where the mistake is, as an offset into `q`, so a client can mark it.
        item = {
            "loc": ["query", "q"],
            "msg": exc.message,
            "type": "query_error",
            "position": exc.position,
            "length": exc.length,
        }
        return api.create_response(request, {"detail": [item]}, status=422)

    @api.exception_handler(PermissionDenied)
    def denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc)}, status=403)

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        # The same answer whether the object is missing or out of the user's
        # scope: a 404 must not hint that something exists.
        return api.create_response(request, {"detail": "Not found"}, status=404)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        body = {"detail": "Send a valid API token (Authorization: Bearer …) or log in."}
        response = api.create_response(request, body, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = {"detail": f"The request body is larger than {limit:,} bytes; send less at once."}
        return api.create_response(request, body, status=413)

    @api.exception_handler(Exception)
    def crashed(request: HttpRequest, exc: Exception) -> HttpResponse:
        if settings.DEBUG:
            raise exc  # Django's debug page, with the traceback
        got_request_exception.send(sender=None, request=request)
        logger.error("API error on %s", request.path, exc_info=exc)
        body = {"detail": "Something went wrong on our side; it has been logged."}
        return api.create_response(request, body, status=500)
