"""Code systems, canonical URLs and ids the FHIR mapping uses.

Standard codes only where they were checked against published sources (LOINC pages, the FHIR R4 body-site
value set in use): LOINC 72514-3 pain severity 0-10 numeric rating, 97909-6 Oswestry disability index score,
97908-8 Oswestry Disability Index panel, 8310-5 body temperature (UCUM Cel); SNOMED CT 387731002 laminectomy,
178625001 primary lumbar microdiscectomy, 61685007 lower limb structure, 77568009 back (structure of back of
trunk). Everything else NerveTrack records is coded in its own code systems under `BASE`, never with a
guessed standard code.
"""

from __future__ import annotations

import hashlib
import re

from nervetrack.domain.model import RED_FLAG_SIGNS, Procedure

# `.example` is reserved (RFC 2606): the canonical base names NerveTrack's own definitions without
# pretending to a domain it does not own (the problem types use the same base).
BASE = "https://nervetrack.example/fhir"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
FLAG_CATEGORY = "http://terminology.hl7.org/CodeSystem/flag-category"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
FLAG_DETAIL = "http://hl7.org/fhir/StructureDefinition/flag-detail"
MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"

PATIENT_ID_SYSTEM = f"{BASE}/NamingSystem/patient-id"
CS_PROCEDURE = f"{BASE}/CodeSystem/procedure"
CS_SPINAL_LEVEL = f"{BASE}/CodeSystem/spinal-level"
CS_SYMPTOM = f"{BASE}/CodeSystem/symptom"
CS_ALERT = f"{BASE}/CodeSystem/alert"
CS_ALERT_ACTION = f"{BASE}/CodeSystem/alert-action"
CS_PHASE = f"{BASE}/CodeSystem/recovery-phase"
CS_RESPONSE_KIND = f"{BASE}/CodeSystem/response-kind"
CS_ODI_ANSWER = f"{BASE}/CodeSystem/odi-answer"
CS_FOLLOW_UP_CHOICE = f"{BASE}/CodeSystem/follow-up-choice"
CS_FORECAST = f"{BASE}/CodeSystem/forecast-outcome"

EXT_DIABETES = f"{BASE}/StructureDefinition/diabetes"
EXT_NEUROPATHY = f"{BASE}/StructureDefinition/peripheral-neuropathy"
EXT_SMOKER = f"{BASE}/StructureDefinition/smoker"
EXT_APPROACH = f"{BASE}/StructureDefinition/surgical-approach"
EXT_SYMPTOM_WEEKS = f"{BASE}/StructureDefinition/symptom-duration-before-surgery"
EXT_DURAL_TEAR = f"{BASE}/StructureDefinition/dural-tear"
EXT_TRIAGE_LEVEL = f"{BASE}/StructureDefinition/triage-level"

CHECKIN_QUESTIONNAIRE = f"{BASE}/Questionnaire/nervetrack-checkin"
ODI_QUESTIONNAIRE = f"{BASE}/Questionnaire/nervetrack-odi"

LOINC_PAIN = ("72514-3", "Pain severity - 0-10 verbal numeric rating [Score] - Reported")
LOINC_ODI_SCORE = ("97909-6", "Oswestry disability index score ODI")
LOINC_ODI_PANEL = ("97908-8", "Oswestry Disability Index")
LOINC_BODY_TEMPERATURE = ("8310-5", "Body temperature")
BODY_SITES = {
    "leg_pain": ("61685007", "Lower limb structure"),
    "back_pain": ("77568009", "Back"),
}

# Verified SNOMED CT codes; the other procedures are coded in CS_PROCEDURE only.
SNOMED_PROCEDURES: dict[Procedure, tuple[str, str]] = {
    Procedure.LAMINECTOMY: ("387731002", "Laminectomy"),
    Procedure.MICRODISCECTOMY: ("178625001", "Primary lumbar microdiscectomy"),
}

LOCAL_SYMPTOMS = {
    "numbness": "Numbness in the leg or foot, 0-10",
    "tingling": "Tingling or pins and needles, 0-10",
    "weakness": "Weakness in the leg or foot, 0-10",
    "walking_minutes": "Continuous walking time",
}
SIGN_DISPLAYS = {
    "chills": "Fever, shivering or chills",
    "bladder_problem": "New bladder problem: retention or incontinence",
    "urinary_difficulty": "Difficulty starting urine, weak stream or altered bladder sensation",
    "bowel_problem": "New loss of bowel control",
    "saddle_numbness": "New saddle numbness",
    "genital_numbness": "Genital numbness or altered sexual sensation",
    "both_legs": "Pain, numbness or weakness in both legs",
    "sudden_weakness": "Sudden marked weakness of a leg or foot",
    "wound_redness": "Wound redder, hotter or more swollen",
    "wound_drainage": "Fluid or pus from the wound",
    "calf_pain_swelling": "Painful, swollen or warm calf",
    "chest_pain_or_breathlessness": "Chest pain or sudden breathlessness",
    "headache_when_upright": "Headache worse upright, better lying down",
}
assert set(SIGN_DISPLAYS) == set(RED_FLAG_SIGNS)

_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


def local_code(name: str) -> str:
    """A contract name (snake_case) as a code of NerveTrack's code systems (kebab-case)."""
    return name.replace("_", "-")


def patient_fhir_id(patient_ref: str) -> str:
    """The FHIR id of a patient: their NerveTrack id when it is a valid FHIR id, else a stable digest of it
    (NerveTrack ids may hold `_`, FHIR ids may not); the NerveTrack id is kept in Patient.identifier."""
    if _FHIR_ID.match(patient_ref):
        return patient_ref
    return "nt-" + hashlib.sha256(patient_ref.encode()).hexdigest()[:40]


def derived_id(kind: str, patient_id: str) -> str:
    """The id of a resource NerveTrack keeps one of per patient (the surgery, the care plan, the forecast)."""
    candidate = f"{kind}-{patient_id}"
    if len(candidate) <= 64:
        return candidate
    return f"{kind}-{hashlib.sha256(patient_id.encode()).hexdigest()[:40]}"
