"""The JSON REST API under /api/v1 for clinic systems (bearer token): everything the pages do.

Errors are RFC 9457 problem details; invalid input lists each field in `errors` ({field, detail}).
"""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Path, Query, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from nervetrack.domain.model import CheckIn, Procedure, TriageLevel
from nervetrack.domain.results import Assessment
from nervetrack.services.alerts import acknowledge_alert
from nervetrack.services.audit import audit_trail
from nervetrack.services.checkins import record_checkin
from nervetrack.services.dashboard import dashboard
from nervetrack.services.follow_ups import answer_follow_up
from nervetrack.services.patients import add_patient, current_assessment, export_patient, get_patient
from nervetrack.services.tokens import issue_link, revoke_link
from nervetrack.web.api_schemas import NewPatient, body, problem_responses
from nervetrack.web.deps import ApiActorDep, SettingsDep, UowDep
from nervetrack.web.input_guards import MAX_DB_INT, refuse_nul

router = APIRouter(prefix="/api/v1", tags=["api"], responses=problem_responses())
PatientId = Annotated[str, Path(min_length=1, max_length=64, description="The patient's id in the clinic.")]
RowId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=200,
        pattern=r"^[\x21-\x7e]+$",
        description="Up to 200 visible ASCII characters; a retry with the same key and body returns the first one.",
    ),
]


class FollowUpAnswers(BaseModel):
    """Answers to the follow-up questions the assessment of a check-in asked (its `follow_up` list)."""

    answers: Annotated[
        dict[str, Annotated[bool, Field(strict=True)] | Annotated[int, Field(strict=True)] | str],
        Field(description="Question id -> answer: true/false for yes_no, 0-10 for a rating, or one of the choices."),
    ]


class AcknowledgementNote(BaseModel):
    note: Annotated[str, Field(max_length=2000, description="What was done about the alert.")] = ""


def _json(value: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(_encoded(value), status_code=status, headers=headers)


def _encoded(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    return jsonable_encoder(value)


def _assessment_json(assessment: Assessment) -> Any:
    # model_dump(mode="json") is already JSON-safe; jsonable_encoder would walk it again (about 2 ms).
    return assessment.model_dump(mode="json")


@router.get(
    "/patients",
    summary="The clinic dashboard: open alerts first, then overdue patients; adherence (done / due in 14 days)",
)
def list_patients(
    uow: UowDep,
    actor: ApiActorDep,
    settings: SettingsDep,
    procedure: Procedure | None = None,
    phase: Annotated[str | None, Query(max_length=32, description="A recovery phase code.")] = None,
    level: TriageLevel | None = None,
    search: Annotated[str | None, Query(max_length=64)] = None,
    overdue: Annotated[bool, Query(description="Only patients who missed their last two due check-ins.")] = False,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=MAX_DB_INT)] = 0,
) -> JSONResponse:
    board = dashboard(
        uow,
        actor,
        procedure=procedure,
        phase=phase,
        level=level,
        search=search,
        overdue=overdue,
        limit=limit,
        offset=offset,
    )
    return _json(board)


@router.post(
    "/patients",
    status_code=201,
    summary="Add a patient and their surgery (input contract)",
    openapi_extra=body(NewPatient),
)
def create_patient(uow: UowDep, actor: ApiActorDep, data: Annotated[Any, Body()]) -> JSONResponse:
    refuse_nul(data)
    summary = add_patient(uow, actor, data)
    return _json(summary, 201, {"Location": f"/api/v1/patients/{summary.patient_id}"})


@router.get(
    "/patients/{patient_id}",
    summary=(
        "A patient: record, check-ins (a page of them, newest page first: checkins_limit after checkins_offset "
        "from the newest; checkins_total counts all), alerts, assessment"
    ),
)
def read_patient(
    uow: UowDep,
    actor: ApiActorDep,
    patient_id: PatientId,
    checkins_limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    checkins_offset: Annotated[int, Query(ge=0, le=MAX_DB_INT)] = 0,
) -> JSONResponse:
    detail = get_patient(uow, actor, patient_id, checkins_limit=checkins_limit, checkins_offset=checkins_offset)
    return _json(detail)


@router.get("/patients/{patient_id}/assessment", summary="The patient's current assessment")
def read_assessment(uow: UowDep, actor: ApiActorDep, patient_id: PatientId) -> JSONResponse:
    return JSONResponse(_assessment_json(current_assessment(uow, actor, patient_id)))


@router.post(
    "/patients/{patient_id}/checkins",
    status_code=201,
    summary=(
        "Submit a check-in; a retry with the same Idempotency-Key and body returns the first one (200), "
        "the same key with a different body is refused (422)"
    ),
    openapi_extra=body(CheckIn),
)
def submit_checkin(
    uow: UowDep,
    actor: ApiActorDep,
    patient_id: PatientId,
    data: Annotated[Any, Body()],
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    refuse_nul(data)
    result = record_checkin(uow, actor, patient_id, data, idempotency_key=idempotency_key)
    answer = {
        "checkin": _encoded(result.checkin),
        "created": result.created,
        "triage": _encoded(result.assessment.triage),
        "new_alerts": _encoded(result.new_alerts),
        "assessment": _assessment_json(result.assessment),
    }
    location = {"Location": f"/api/v1/patients/{patient_id}/checkins/{result.checkin.id}"}
    return JSONResponse(answer, status_code=201 if result.created else 200, headers=location)


@router.post(
    "/patients/{patient_id}/checkins/{checkin_id}/follow-up",
    summary=(
        "Answer the follow-up questions of a check-in; the triage runs again on the answers at once and new "
        "alerts open (an answer that matters escalates)"
    ),
)
def answer_checkin_follow_up(
    uow: UowDep, actor: ApiActorDep, patient_id: PatientId, checkin_id: RowId, answers: FollowUpAnswers
) -> JSONResponse:
    refuse_nul(answers.answers, "answers")
    result = answer_follow_up(uow, actor, patient_id, checkin_id, answers.answers)
    return JSONResponse(
        {
            "checkin": _encoded(result.checkin),
            "triage": _encoded(result.assessment.triage),
            "new_alerts": _encoded(result.new_alerts),
            "assessment": _assessment_json(result.assessment),
        }
    )


@router.post("/alerts/{alert_id}/acknowledge", summary="Acknowledge an open alert with a note")
def acknowledge(uow: UowDep, actor: ApiActorDep, alert_id: RowId, ack: AcknowledgementNote) -> JSONResponse:
    refuse_nul(ack.note, "note")
    return _json(acknowledge_alert(uow, actor, alert_id, ack.note))


@router.post("/patients/{patient_id}/link", status_code=201, summary="Issue the patient's secret link")
def issue_patient_link(uow: UowDep, actor: ApiActorDep, patient_id: PatientId) -> JSONResponse:
    issued = issue_link(uow, actor, patient_id)
    return _json({"id": issued.id, "token": issued.secret, "path": f"/p/{issued.secret}"}, 201)


@router.delete("/patients/{patient_id}/link", status_code=204, summary="Revoke the patient's link")
def revoke_patient_link(uow: UowDep, actor: ApiActorDep, patient_id: PatientId) -> Response:
    revoke_link(uow, actor, patient_id)
    return Response(status_code=204)


@router.get("/patients/{patient_id}/export", summary="Everything stored about the patient, as JSON")
def export(uow: UowDep, actor: ApiActorDep, patient_id: PatientId) -> JSONResponse:
    disposition = {"Content-Disposition": f'attachment; filename="nervetrack-{patient_id}.json"'}
    return _json(export_patient(uow, actor, patient_id), headers=disposition)


@router.get("/patients/{patient_id}/audit", summary="Who read or changed this patient's record, when")
def audit(uow: UowDep, actor: ApiActorDep, patient_id: PatientId) -> JSONResponse:
    return _json({"events": audit_trail(uow, actor, patient_id)})
