"""What every triage rule may look at: the record, its check-ins and series, and the answers given."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from nervetrack.domain.knowledge import SymptomScale
from nervetrack.domain.model import OFF_COURSE, CheckIn, PatientRecord
from nervetrack.domain.timeline import PatientCourse
from nervetrack.domain.trajectory import Judgement, Series

_SIGN_WORDS = {
    "calf_pain_swelling": "calf pain or swelling",
    "sudden_weakness": "sudden leg weakness",
    "both_legs": "symptoms in both legs",
    "urinary_difficulty": "difficulty passing urine",
    "genital_numbness": "numbness of the genitals",
    "headache_when_upright": "a headache when upright",
    "chest_pain_or_breathlessness": "chest pain or breathlessness",
}


def sign_words(name: str) -> str:
    """A warning sign's name in plain words."""
    return _SIGN_WORDS.get(name, name.replace("_", " "))


@dataclass(frozen=True)
class Context:
    """What every rule may look at. `checkins` are in date order, with follow-up answers that stand for a
    warning sign already applied to that sign."""

    record: PatientRecord
    day: int
    latest: CheckIn | None
    series: Mapping[str, Series]
    scales: Mapping[str, SymptomScale]
    as_of: dt.date
    checkins: Sequence[CheckIn] = ()
    odi_scores: Sequence[tuple[int, float]] = ()  # (day, scored ODI %) in date order
    sign_carry_days: Mapping[str, int] = dataclasses.field(default_factory=lambda: {"default": 2})
    courses: Mapping[str, PatientCourse] = dataclasses.field(default_factory=dict)
    judgements: Mapping[str, Judgement | None] = dataclasses.field(default_factory=dict)
    # Rule code -> evidence, for follow-up answers that raise a rule ("yes, it is harder to stand on my heels").
    raised_by_answers: Mapping[str, str] = dataclasses.field(default_factory=dict)
    # Follow-up questions asked about the latest check-in and not answered yet, whose silence reaches the
    # clinic (not those standing in for a rating left blank).
    pending_follow_up: Sequence[str] = ()

    def off_course(self, symptom: str) -> bool:
        """Whether the symptom is outside its expected course for this patient (slower, not improving, worse)."""
        judgement = self.judgements.get(symptom)
        return judgement is not None and judgement.status in OFF_COURSE

    def day_of(self, checkin: CheckIn) -> int:
        return (checkin.date - self.record.surgery.date).days

    def answer(self, name: str) -> CheckIn | None:
        """The latest check-in that answered yes/no question `name` (None: never answered)."""
        # Several rules ask about the same question: look each one up once.
        if name not in self._answers:
            self._answers[name] = next((c for c in reversed(self.checkins) if getattr(c, name) is not None), None)
        return self._answers[name]

    @functools.cached_property
    def _answers(self) -> dict[str, CheckIn | None]:
        return {}

    def sign(self, name: str) -> bool:
        """Whether the latest check-in says yes to `name`, or left it blank within the sign's carry days of a
        yes (a second entry the same day, or a short check-in soon after, must not hide a sign)."""
        if self.latest is None:
            return False
        if getattr(self.latest, name) is not None:
            return self.latest.has(name)
        answered = self.answer(name)
        if answered is None or not answered.has(name):
            return False
        return (self.latest.date - answered.date).days <= self.carry_days(name)

    def carry_days(self, name: str) -> int:
        return self.sign_carry_days.get(name, self.sign_carry_days.get("default", 0))

    def temperature(self, carry_days: float) -> tuple[float, int] | None:
        """The latest temperature and its day after surgery, if measured within `carry_days` of the latest
        check-in (a fever reported yesterday is not cancelled by a check-in that did not measure it)."""
        if self.latest is None:
            return None
        measured = next((c for c in reversed(self.checkins) if c.temperature_c is not None), None)
        if measured is None or measured.temperature_c is None or (self.latest.date - measured.date).days > carry_days:
            return None
        return measured.temperature_c, self.day_of(measured)

    def reported(self, names: Sequence[str], also: Sequence[str] = ()) -> str | None:
        """ "reported: ..." for the signs in `names` whose latest answer is yes, naming the day when it was not
        the latest check-in; signs in `also` are named beside them but do not count on their own."""
        found = [n for n in names if self.sign(n)]
        if not found:
            return None
        found += [n for n in also if self.sign(n)]
        text = "reported: " + ", ".join(sign_words(n) for n in found)
        days = {self._day_answered(n) for n in found}
        latest_day = self.day_of(self.latest) if self.latest else None
        earlier = sorted(d for d in days if d is not None and d != latest_day)
        return text + (f" (on day {', '.join(map(str, earlier))}, not answered since)" if earlier else "")

    def _day_answered(self, name: str) -> int | None:
        answered = self.answer(name)
        return None if answered is None else self.day_of(answered)

    def follow_up_answer(self, question: str, within_days: int) -> tuple[object, int] | None:
        """The latest answer to follow-up `question` given within `within_days` of the latest check-in, with
        its day after surgery."""
        if self.latest is None:
            return None
        for checkin in reversed(self.checkins):
            if (self.latest.date - checkin.date).days > within_days:
                return None
            if checkin.follow_up and question in checkin.follow_up:
                return checkin.follow_up[question], self.day_of(checkin)
        return None


# A rule check returns a short account of what triggered it, or None.
Check = Callable[[Context, Mapping[str, float]], str | None]
