"""`nervetrack fhir export|import`: a patient's record as a FHIR R4 transaction Bundle, and back.

The export PUTs every resource under its id, so the file also loads as it is into any FHIR server.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

fhir_app = typer.Typer(help="FHIR R4: export a patient as a Bundle, import one.", no_args_is_help=True)
ClinicOption = Annotated[
    int | None, typer.Option("--clinic", help="The clinic's id (needed when more than one clinic exists).")
]
DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Directory for the SQLite database (default ./data).")]


@fhir_app.command("export")
def export(
    patient_id: Annotated[str, typer.Argument(help="The patient's NerveTrack id.")],
    clinic: ClinicOption = None,
    data_dir: DataDir = None,
) -> None:
    """Print the patient's record as a FHIR transaction Bundle (JSON) on standard output."""
    from nervetrack.interop.fhir_bundle import patient_resources, questionnaires, transaction
    from nervetrack.knowledge import load_knowledge
    from nervetrack.services.errors import ServiceError
    from nervetrack.services.fhir_exchange import patient_facts
    from nervetrack.services.views import Actor

    uow = _uow(data_dir)
    clinic_id = _clinic(uow, clinic, patient_id)
    knowledge = load_knowledge()
    try:
        facts = patient_facts(uow, Actor.system(clinic_id), patient_id)
    except ServiceError as error:
        _cli()._fail([f"PATIENT_ID: {error}"])
    bundle = transaction([*questionnaires(knowledge), *patient_resources(facts, knowledge)])
    typer.echo(json.dumps(bundle, indent=2))


@fhir_app.command("import")
def import_(
    bundle_file: Annotated[str, typer.Argument(help="A FHIR Bundle JSON file ('-' reads standard input).")],
    clinic: ClinicOption = None,
    data_dir: DataDir = None,
) -> None:
    """Add the patient of a FHIR Bundle (Patient, surgery Procedure, QuestionnaireResponses) with their check-ins."""
    from nervetrack.interop.errors import FhirInputError
    from nervetrack.interop.fhir_bundle import bundle_resources, imported_patient
    from nervetrack.interop.fhir_validation import validated
    from nervetrack.knowledge import load_knowledge
    from nervetrack.services.errors import ServiceError
    from nervetrack.services.fhir_exchange import import_patient
    from nervetrack.services.views import Actor

    bundle = _cli()._read_json(bundle_file)
    uow = _uow(data_dir)
    clinic_id = _clinic(uow, clinic, None)
    try:
        resources = [validated(r, f"Bundle.entry[{i}].resource") for i, r in enumerate(bundle_resources(bundle))]
        imported = imported_patient(resources, load_knowledge().odi.sections)
        result = import_patient(uow, Actor.system(clinic_id), imported)
    except FhirInputError as error:
        _cli()._fail([f"{bundle_file}: {error.where}: {error.message}"])
    except ServiceError as error:
        _cli()._fail([f"{bundle_file}: {error}"])
    typer.echo(
        f"imported patient {result.patient_id} into clinic {clinic_id}: {result.checkins} check-ins, "
        f"{result.acknowledged} acknowledged alerts"
    )


def _cli() -> Any:
    from nervetrack import cli

    return cli


def _uow(data_dir: Path | None) -> Any:
    cli = _cli()
    return cli._upgraded_uow(cli._settings(data_dir))


def _clinic(uow: Any, clinic: int | None, patient_id: str | None) -> int:
    """The clinic given, or the only one there is (holding the patient, when one is named)."""
    from sqlalchemy import select

    from nervetrack.adapters.db.tables import Clinic, Patient

    with uow:
        query = select(Clinic.id)
        if patient_id is not None:
            query = select(Patient.clinic_id).where(Patient.ref == patient_id)
        ids = sorted(set(uow.session.scalars(query)))
    if clinic is not None:
        if clinic not in ids:
            _cli()._fail([f"--clinic: no clinic {clinic}" + (f" with patient {patient_id!r}" if patient_id else "")])
        return clinic
    if len(ids) != 1:
        found = "no" if not ids else f"{len(ids)}"
        what = f"clinics with patient {patient_id!r}" if patient_id else "clinics"
        _cli()._fail([f"--clinic: {found} {what}; name the clinic with --clinic ID"])
    chosen: int = ids[0]
    return chosen
