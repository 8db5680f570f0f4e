"""Questions in the patient's own words, answered from the knowledge base (nervetrack.domain.ask).

POST /api/v1/ask (API token): {"question", "record"?: the input contract, "patient_id"?: a patient of the
token's clinic, read and audited}; with either, each answer carries the patient's own numbers.
GET and POST /p/{token}/ask: the question box of the patient's pages; the patient gets their own numbers.
A question naming a warning sign leads with its instruction on every path.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from nervetrack.domain.ask import MAX_QUESTION, AskResult, ask, check_question
from nervetrack.domain.assess import assess
from nervetrack.domain.errors import InvalidInput, Problem
from nervetrack.domain.validation import parse_record
from nervetrack.services.patients import current_assessment
from nervetrack.web import pages
from nervetrack.web.api_schemas import problem_responses
from nervetrack.web.csrf import CsrfError
from nervetrack.web.deps import ApiActorDep, UowDep
from nervetrack.web.routes.patient import Opened, open_link

api_router = APIRouter(prefix="/api/v1", tags=["api"], responses=problem_responses())
page_router = APIRouter(prefix="/p", include_in_schema=False)


class AskRequest(BaseModel):
    question: Annotated[str, Field(description=f"The question, 1 to {MAX_QUESTION} characters.")]
    record: dict[str, Any] | None = Field(None, description="A patient record (input contract) for their numbers.")
    patient_id: str | None = Field(None, description="Or a patient of your clinic, whose record is read.")


@api_router.post("/ask", summary="Answer a patient's question from the cited knowledge base")
def ask_api(uow: UowDep, actor: ApiActorDep, body: AskRequest) -> JSONResponse:
    """`level` and `instruction` when the question names a warning sign, `answers` best first (with `yours`
    where a record or patient is given), and `no_answer` when the knowledge base holds none."""
    knowledge = pages.knowledge()
    check_question(body.question)
    if body.record is not None and body.patient_id is not None:
        raise InvalidInput([Problem("record", "give either record or patient_id, not both")])
    assessment = None
    if body.record is not None:
        assessment = assess(parse_record(body.record), knowledge)
    elif body.patient_id is not None:
        assessment = current_assessment(uow, actor, body.patient_id)
    return JSONResponse(ask(body.question, knowledge, assessment).model_dump(mode="json"))


@page_router.get("/{token}/ask", response_class=HTMLResponse)
def ask_page(request: Request, token: str) -> Response:
    """The question box on its own."""
    return _page(request, open_link(request, token), "", None, {})


@page_router.post("/{token}/ask", response_class=HTMLResponse)
async def ask_submit(request: Request, token: str) -> Response:
    """Answer the patient's question beside their own numbers, the instruction first for a warning sign."""
    form = await request.form()
    question = form.get("question")
    text = question if isinstance(question, str) else ""
    try:
        await pages.check_csrf(request)
        csrf_ok = True
    except CsrfError:
        csrf_ok = False
    # The database and the engine block: off the event loop, so other requests go on meanwhile.
    return await run_in_threadpool(_answer, request, token, text, csrf_ok)


def _answer(request: Request, token: str, text: str, csrf_ok: bool) -> Response:
    opened = open_link(request, token)  # an unknown link gets its own page before anything else
    if not csrf_ok:
        return _page(request, opened, text, None, {"main": "Your page had expired. Please ask again."}, 403)
    try:
        check_question(text)
    except InvalidInput as error:
        return _page(request, opened, text, None, {"question": error.problems[0].message}, 422)
    return _page(request, opened, text, ask(text, pages.knowledge(), opened.detail.assessment), {})


def _page(
    request: Request,
    opened: Opened,
    question: str,
    result: AskResult | None,
    errors: dict[str, str],
    status_code: int = 200,
) -> HTMLResponse:
    knowledge = pages.knowledge()
    cited = dict.fromkeys(s for a in (result.answers if result else []) for s in a.sources)
    titles = {s: knowledge.sources[s].lay_title or knowledge.sources[s].title for s in cited}
    return pages.render(
        request,
        "patient/ask.html",
        status_code,
        base=opened.base,
        clinic=opened.detail.clinic,
        question=question,
        result=result,
        titles=titles,
        errors=errors,
        max_question=MAX_QUESTION,
    )


ROUTERS = (api_router, page_router)
