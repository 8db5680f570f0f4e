"""NerveTrack: nerve recovery tracking after lumbar spine surgery.

The public library API: parse a record, load the knowledge base, assess.
"""

from __future__ import annotations

from nervetrack.domain.assess import assess
from nervetrack.domain.errors import InvalidInput, KnowledgeError, NerveTrackError, Problem
from nervetrack.domain.model import PatientRecord, SymptomStatus, TriageLevel
from nervetrack.domain.results import Assessment
from nervetrack.domain.validation import parse_record
from nervetrack.knowledge import load_knowledge

__version__ = "0.1.0"

__all__ = [
    "Assessment",
    "InvalidInput",
    "KnowledgeError",
    "NerveTrackError",
    "PatientRecord",
    "Problem",
    "SymptomStatus",
    "TriageLevel",
    "__version__",
    "assess",
    "load_knowledge",
    "parse_record",
]
