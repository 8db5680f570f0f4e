"""The recovery report as a PDF download: for the API (GET /api/v1/patients/{id}/report.pdf), the clinician's
patient page and the patient's own pages. Every path reads the patient through the audited patient read, so
a clinic sees only its own patients and a link only its own patient."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from nervetrack.reports.recovery_report import PAGE_SIZES, report_pdf
from nervetrack.services.errors import LinkInvalid
from nervetrack.services.reports import report_input
from nervetrack.services.tokens import resolve_link
from nervetrack.services.unit_of_work import UnitOfWork
from nervetrack.services.views import Actor
from nervetrack.web import pages
from nervetrack.web.api_schemas import problem_responses
from nervetrack.web.clinician_deps import ClinicianDep
from nervetrack.web.deps import ApiActorDep, UowDep

api_router = APIRouter(prefix="/api/v1", tags=["api"], responses=problem_responses())
clinic_router = APIRouter(prefix="/clinic", include_in_schema=False)
patient_router = APIRouter(prefix="/p", include_in_schema=False)
PageSize = Annotated[str, Query(pattern="^(A4|Letter)$", description=f"One of {', '.join(PAGE_SIZES)}.")]


def _pdf(uow: UnitOfWork, actor: Actor, patient_id: str, page_size: str) -> Response:
    data = report_input(uow, actor, patient_id)
    body = report_pdf(pages.knowledge(), data, page_size)
    headers = {
        "Content-Disposition": f'attachment; filename="recovery-report-{patient_id}.pdf"',
        "Cache-Control": "no-store",
    }
    return Response(body, media_type="application/pdf", headers=headers)


@api_router.get(
    "/patients/{patient_id}/report.pdf",
    summary="The patient's recovery report as a PDF (A4 or Letter)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def api_report(uow: UowDep, actor: ApiActorDep, patient_id: str, page_size: PageSize = "A4") -> Response:
    return _pdf(uow, actor, patient_id, page_size)


@clinic_router.get("/patients/{patient_id}/report.pdf")
def clinic_report(request: Request, clinician: ClinicianDep, patient_id: str, page_size: PageSize = "A4") -> Response:
    return _pdf(pages.page_context(request).uow(), clinician.as_actor(), patient_id, page_size)


@patient_router.get("/{token}/report.pdf")
def patient_report(request: Request, token: str, page_size: PageSize = "A4") -> Response:
    # The link resolved once, with the key that signs a reminder's links; the report reads the record itself.
    context = pages.page_context(request)
    uow = context.uow()
    actor = resolve_link(uow, token, context.secret_key)
    if not actor.patient_ref:
        raise LinkInvalid("this link has no patient")
    return _pdf(uow, actor, actor.patient_ref, page_size)


ROUTERS = (api_router, clinic_router, patient_router)
