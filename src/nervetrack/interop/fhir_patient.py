"""Patient and Procedure (the surgery) <-> the engine's Patient and Surgery, as R4 JSON dicts.

The procedure carries SNOMED CT codes where a verified one exists (laminectomy, lumbar microdiscectomy) and
always NerveTrack's own procedure code, which the import reads first. Risk factors the engine uses (diabetes,
peripheral neuropathy, smoking) and surgical details without a standard element (approach, symptom
duration before surgery, dural tear) travel as NerveTrack extensions, so an export imports unchanged.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from nervetrack.domain.model import Approach, Patient, Procedure, Sex, Surgery
from nervetrack.interop import codes
from nervetrack.interop.errors import FhirInputError

Json = dict[str, Any]
_FLAGS = {"diabetes": codes.EXT_DIABETES, "peripheral_neuropathy": codes.EXT_NEUROPATHY, "smoker": codes.EXT_SMOKER}


def patient_resource(patient: Patient) -> Json:
    """The Patient resource: birth year, administrative sex, NerveTrack id, risk factors."""
    return {
        "resourceType": "Patient",
        "id": codes.patient_fhir_id(patient.id),
        "extension": [{"url": url, "valueBoolean": getattr(patient, name)} for name, url in _FLAGS.items()],
        "identifier": [{"system": codes.PATIENT_ID_SYSTEM, "value": patient.id}],
        "gender": patient.sex.value,
        "birthDate": f"{patient.birth_year:04d}",
    }


def patient_reference(patient: Patient) -> Json:
    return {"reference": f"Patient/{codes.patient_fhir_id(patient.id)}"}


def procedure_resource(patient: Patient, surgery: Surgery) -> Json:
    """The Procedure resource for the surgery, performed on its date."""
    coding = []
    if surgery.procedure in codes.SNOMED_PROCEDURES:
        code, display = codes.SNOMED_PROCEDURES[surgery.procedure]
        coding.append({"system": codes.SNOMED, "code": code, "display": display})
    coding.append({"system": codes.CS_PROCEDURE, "code": surgery.procedure.value, "display": surgery.procedure.value})
    extension: list[Json] = [{"url": codes.EXT_APPROACH, "valueCode": surgery.approach.value}]
    if surgery.symptom_duration_weeks is not None:
        weeks = {"value": surgery.symptom_duration_weeks, "unit": "wk", "system": codes.UCUM, "code": "wk"}
        extension.append({"url": codes.EXT_SYMPTOM_WEEKS, "valueQuantity": weeks})
    if surgery.dural_tear is not None:
        extension.append({"url": codes.EXT_DURAL_TEAR, "valueBoolean": surgery.dural_tear})
    resource: Json = {
        "resourceType": "Procedure",
        "id": codes.derived_id("surgery", codes.patient_fhir_id(patient.id)),
        "extension": extension,
        "status": "completed",
        "code": {"coding": coding, "text": f"Lumbar {surgery.procedure.value}"},
        "subject": patient_reference(patient),
        "performedDateTime": surgery.date.isoformat(),
    }
    if surgery.levels:
        resource["bodySite"] = [
            {"coding": [{"system": codes.CS_SPINAL_LEVEL, "code": level}], "text": level} for level in surgery.levels
        ]
    return resource


def patient_from(resource: Json) -> Patient:
    """The engine's Patient from a Patient resource (NerveTrack id from the identifier, else the FHIR id)."""
    ref = _identifier(resource) or resource.get("id")
    birth = str(resource.get("birthDate") or "")
    if not birth[:4].isdigit():
        raise FhirInputError("Patient.birthDate", "must give at least the year of birth")
    flags = {name: _extension(resource, url, "valueBoolean") is True for name, url in _FLAGS.items()}
    gender = resource.get("gender") or "unknown"
    if gender not in Sex.__members__.values():
        raise FhirInputError("Patient.gender", f"must be one of {', '.join(Sex)}")
    return Patient.model_validate({"id": ref, "birth_year": int(birth[:4]), "sex": gender, **flags})


def surgery_from(resource: Json) -> Surgery:
    """The engine's Surgery from a Procedure resource coded with NerveTrack's or a verified SNOMED code."""
    procedure = _procedure_code(resource.get("code") or {})
    performed = resource.get("performedDateTime") or (resource.get("performedPeriod") or {}).get("start")
    if not performed:
        raise FhirInputError("Procedure.performedDateTime", "must give the date of the surgery")
    weeks = _extension(resource, codes.EXT_SYMPTOM_WEEKS, "valueQuantity")
    levels = [site.get("text") or _first_code(site) for site in resource.get("bodySite") or []]
    return Surgery.model_validate(
        {
            "date": dt.date.fromisoformat(str(performed)[:10]),
            "procedure": procedure,
            "approach": _extension(resource, codes.EXT_APPROACH, "valueCode") or Approach.OPEN.value,
            "levels": [level for level in levels if level],
            "symptom_duration_weeks": float(weeks["value"]) if isinstance(weeks, dict) and "value" in weeks else None,
            "dural_tear": _extension(resource, codes.EXT_DURAL_TEAR, "valueBoolean"),
        }
    )


def is_surgery(resource: Json) -> bool:
    """Whether a Procedure is a lumbar operation NerveTrack knows (by its own or a verified SNOMED code)."""
    try:
        _procedure_code(resource.get("code") or {})
    except FhirInputError:
        return False
    return True


def _procedure_code(concept: Json) -> str:
    snomed = {code: procedure for procedure, (code, _display) in codes.SNOMED_PROCEDURES.items()}
    for coding in concept.get("coding") or []:
        if coding.get("system") == codes.CS_PROCEDURE and coding.get("code") in Procedure.__members__.values():
            return str(coding["code"])
    for coding in concept.get("coding") or []:
        if coding.get("system") == codes.SNOMED and coding.get("code") in snomed:
            return snomed[coding["code"]].value
    raise FhirInputError("Procedure.code", "must be a NerveTrack procedure code or a known SNOMED CT code")


def _identifier(resource: Json) -> str | None:
    for identifier in resource.get("identifier") or []:
        if identifier.get("system") == codes.PATIENT_ID_SYSTEM and identifier.get("value"):
            return str(identifier["value"])
    return None


def _extension(resource: Json, url: str, key: str) -> Any:
    for extension in resource.get("extension") or []:
        if extension.get("url") == url:
            return extension.get(key)
    return None


def _first_code(concept: Json) -> str | None:
    for coding in concept.get("coding") or []:
        if coding.get("code"):
            return str(coding["code"])
    return None
