"""Patient pages, opened by a per-patient secret link /p/{token}: "my recovery" and "when to call" (the
check-in is in patient_checkin.py, the follow-up questions in patient_follow_up.py).

No account: the link is the key, and it opens only its own patient. An unknown or revoked link gets a
clear page and no data (pages.page_error, for LinkInvalid). With an emergency the recovery page first shows
the call-now instruction; every page has "When to call" one tap away.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from nervetrack.domain.model import OFF_COURSE, TriageLevel
from nervetrack.domain.results import Assessment, Flag
from nervetrack.domain.schedule import next_checkin_due
from nervetrack.services import clock
from nervetrack.services.errors import LinkInvalid
from nervetrack.services.patients import get_patient
from nervetrack.services.reminder_prefs import get_preferences
from nervetrack.services.schedules import schedule_from_text
from nervetrack.services.tokens import resolve_link
from nervetrack.services.views import Actor, PatientDetail
from nervetrack.web import pages

router = APIRouter(prefix="/p", include_in_schema=False)


@dataclass(frozen=True)
class Opened:
    """The link's patient: who is asking, and their record."""

    token: str
    actor: Actor
    detail: PatientDetail

    @property
    def base(self) -> str:
        return f"/p/{self.token}"

    @property
    def ref(self) -> str:
        if not self.actor.patient_ref:
            raise LinkInvalid("this link has no patient")
        return self.actor.patient_ref


def open_link(request: Request, token: str, *, for_new_checkin: bool = False) -> Opened:
    """The patient of this link and their record; LinkInvalid (shown as a clear page) otherwise. A reminder's
    check-in link that already stored its check-in opens the form no more (`for_new_checkin`)."""
    context = pages.page_context(request)
    uow = context.uow()
    actor = resolve_link(uow, token, context.secret_key, for_new_checkin=for_new_checkin)
    if not actor.patient_ref:
        raise LinkInvalid("this link has no patient")
    return Opened(token, actor, get_patient(uow, actor, actor.patient_ref))


@router.get("/{token}/recovery", response_class=HTMLResponse)
def recovery(request: Request, token: str, after: str | None = None, saved: str | None = None) -> Response:
    """My recovery: a summary card (where you are, how you are doing, what to do now, the clinic's number,
    the next check-in), each symptom's chart with what to do, what helps, and the sources at the bottom."""
    opened = open_link(request, token)
    detail, assessment = opened.detail, opened.detail.assessment
    if assessment.triage.level is TriageLevel.EMERGENCY and after != "emergency":
        return emergency_page(request, opened, emergency_flags(assessment))
    knowledge = pages.knowledge()
    emergency = assessment.triage.level is TriageLevel.EMERGENCY
    return pages.render(
        request,
        "patient/recovery.html",
        base=opened.base,
        assessment=assessment,
        clinic=detail.clinic,
        saved=bool(saved),
        latest_checkin_id=detail.checkins[-1].id if detail.checkins else None,
        next_due=_next_due(detail),
        reminders=get_preferences(pages.page_context(request).uow(), opened.actor, opened.ref),
        today=clock.today(),
        off_course=[s for s in assessment.symptoms if s.action is not None and s.status in OFF_COURSE],
        # With an emergency the page is about calling now: no forecast of the months ahead.
        charts=pages.symptom_charts(knowledge, detail.record, assessment, forecast=not emergency),
        source_list=pages.patient_sources(knowledge, detail.record, assessment),
    )


def _next_due(detail: PatientDetail) -> dt.date | None:
    last = max((c.values.date for c in detail.checkins), default=None)
    schedule = schedule_from_text(detail.clinic.checkin_schedule)
    return next_checkin_due(pages.knowledge(), detail.record.surgery.date, last, clock.today(), schedule)


@router.get("/{token}/when-to-call", response_class=HTMLResponse)
def when_to_call(request: Request, token: str) -> Response:
    """When to call the emergency number, the surgical team today, or at the next review."""
    opened = open_link(request, token)
    knowledge = pages.knowledge()
    return pages.render(
        request,
        "patient/when_to_call.html",
        base=opened.base,
        clinic=opened.detail.clinic,
        rules=pages.when_to_call(knowledge),
        source_list=pages.patient_sources(knowledge, opened.detail.record, None, when_to_call=True),
    )


def emergency_flags(assessment: Assessment) -> list[Flag]:
    return [f for f in assessment.flags if f.level is TriageLevel.EMERGENCY]


def emergency_page(
    request: Request, opened: Opened, flags: list[Flag], status_code: int = 200, **values: Any
) -> HTMLResponse:
    """The full-screen call-now instruction, with what to say to the call handler and a card for the
    paramedic (operation, levels, date, clinic and the suspected problem)."""
    record = opened.detail.record
    return pages.render(
        request,
        "patient/emergency.html",
        status_code,
        base=opened.base,
        days_since_surgery=(clock.today() - record.surgery.date).days,
        flags=flags,
        suspected=pages.suspected_problems(flags),
        surgery=record.surgery,
        clinic=opened.detail.clinic,
        **values,
    )
