"""What the OpenAPI description says about bodies and errors, so that it tells the truth: the typed request
bodies of the endpoints that take input-contract JSON, and the problem details of every error status.

The handlers take the bodies as plain JSON and validate them against the input contract themselves (so the
messages name the field as the contract does); the schemas here describe those same models.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field

from nervetrack.domain.model import CheckIn, Patient, Scores, Surgery
from nervetrack.services.patients import MAX_LEVELS, PHONE

REF = "#/components/schemas/{model}"
PROBLEM_JSON = "application/problem+json"


class ProblemField(BaseModel):
    field: str
    detail: str


class Problem(BaseModel):
    """RFC 9457 problem details; `errors` names each field that is not valid."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[ProblemField] | None = None


class Contact(BaseModel):
    model_config = ConfigDict(extra="forbid")

    phone: Annotated[str, Field(max_length=40, pattern=PHONE.pattern)] | None = None


class SurgeryBody(Surgery):
    levels: Annotated[
        list[Annotated[str, Field(pattern=r"^(T1[0-2]|L[1-5])-(L[1-5]|S1)$")]], Field(max_length=MAX_LEVELS)
    ] = Field(default_factory=list)


class NewPatient(BaseModel):
    """A patient and their surgery (the input contract without check-ins), and how to reach the patient."""

    model_config = ConfigDict(extra="forbid")

    patient: Patient
    surgery: SurgeryBody
    baseline: Scores | None = None
    contact: Contact | None = None


_ERRORS = {
    400: "The request could not be read.",
    401: "No valid API token (problem details).",
    404: "No such patient, check-in or alert in this clinic (problem details).",
    409: "The record exists already, or the alert was already acknowledged (problem details).",
    413: "The request body is larger than allowed (problem details).",
    422: "A field is not valid; `errors` names each one (problem details).",
    503: "The database is busy or unreachable; nothing was stored. Retry after the Retry-After seconds.",
}


def problem_responses() -> dict[int | str, dict[str, Any]]:
    """The error responses every API operation may give, as problem details."""
    schema = {"$ref": REF.format(model="Problem")}
    return {
        status: {"description": text, "content": {PROBLEM_JSON: {"schema": schema}}} for status, text in _ERRORS.items()
    }


def body(model: type[BaseModel]) -> dict[str, Any]:
    """An `openapi_extra` requestBody for a handler that reads `model` as plain JSON."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": REF.format(model=model.__name__)}}},
        }
    }


def install(app: FastAPI) -> None:
    """Generate the OpenAPI description once, with the body and problem models among its components."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(title=app.title, version=app.version, routes=app.routes, description=app.description)
            schemas = spec.setdefault("components", {}).setdefault("schemas", {})
            for model in (Problem, NewPatient, CheckIn):
                found = model.model_json_schema(ref_template=REF)
                schemas.update(found.pop("$defs", {}))
                schemas[model.__name__] = found
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
