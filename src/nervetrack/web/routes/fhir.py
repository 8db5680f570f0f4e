"""FHIR R4 endpoint under /fhir for hospital systems (bearer API tokens, as the REST API).

GET /fhir/metadata; read (GET /fhir/{type}/{id}) and search by patient (GET /fhir/{type}?patient=...) for the
resources NerveTrack exports; GET /fhir/Patient/{id}/$everything; POST /fhir with a transaction Bundle of
QuestionnaireResponses, each recorded as a check-in. Every error is an OperationOutcome (web/fhir_outcomes).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from nervetrack import __version__
from nervetrack.config import Settings
from nervetrack.interop.errors import FhirInputError
from nervetrack.interop.fhir_bundle import bundle_resources, patient_resources, questionnaires, searchset
from nervetrack.interop.fhir_capability import SEARCHABLE, capability_statement
from nervetrack.interop.fhir_patient import patient_resource
from nervetrack.interop.fhir_responses import response_id
from nervetrack.interop.fhir_validation import validated
from nervetrack.knowledge import load_knowledge
from nervetrack.services.errors import NotFound
from nervetrack.services.fhir_exchange import (
    patient_facts,
    patient_for_fhir_id,
    patient_for_resource,
    patient_ids,
    record_responses,
)
from nervetrack.services.patients import get_patient
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor
from nervetrack.web.deps import ApiActorDep, SettingsDep, UowDep
from nervetrack.web.fhir_outcomes import FHIR_JSON, interop_responses

router = APIRouter(prefix="/fhir", tags=["fhir"], responses=interop_responses())
Json = dict[str, Any]


def _fhir(body: Json, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=FHIR_JSON, headers=headers)


def _base(request: Request, settings: Settings) -> str:
    return settings.public_base(str(request.base_url)) + "/fhir"


@router.get("/metadata", summary="CapabilityStatement (FHIR 4.0.1)")
def metadata(request: Request, settings: SettingsDep) -> JSONResponse:
    return _fhir(capability_statement(_base(request, settings), __version__, dt.date.today().isoformat()))


@router.get("/Patient/{patient_id}/$everything", summary="Everything about one patient, as a searchset Bundle")
def everything(
    request: Request, uow: UowDep, actor: ApiActorDep, settings: SettingsDep, patient_id: str
) -> JSONResponse:
    ref = patient_for_fhir_id(uow, actor, patient_id)
    resources = _patient_resources(uow, actor, ref)
    return _fhir(searchset([*questionnaires(load_knowledge()), *resources], _base(request, settings)))


@router.get("/{kind}/{resource_id}", summary="Read one resource")
def read(uow: UowDep, actor: ApiActorDep, kind: str, resource_id: str) -> JSONResponse:
    _known(kind)
    if kind == "Questionnaire":
        found = [q for q in questionnaires(load_knowledge()) if q["id"] == resource_id]
    else:
        ref = patient_for_resource(uow, actor, kind, resource_id)
        found = [r for r in _patient_resources(uow, actor, ref) if r["resourceType"] == kind and r["id"] == resource_id]
    if not found:
        raise _not_found(kind, resource_id)
    return _fhir(found[0])


@router.get("/{kind}", summary="Search one resource type by patient")
def search(request: Request, uow: UowDep, actor: ApiActorDep, settings: SettingsDep, kind: str) -> JSONResponse:
    _known(kind)
    params = dict(request.query_params)
    unknown = sorted(set(params) - set(SEARCHABLE[kind]) - {"_count", "_sort", "_format"})
    if unknown:
        raise FhirInputError(f"{kind}?{unknown[0]}", f"is not a search parameter here ({', '.join(SEARCHABLE[kind])})")
    if kind == "Questionnaire":
        found = [q for q in questionnaires(load_knowledge()) if params.get("url") in (None, q["url"])]
    elif kind == "Patient":
        found = _patients(uow, actor, params)
    else:
        found = _by_patient(uow, actor, kind, params)
    return _fhir(searchset(found, _base(request, settings)))


@router.post("", summary="A transaction Bundle of QuestionnaireResponses: each becomes a check-in")
def transaction(request: Request, uow: UowDep, actor: ApiActorDep, bundle: Annotated[Any, Body()]) -> JSONResponse:
    validated(bundle, "Bundle")
    if bundle.get("type") not in ("transaction", "batch"):
        raise FhirInputError("Bundle.type", "must be transaction")
    responses = bundle_resources(bundle)
    for i, resource in enumerate(responses):
        if resource.get("resourceType") != "QuestionnaireResponse":
            raise FhirInputError(f"Bundle.entry[{i}].resource", "must be a QuestionnaireResponse")
    results = record_responses(uow, actor, responses, load_knowledge().odi.sections)
    entries = [
        {
            "response": {
                "status": "201 Created" if result.created else "200 OK",
                "location": f"QuestionnaireResponse/{response_id(result.checkin.id)}",
                "outcome": _triage_outcome(result.assessment.triage.level.value, result.assessment.triage.summary),
            }
        }
        for result in results
    ]
    return _fhir({"resourceType": "Bundle", "type": "transaction-response", "entry": entries})


def _patient_resources(uow: UnitOfWork, actor: Actor, ref: str) -> list[Json]:
    return patient_resources(patient_facts(uow, actor, ref), load_knowledge())


def _patients(uow: UnitOfWork, actor: Actor, params: dict[str, str]) -> list[Json]:
    wanted = params.get("_id") or params.get("identifier", "").split("|")[-1] or None
    if "_id" in params:
        refs = [patient_for_fhir_id(uow, actor, params["_id"])]
    else:
        refs = [ref for ref in patient_ids(uow, actor) if wanted in (None, ref)]
    return [_patient_json(uow, actor, ref) for ref in refs]


def _patient_json(uow: UnitOfWork, actor: Actor, ref: str) -> Json:
    return patient_resource(get_patient(uow, actor, ref).record.patient)


def _by_patient(uow: UnitOfWork, actor: Actor, kind: str, params: dict[str, str]) -> list[Json]:
    target = params.get("patient") or params.get("subject")
    if not target:
        raise FhirInputError(f"{kind}?patient", "search by patient (patient=<id> or subject=Patient/<id>)")
    ref = patient_for_fhir_id(uow, actor, target.removeprefix("Patient/"))
    found = [r for r in _patient_resources(uow, actor, ref) if r["resourceType"] == kind]
    if "code" in params:
        found = [r for r in found if _has_code(r, params["code"])]
    if "status" in params:
        found = [r for r in found if r.get("status") == params["status"]]
    if "questionnaire" in params:
        found = [r for r in found if str(r.get("questionnaire", "")).split("|")[0] == params["questionnaire"]]
    return found


def _has_code(resource: Json, token: str) -> bool:
    system, _, code = token.rpartition("|")
    return any(
        c.get("code") == code and (not system or c.get("system") == system)
        for c in (resource.get("code") or {}).get("coding") or []
    )


def _known(kind: str) -> None:
    if kind not in SEARCHABLE:
        raise FhirInputError("resourceType", f"{kind} is not served here ({', '.join(SEARCHABLE)})")


def _not_found(kind: str, resource_id: str) -> Exception:
    return NotFound(f"no {kind}/{resource_id}")


def _triage_outcome(level: str, summary: str) -> Json:
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "information", "code": "informational", "diagnostics": f"triage {level}: {summary}"}],
    }
