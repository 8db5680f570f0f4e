"""The API's reminder routes under /api/v1: a patient's reminder preferences, history and adherence (what
the clinician's patient page shows), setting the preferences, and pause, stop and resume."""

from __future__ import annotations

import dataclasses
from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from nervetrack.services.adherence import patient_adherence
from nervetrack.services.reminder_prefs import (
    MAX_PAUSE_DAYS,
    get_preferences,
    pause_reminders,
    reminder_history,
    resume_reminders,
    set_preferences,
    stop_reminders,
)
from nervetrack.web.api_schemas import problem_responses
from nervetrack.web.deps import ApiActorDep, UowDep

router = APIRouter(prefix="/api/v1", tags=["reminders"], responses=problem_responses())


class ReminderPreferences(BaseModel):
    """How and when the patient is reminded (local time of day and quiet hours as "HH:MM")."""

    channel: Annotated[str, Field(description="email, sms or none")] = "none"
    email: str | None = None
    sms_number: str | None = None
    local_time: Annotated[str, Field(description='e.g. "09:00"')] = "09:00"
    timezone: Annotated[str | None, Field(description="IANA name; empty for the clinic's")] = None
    quiet_start: str | None = "21:00"
    quiet_end: str | None = "08:00"


class Pause(BaseModel):
    days: Annotated[int, Field(ge=1, le=MAX_PAUSE_DAYS, description="How many days from today.")] = 14


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    return jsonable_encoder(value)


@router.get("/patients/{patient_id}/reminders", summary="Reminder preferences, history and adherence")
def read_reminders(uow: UowDep, actor: ApiActorDep, patient_id: str) -> JSONResponse:
    return JSONResponse(
        {
            "preferences": _plain(get_preferences(uow, actor, patient_id)),
            "adherence": _plain(patient_adherence(uow, actor, patient_id)),
            "history": [_plain(r) for r in reminder_history(uow, actor, patient_id)],
        }
    )


@router.put("/patients/{patient_id}/reminders", summary="Set how and when the patient is reminded")
def write_reminders(
    uow: UowDep, actor: ApiActorDep, patient_id: str, body: Annotated[ReminderPreferences, Body()]
) -> JSONResponse:
    return JSONResponse(_plain(set_preferences(uow, actor, patient_id, body.model_dump())))


@router.post("/patients/{patient_id}/reminders/pause", summary="Pause reminders for some days")
def pause(uow: UowDep, actor: ApiActorDep, patient_id: str, body: Pause) -> JSONResponse:
    return JSONResponse(_plain(pause_reminders(uow, actor, patient_id, body.days)))


@router.post("/patients/{patient_id}/reminders/stop", summary="Stop reminders until resumed")
def stop(uow: UowDep, actor: ApiActorDep, patient_id: str) -> JSONResponse:
    return JSONResponse(_plain(stop_reminders(uow, actor, patient_id, "clinic")))


@router.post("/patients/{patient_id}/reminders/resume", summary="Resume paused or stopped reminders")
def resume(uow: UowDep, actor: ApiActorDep, patient_id: str) -> JSONResponse:
    return JSONResponse(_plain(resume_reminders(uow, actor, patient_id)))
