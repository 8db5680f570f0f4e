"""The `nervetrack` command line: a thin layer over the library that turns its errors into one-line messages."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from nervetrack.cli_ask import ask_command
from nervetrack.cli_fhir import fhir_app
from nervetrack.cli_reminders import reminders_app
from nervetrack.cli_report import report_command
from nervetrack.domain.assess import assess as assess_record
from nervetrack.domain.errors import InvalidInput
from nervetrack.domain.knowledge import used_source_ids
from nervetrack.domain.regrowth import regrowth_time
from nervetrack.domain.validation import parse_record
from nervetrack.knowledge import load_knowledge
from nervetrack.reports.terminal import render, render_regrowth

app = typer.Typer(
    help="NerveTrack: nerve recovery after lumbar spine surgery.", no_args_is_help=True, add_completion=False
)
EXIT_BAD_INPUT = 2
app.command("ask")(ask_command)
app.command("report")(report_command)


def _fail(lines: list[str]) -> None:
    err = Console(stderr=True, highlight=False)
    for line in lines:
        err.print(f"[red]error:[/red] {line}", markup=True, soft_wrap=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def _read_json(name: str) -> Any:
    try:
        text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
    except OSError as error:
        _fail([f"{name}: cannot read the file ({error.strerror})"])
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        _fail([f"{name}: not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"])


@app.command()
def assess(
    files: Annotated[list[str], typer.Argument(help="Patient record JSON files; '-' reads standard input.")],
    format: Annotated[str, typer.Option("--format", "-f", help="text or json")] = "text",
) -> None:
    """Assess one or more patient records and print the report."""
    if format not in ("text", "json"):
        _fail([f"--format: must be one of text, json (got {format!r})"])
    knowledge = load_knowledge()
    results, problems = [], []
    for name in files:
        data = _read_json(name)
        try:
            results.append(assess_record(parse_record(data), knowledge))
        except InvalidInput as error:
            problems += [f"{name}: {p}" for p in error.problems]
    if problems:
        _fail(problems)
    if format == "json":
        payload = [r.model_dump(mode="json") for r in results]
        typer.echo(json.dumps(payload[0] if len(payload) == 1 else payload, indent=2))
        return
    console = Console()
    for result in results:
        render(result, console)


@app.command()
def sources() -> None:
    """List every source the knowledge base cites."""
    knowledge = load_knowledge()
    used = used_source_ids(knowledge)
    table = Table(title=f"NerveTrack sources ({knowledge.version})")
    for column in ("id", "title", "publisher", "year", "where"):
        table.add_column(column, overflow="fold")
    for source in knowledge.sources.values():
        where = source.doi or source.url or source.evidence or ""
        table.add_row(
            source.id + ("" if source.id in used else " (unused)"),
            source.title,
            source.publisher,
            str(source.year or ""),
            where,
        )
    Console().print(table)


@app.command("nerve-regrowth")
def nerve_regrowth(
    distance_cm: Annotated[
        float,
        typer.Option("--distance-cm", help="Distance from the nerve root to the muscle or skin, in cm."),
    ],
) -> None:
    """Estimate the time for regrowing nerve fibres to cover a distance, at about 1 mm a day."""
    try:
        estimate = regrowth_time(load_knowledge().regrowth, distance_cm)
    except InvalidInput as error:
        _fail([f"--distance-cm: {p.message}" for p in error.problems])
    render_regrowth(estimate, Console())


@app.command()
def demo() -> None:
    """Print assessments of the bundled demo patients."""
    from nervetrack.demo import demo_records

    knowledge = load_knowledge()
    console = Console()
    for record in demo_records():
        render(assess_record(record, knowledge), console)


@app.command("forecast-cohort")
def forecast_cohort(
    from_json: Annotated[
        Path | None, typer.Option("--from-json", help="Read input-contract JSON files from this directory.")
    ] = None,
    data_dir: Annotated[
        Path | None, typer.Option("--data-dir", help="Directory for the SQLite database (default ./data).")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write every forecast to this JSON file.")] = None,
) -> None:
    """Re-forecast every patient in the database (or in --from-json DIR), with a progress bar."""
    from rich.progress import Progress

    from nervetrack.services.forecasts import FORECAST_SYMPTOMS, forecast_all

    keyed = _forecast_records_from(from_json, data_dir)
    records = [record for _key, record in keyed]
    with Progress(console=Console(stderr=True)) as progress:
        task = progress.add_task("forecasting", total=len(records) * len(FORECAST_SYMPTOMS))
        forecasts = forecast_all(
            load_knowledge(), records, lambda n: progress.advance(task, n), keys=[key for key, _ in keyed]
        )
    if out is not None:
        out.write_text(json.dumps(forecasts, indent=2), encoding="utf-8")
    table = Table(title=f"Forecasts for {len(records)} patients")
    for column in ("symptom", "median 12-month value", "moderate or worse at 12 months", "mild within 2 years"):
        table.add_column(column)
    for symptom in FORECAST_SYMPTOMS:
        rows = [f[symptom] for f in forecasts.values()]
        if not rows:
            continue
        values = sorted(r["expected_at"]["12m"]["value"] for r in rows)
        moderate = sum(r["p_moderate_or_worse_12m"] for r in rows) / len(rows)
        mild = sum(r["days_to_mild"] is not None for r in rows) / len(rows)
        table.add_row(symptom, f"{values[len(values) // 2]:g}", f"{moderate:.0%} (expected)", f"{mild:.0%}")
    Console().print(table)


def _forecast_records_from(from_json: Path | None, data_dir: Path | None) -> list[tuple[str, Any]]:
    """(key, record) pairs: keyed "clinic id/patient id" from the database (ids repeat across clinics), by
    patient id from a folder (where a repeated id is an error)."""
    if from_json is None:
        from nervetrack.services.forecasts import keyed_patient_records

        return keyed_patient_records(_upgraded_uow(_settings(data_dir)))
    if not from_json.is_dir():
        _fail([f"--from-json: {from_json} is not a directory"])
    keyed: list[tuple[str, Any]] = []
    problems: list[str] = []
    seen: dict[str, str] = {}
    for path in sorted(from_json.glob("*.json")):
        try:
            record = parse_record(_read_json(str(path)))
        except InvalidInput as error:
            problems += [f"{path.name}: {p}" for p in error.problems]
            continue
        if record.patient.id in seen:
            problems.append(f"{path.name}: patient.id {record.patient.id!r} is also in {seen[record.patient.id]}")
            continue
        seen[record.patient.id] = path.name
        keyed.append((record.patient.id, record))
    if problems:
        _fail(problems)
    return keyed


db_app = typer.Typer(help="The database: schema upgrades.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for clinic systems.", no_args_is_help=True)
clinic_app = typer.Typer(help="Clinics.", no_args_is_help=True)
clinician_app = typer.Typer(help="Clinician logins.", no_args_is_help=True)
follow_ups_app = typer.Typer(help="Follow-up questions the engine asked patients.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(follow_ups_app, name="follow-ups")
app.add_typer(token_app, name="token")
app.add_typer(clinic_app, name="clinic")
app.add_typer(clinician_app, name="clinician")
app.add_typer(reminders_app, name="reminders")
app.add_typer(fhir_app, name="fhir")
DataDirOption = Annotated[
    Path | None, typer.Option("--data-dir", help="Directory for the SQLite database (default ./data).")
]


def _settings(data_dir: Path | None = None, **overrides: Any) -> Any:
    from pydantic import ValidationError

    from nervetrack.config import Settings

    values = {k: v for k, v in overrides.items() if v is not None}
    if data_dir is not None:
        values["data_dir"] = data_dir
    try:
        return Settings(**values)
    except ValidationError as error:
        # A setting from the environment (NERVETRACK_*) or an option: one line each, never a traceback.
        _fail([f"setting NERVETRACK_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in error.errors()])


def _upgraded_engine(settings: Any) -> Any:
    from sqlalchemy.exc import OperationalError

    from nervetrack.adapters.db.engine import make_engine
    from nervetrack.adapters.db.migrate import upgrade

    engine = make_engine(settings)
    try:
        upgrade(engine)
    except OperationalError as error:
        _fail([f"database: cannot upgrade the schema ({type(error.orig).__name__})"])
    return engine


def _upgraded_uow(settings: Any) -> Any:
    from nervetrack.adapters.db.engine import make_session_factory
    from nervetrack.services.unit_of_work import UnitOfWork

    return UnitOfWork(make_session_factory(_upgraded_engine(settings)))


@db_app.command("upgrade")
def db_upgrade(data_dir: DataDirOption = None) -> None:
    """Upgrade the database schema in place to the newest revision (no data is lost)."""
    from nervetrack.adapters.db.migrate import current_revision

    engine = _upgraded_engine(_settings(data_dir))
    typer.echo(f"database schema at revision {current_revision(engine)}")


@follow_ups_app.command("sweep")
def follow_ups_sweep(data_dir: DataDirOption = None) -> None:
    """Open a "call this patient" alert for every patient whose follow-up questions have waited longer than
    the rules allow (the clinician dashboard does this too; run it from a timer for clinics that do not look)."""
    from nervetrack.services.follow_ups import sweep_unanswered

    swept = sweep_unanswered(_upgraded_uow(_settings(data_dir)))
    typer.echo(f"{swept} patient(s) with unanswered follow-up questions called in")


@token_app.command("create")
def token_create(
    clinic: Annotated[int, typer.Option("--clinic", help="The clinic's id.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "clinic system",
    data_dir: DataDirOption = None,
) -> None:
    """Create an API token for a clinic's system and print it (shown only once)."""
    from nervetrack.services.errors import NotFound
    from nervetrack.services.tokens import create_api_token

    try:
        issued = create_api_token(_upgraded_uow(_settings(data_dir)), clinic, name)
    except NotFound as error:
        _fail([f"--clinic: {error}"])
    typer.echo(issued.secret)


@token_app.command("revoke")
def token_revoke(
    id_or_name: Annotated[str, typer.Argument(help="The token's id, or its name when that is unique.")],
    data_dir: DataDirOption = None,
) -> None:
    """Revoke a clinic system's API token; the API refuses it from then on."""
    from nervetrack.services.errors import Conflict, NotFound
    from nervetrack.services.tokens import revoke_api_token

    try:
        revoked = revoke_api_token(_upgraded_uow(_settings(data_dir)), id_or_name)
    except (NotFound, Conflict) as error:
        _fail([f"token: {error}"])
    typer.echo(f"revoked API token {revoked.id} ({revoked.name}) of clinic {revoked.clinic_id}")


@clinic_app.command("create")
def clinic_create(
    name: Annotated[str, typer.Argument(help="The clinic's name.")],
    data_dir: DataDirOption = None,
) -> None:
    """Create a clinic and print its id."""
    from nervetrack.services.clinics import create_clinic

    try:
        clinic = create_clinic(_upgraded_uow(_settings(data_dir)), name)
    except ValueError as error:
        _fail([f"NAME: {error}"])
    typer.echo(f"created clinic {clinic.id} ({clinic.name})")


@clinician_app.command("create")
def clinician_create(
    clinic: Annotated[int, typer.Option("--clinic", help="The clinic's id.")],
    email: Annotated[str, typer.Option("--email", help="The login email.")],
    name: Annotated[str, typer.Option("--name", help="The clinician's name as shown to colleagues.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from the first line of standard input.")
    ] = False,
    data_dir: DataDirOption = None,
) -> None:
    """Create a clinician login (the password is asked for without echo, or read with --password-stdin)."""
    from nervetrack.services.clinics import MIN_PASSWORD, create_clinician
    from nervetrack.services.errors import Conflict, NotFound

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < MIN_PASSWORD:
        _fail([f"password: must have at least {MIN_PASSWORD} characters"])
    try:
        made = create_clinician(_upgraded_uow(_settings(data_dir)), clinic, email, name, password)
    except NotFound as error:
        _fail([f"--clinic: {error}"])
    except Conflict as error:
        _fail([f"--email: {error}"])
    except ValueError as error:
        _fail([str(error)])
    typer.echo(f"created clinician {made.id} ({made.email}) in clinic {made.clinic_id} ({made.clinic_name})")


@app.command()
def serve(
    host: Annotated[str | None, typer.Option("--host", help="Address to listen on (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port to listen on (default 8000).")] = None,
    data_dir: DataDirOption = None,
    demo: Annotated[bool, typer.Option("--demo", help="Seed demo data and print the demo login.")] = False,
    workers: Annotated[
        int, typer.Option("--workers", min=1, max=64, help="Server processes (use PostgreSQL for more than one).")
    ] = 1,
) -> None:
    """Run the web service (patients' check-ins, the clinicians' dashboard, the JSON API)."""
    import os

    import uvicorn

    from nervetrack.config import for_serving, server_url
    from nervetrack.web.app import create_app
    from nervetrack.web.server_memory import freeze_startup_objects

    settings = for_serving(_settings(data_dir, host=host, port=port))
    uow = _upgraded_uow(settings)
    if demo:
        from nervetrack.services.demo_seed import seed_demo

        login = seed_demo(uow).demo
        Console(highlight=False).print(
            f"[bold]Demo clinician login[/bold] at {server_url(settings.host, settings.port)}/clinic/login\n"
            f"  email:    {login.email}\n  password: {login.password}"
        )
    from nervetrack.adapters.mail import SmtpUrlError
    from nervetrack.adapters.odi_statements import OdiStatementsError

    try:
        app_ = create_app(settings)
    except (OdiStatementsError, SmtpUrlError) as error:
        _fail([str(error)])
    freeze_startup_objects()
    # No access log: URLs can carry patient ids and link secrets. No proxy headers: X-Forwarded-For is believed
    # only from settings.trusted_proxies (web/client_address.py), never from whoever connects.
    options: dict[str, Any] = {"host": settings.host, "port": settings.port, "access_log": False}
    options["proxy_headers"] = False
    if workers == 1:
        uvicorn.run(app_, **options)
        return
    # Each worker builds its own app from the environment; the secret key is made once here for all of them.
    os.environ["NERVETRACK_DATA_DIR"] = str(settings.data_dir)
    os.environ["NERVETRACK_SECRET_KEY"] = settings.resolved_secret_key()
    os.environ["NERVETRACK_HOST"] = settings.host
    uvicorn.run("nervetrack.web.serving:app_from_environment", factory=True, workers=workers, **options)


from nervetrack.cli_operations import register as _register_operations  # noqa: E402  (its commands use the above)

_register_operations(app, clinician_app)
