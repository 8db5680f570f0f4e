"""Clinician pages for one patient: add a patient, the patient page (alerts with their evidence, charts,
check-ins, audit trail), acknowledging the alerts of an episode with one note, issuing a link with a QR code
and a printable hand-out, revoking links after a confirmation, and the JSON export."""

from __future__ import annotations

import json
from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from nervetrack.domain.errors import InvalidInput
from nervetrack.domain.model import RED_FLAG_SIGNS, Approach, CheckIn, Procedure, Sex
from nervetrack.services.adherence import patient_adherence
from nervetrack.services.alerts import acknowledge_alerts
from nervetrack.services.audit import audit_page
from nervetrack.services.errors import Conflict
from nervetrack.services.patients import add_patient, export_patient, get_patient
from nervetrack.services.reminder_prefs import get_preferences, reminder_history
from nervetrack.services.tokens import issue_link, revoke_link
from nervetrack.services.views import ClinicianView
from nervetrack.web import pages
from nervetrack.web.clinician_deps import ClinicianDep, FormDep, FormListsDep
from nervetrack.web.clinician_words import audit_words, qr_svg
from nervetrack.web.input_guards import MAX_DB_INT, whole_number
from nervetrack.web.new_patient_form import BASELINE_FIELDS, LABELS, form_errors, form_errors_of, patient_data
from nervetrack.web.routes.clinician import page_number

router = APIRouter(prefix="/clinic", include_in_schema=False)
MAX_ALERTS = 200  # alerts one note may acknowledge at once


def _new_patient_page(
    request: Request, clinician: ClinicianView, values: Mapping[str, str], errors: Mapping[str, str], status: int
) -> HTMLResponse:
    return pages.render(
        request,
        "clinician/new_patient.html",
        status,
        clinician=clinician,
        values=dict(values),
        errors=dict(errors),
        labels=LABELS,
        sexes=[s.value for s in Sex],
        procedures=[p.value for p in Procedure],
        approaches=[a.value for a in Approach],
        baseline_fields=BASELINE_FIELDS,
    )


@router.get("/patients/new", response_class=HTMLResponse)
def new_patient_page(request: Request, clinician: ClinicianDep) -> Response:
    """The add-patient form: nothing that changes the expected course is filled in for the clinician."""
    return _new_patient_page(request, clinician, {}, {}, 200)


@router.post("/patients", response_class=HTMLResponse)
def create_patient(request: Request, clinician: ClinicianDep, form: FormDep) -> Response:
    """Add a patient and their surgery; show the form again with messages beside the fields on bad input."""
    data, errors = patient_data(form)
    if errors:  # name every bad field at once, not only the missing ones
        errors = form_errors_of(data) | errors
    if not errors:
        try:
            summary = add_patient(pages.page_context(request).uow(), clinician.as_actor(), data)
        except InvalidInput as error:
            errors = form_errors(error)
        except Conflict:
            errors = {"id": "This clinic already has a patient with this id."}
        else:
            return RedirectResponse(f"/clinic/patients/{summary.patient_id}?added=1", status_code=303)
    return _new_patient_page(request, clinician, form, errors, 422)


_MESSAGES = {
    "added": "Patient added. Issue a link to let them check in.",
    "acknowledged": "Alerts acknowledged.",
    "revoked": "The patient's links were revoked.",
}


@router.get("/patients/{patient_id}", response_class=HTMLResponse)
def patient_page(
    request: Request,
    clinician: ClinicianDep,
    patient_id: str,
    added: str | None = None,
    done: str | None = None,
    audit: str = "1",
) -> Response:
    """One patient in full: surgery, contact, alerts with their evidence, assessment, charts, check-ins,
    and the audit trail a page at a time."""
    return _patient_page(request, clinician, patient_id, _MESSAGES.get("added" if added else (done or "")), audit)


AUDIT_PAGE = 50


def _patient_page(
    request: Request, clinician: ClinicianView, patient_id: str, message: str | None, audit: str = "1"
) -> HTMLResponse:
    context = pages.page_context(request)
    actor = clinician.as_actor()
    detail = get_patient(context.uow(), actor, patient_id)
    number = page_number(audit)
    trail = audit_page(context.uow(), actor, patient_id, limit=AUDIT_PAGE, offset=(number - 1) * AUDIT_PAGE)
    knowledge = pages.knowledge()
    a = detail.assessment
    patient = detail.record.patient
    risks = [
        label
        for flag, label in (("diabetes", "diabetes"), ("peripheral_neuropathy", "neuropathy"), ("smoker", "smoker"))
        if getattr(patient, flag)
    ]
    alerts = sorted(detail.alerts, key=lambda al: (not al.is_open, -al.level.rank if al.is_open else 0))
    return pages.render(
        request,
        "clinician/patient.html",
        clinician=clinician,
        record=detail.record,
        assessment=a,
        alerts=alerts,
        open_alerts=[al for al in alerts if al.is_open],
        phone=detail.phone,
        timezone=detail.clinic.timezone,
        checkins=list(reversed(detail.checkins)),
        has_active_link=detail.has_active_link,
        charts=pages.symptom_charts(knowledge, detail.record, a),
        odi_svg=pages.odi_chart(knowledge, detail.record, a),
        sources=pages.sources_by_id(a),
        audit=[audit_words(e, patient.id) for e in trail.events],
        audit_page=number,
        audit_pages=max(1, -(-trail.total // AUDIT_PAGE)),
        risk_factors=risks,
        message=message,
        sign_list=_signs,
        odi_of=_odi_text,
        reminders=get_preferences(context.uow(), actor, patient_id),
        reminder_history=reminder_history(context.uow(), actor, patient_id),
        adherence=patient_adherence(context.uow(), actor, patient_id),
    )


def _signs(values: CheckIn) -> list[str]:
    """The signs answered yes, then the follow-up answers given on the check-in."""
    signs = [sign.replace("_", " ") for sign in RED_FLAG_SIGNS if values.has(sign)]
    questions = pages.knowledge().questions
    for qid, answer in (values.follow_up or {}).items():
        question = questions.get(qid)
        shown = question.key_of(answer) if question else str(answer)
        signs.append(f'asked "{question.text if question else qid}": {shown}')
    return signs


def _odi_text(values: CheckIn) -> str:
    if values.odi is None:
        return "–"
    given = [a for a in values.odi if a is not None]
    return f"{sum(given)}/{5 * len(given)}" if given else "–"


@router.post("/patients/{patient_id}/alerts/acknowledge", response_class=HTMLResponse)
def acknowledge(request: Request, clinician: ClinicianDep, patient_id: str, form: FormListsDep) -> Response:
    """Acknowledge the open alerts ticked (one episode often raises several) with one note."""
    chosen = [n for n in (whole_number(v, 1, MAX_DB_INT) for v in form.get("alert", [])[:MAX_ALERTS]) if n]
    note = " ".join(form.get("note", [""])).strip()
    if not chosen:
        return _patient_page(request, clinician, patient_id, "Tick the alerts this note is about.")
    if not note:
        return _patient_page(request, clinician, patient_id, "Write what was done before acknowledging.")
    try:
        acknowledge_alerts(pages.page_context(request).uow(), clinician.as_actor(), patient_id, chosen, note)
    except Conflict:
        return _patient_page(request, clinician, patient_id, "An alert ticked was already acknowledged.")
    return RedirectResponse(f"/clinic/patients/{patient_id}?done=acknowledged", status_code=303)


@router.post("/patients/{patient_id}/link", response_class=HTMLResponse)
def new_link(request: Request, clinician: ClinicianDep, patient_id: str, _form: FormDep) -> Response:
    """Issue a new check-in link (revoking earlier ones) and show it once, with a QR code and a printable
    hand-out for the patient."""
    context = pages.page_context(request)
    issued = issue_link(context.uow(), clinician.as_actor(), patient_id)
    detail = get_patient(context.uow(), clinician.as_actor(), patient_id)
    link = f"{str(request.base_url).rstrip('/')}/p/{issued.secret}"
    return pages.render(
        request,
        "clinician/link_issued.html",
        clinician=clinician,
        patient_id=patient_id,
        link=link,
        qr=qr_svg(link),
        clinic=detail.clinic,
    )


@router.get("/patients/{patient_id}/link/revoke", response_class=HTMLResponse)
def confirm_revoke(request: Request, clinician: ClinicianDep, patient_id: str) -> Response:
    """Ask before revoking: the patient can no longer check in until they get a new link."""
    get_patient(pages.page_context(request).uow(), clinician.as_actor(), patient_id)  # NotFound for others
    return pages.render(request, "clinician/revoke_confirm.html", clinician=clinician, patient_id=patient_id)


@router.post("/patients/{patient_id}/link/revoke", response_class=HTMLResponse)
def revoke(request: Request, clinician: ClinicianDep, patient_id: str, form: FormDep) -> Response:
    """Revoke every active link of the patient, once confirmed on the page that asks."""
    if form.get("confirm") != "yes":
        return RedirectResponse(f"/clinic/patients/{patient_id}/link/revoke", status_code=303)
    revoke_link(pages.page_context(request).uow(), clinician.as_actor(), patient_id)
    return RedirectResponse(f"/clinic/patients/{patient_id}?done=revoked", status_code=303)


@router.get("/patients/{patient_id}/export.json")
def export(request: Request, clinician: ClinicianDep, patient_id: str) -> Response:
    """Download everything stored about the patient as JSON."""
    data = export_patient(pages.page_context(request).uow(), clinician.as_actor(), patient_id)
    return Response(
        json.dumps(data, indent=2, ensure_ascii=False),
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="nervetrack-{patient_id}.json"',
            "Cache-Control": "no-store",
        },
    )
