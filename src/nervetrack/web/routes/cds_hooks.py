"""CDS Hooks 2.0 service under /cds-services: discovery, the patient-view service, and its feedback endpoint.

POSTs need the CDS client's bearer JWT (web/cds_auth; issuers and keys from the settings). Missing prefetch is
fetched from `fhirServer` with `fhirAuthorization`, or answered 412. Errors are OperationOutcomes
(web/fhir_outcomes); browsers may call from the configured origins (CORS, `install`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, FastAPI, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from nervetrack.config import Settings
from nervetrack.domain.assess import assess
from nervetrack.interop.cds_hooks import (
    PREFETCH,
    REQUIRED_PREFETCH,
    SERVICE_ID,
    CardContext,
    cards,
    discovery,
    prefetch_resources,
)
from nervetrack.interop.errors import CdsRequestError, PrefetchMissing
from nervetrack.interop.fhir_bundle import imported_patient
from nervetrack.interop.fhir_patient import is_surgery
from nervetrack.knowledge import load_knowledge
from nervetrack.services import clock
from nervetrack.services.cds_feedback import CardFeedback, record_feedback
from nervetrack.services.errors import NotFound
from nervetrack.web.cds_auth import CdsClient, verify_client
from nervetrack.web.cds_fetch import fetch_missing
from nervetrack.web.deps import SettingsDep, UowDep
from nervetrack.web.fhir_outcomes import interop_responses

PREFIX = "/cds-services"
router = APIRouter(prefix=PREFIX, tags=["cds-hooks"], responses=interop_responses("application/json"))


class _Context(BaseModel):
    model_config = ConfigDict(extra="allow")
    patientId: Annotated[str, Field(min_length=1, max_length=64)]
    userId: str | None = None


class HookRequest(BaseModel):
    """The fields of a CDS Hooks call this service reads (others are allowed and ignored)."""

    model_config = ConfigDict(extra="allow")
    hook: Literal["patient-view"]
    hookInstance: Annotated[str, Field(min_length=1, max_length=200)]
    context: _Context
    fhirServer: str | None = None
    fhirAuthorization: dict[str, Any] | None = None
    prefetch: dict[str, Any] | None = None


class _Reason(BaseModel):
    model_config = ConfigDict(extra="allow")
    reason: dict[str, Any] | None = None


class _Feedback(BaseModel):
    model_config = ConfigDict(extra="allow")
    card: Annotated[str, Field(min_length=1, max_length=64)]
    outcome: Literal["accepted", "overridden"]
    outcomeTimestamp: dt.datetime
    overrideReason: _Reason | None = None


class FeedbackRequest(BaseModel):
    feedback: Annotated[list[_Feedback], Field(min_length=1, max_length=100)]


@router.get("", summary="CDS Hooks discovery")
def discover() -> JSONResponse:
    return JSONResponse(discovery())


@router.post("/{service_id}", summary="Call the patient-view service: cards for the patient in context")
def call_service(
    request: Request,
    settings: SettingsDep,
    service_id: str,
    body: Annotated[Any, Body()],
    authorization: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    _service(service_id)
    _client(request, settings, authorization, service_id)
    hook = _parsed(HookRequest, body)
    prefetch = {k: v for k, v in (hook.prefetch or {}).items() if k in PREFETCH and v is not None}
    missing = [key for key in REQUIRED_PREFETCH if key not in prefetch]
    if missing:
        if not hook.fhirServer:
            raise PrefetchMissing(f"prefetch {', '.join(missing)} missing and no fhirServer to fetch it from")
        prefetch |= fetch_missing(hook.fhirServer, hook.fhirAuthorization, hook.context.patientId, missing)
    resources = prefetch_resources(prefetch)
    if not any(r.get("resourceType") == "Procedure" and is_surgery(r) for r in resources):
        return JSONResponse({"cards": []})  # no NerveTrack record for this patient: no decision support
    knowledge = load_knowledge()
    imported = imported_patient(resources, knowledge.odi.sections)
    record = imported.record()
    last = max((c.date for c in record.checkins), default=record.surgery.date)
    assessment = assess(record, knowledge, as_of=max(clock.today(), last, record.surgery.date))
    base = settings.public_base(str(request.base_url))
    context = CardContext(
        hook_instance=hook.hookInstance,
        source_url=f"{base}{PREFIX}",
        patient_url=f"{base}/clinic/patients/{imported.patient.id}",
    )
    return JSONResponse({"cards": cards(assessment, knowledge, context)})


@router.post("/{service_id}/feedback", summary="What the clinician did with the cards")
def feedback(
    request: Request,
    settings: SettingsDep,
    uow: UowDep,
    service_id: str,
    body: Annotated[Any, Body()],
    authorization: Annotated[str | None, Header()] = None,
) -> JSONResponse:
    _service(service_id)
    client = _client(request, settings, authorization, service_id, "/feedback")
    items = _parsed(FeedbackRequest, body).feedback
    stored = record_feedback(
        uow,
        client.issuer,
        [CardFeedback(i.card, i.outcome, _reason_code(i.overrideReason)) for i in items],
    )
    return JSONResponse({"stored": stored})


def install(app: FastAPI, origins: list[str]) -> None:
    """Let browser EHRs on `origins` call /cds-services (and only that path) across origins."""
    app.add_middleware(_CdsCors, origins=origins)


class _CdsCors:
    """Starlette's CORS middleware, applied to /cds-services only: the rest of the app stays same-origin."""

    def __init__(self, app: ASGIApp, origins: list[str]) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=origins,
            allow_methods=["GET", "POST", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type"],
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path", "").startswith(PREFIX):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)


def _service(service_id: str) -> None:
    if service_id != SERVICE_ID:
        raise NotFound(f"no CDS service {service_id!r} (this server offers {SERVICE_ID})")


def _client(
    request: Request, settings: Settings, authorization: str | None, service_id: str, suffix: str = ""
) -> CdsClient:
    audience = f"{settings.public_base(str(request.base_url))}{PREFIX}/{service_id}{suffix}"
    return verify_client(authorization, settings.cds_hooks_issuers, audience)


def _parsed(model: type[Any], body: Any) -> Any:
    try:
        return model.model_validate(body)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "body"
        raise CdsRequestError(f"{where}: {first['msg']}") from None


def _reason_code(reason: _Reason | None) -> str | None:
    code = ((reason.reason if reason else None) or {}).get("code")
    return str(code)[:32] if code else None
