"""The patients' lexicon (knowledge/synonyms.toml): lay wording of the topics and warning signs, as stemmed
word sequences, so that "I wet myself" finds the bladder and "a dead leg" finds numbness.

Words are compared after Snowball's English stemmer (numbness -> numb, peeing -> pee). A phrase matches when
its words appear in the question in the same order, one after the other; a sign's `all_of` matches when
one phrase of each of its lists appears anywhere in the question (so "numb ... between my legs" and "between
my legs ... numb" both name saddle numbness).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import snowballstemmer

from nervetrack.domain.errors import KnowledgeError

Words = tuple[str, ...]
_STEMMER = snowballstemmer.stemmer("english")
_WORD = re.compile(r"[a-z0-9]+")
# Levels whose warning signs the ask engine must recognise in any wording (the others, such as a red wound,
# are answered like any other question).
ESCALATING_LEVELS = ("emergency", "urgent")


@lru_cache(maxsize=8192)
def _stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def words(text: str) -> Words:
    """The text as lower-case stemmed words; apostrophes join ("can't" -> "cant")."""
    joined = re.sub(r"['’`]", "", text.lower())
    return tuple(_stem(w) for w in _WORD.findall(joined))


def has_phrase(text: Words, phrase: Words) -> bool:
    """Whether the phrase's words appear in `text` in order and next to each other."""
    n = len(phrase)
    return n > 0 and any(text[i : i + n] == phrase for i in range(len(text) - n + 1))


@dataclass(frozen=True)
class Synonym:
    """Lay phrases for a topic, and the index words they stand for."""

    means: Words
    phrases: tuple[Words, ...]

    def found_in(self, text: Words) -> bool:
        return any(has_phrase(text, p) for p in self.phrases)


@dataclass(frozen=True)
class SignWording:
    """The ways a patient names one warning sign (`sign`, a sign of rules.toml) or the subject of a rule
    without a sign (`rule`, such as a fever), with the index words they stand for."""

    target: str
    kind: str  # "sign" or "rule"
    phrases: tuple[Words, ...]
    all_of: tuple[tuple[Words, ...], ...]
    means: Words

    def named_in(self, text: Words) -> bool:
        if any(has_phrase(text, p) for p in self.phrases):
            return True
        return bool(self.all_of) and all(any(has_phrase(text, p) for p in group) for group in self.all_of)


@dataclass(frozen=True)
class Lexicon:
    version: str
    ignore: frozenset[str]
    synonyms: tuple[Synonym, ...]
    signs: tuple[SignWording, ...]
    min_score: float
    min_known_share: float
    max_answers: int

    def expand(self, text: Words) -> Words:
        """The question's words plus the index words its lay phrases and named signs stand for."""
        extra = [w for s in self.synonyms if s.found_in(text) for w in s.means]
        extra += [w for s in self.signs if s.named_in(text) for w in s.means]
        return text + tuple(extra)

    def known_words(self) -> frozenset[str]:
        """Every word of the lexicon's phrases and meanings."""
        found = {w for s in self.synonyms for p in (s.means, *s.phrases) for w in p}
        found |= {w for s in self.signs for p in (s.means, *s.phrases, *(q for g in s.all_of for q in g)) for w in p}
        return frozenset(found)


def build_lexicon(data: Mapping[str, Any]) -> Lexicon:
    """Build the lexicon from parsed synonyms.toml; KnowledgeError names the entry at fault."""
    index = data.get("index", {})
    try:
        return Lexicon(
            version=str(data["version"]),
            ignore=frozenset(w for text in index.get("ignore", ()) for w in words(text)),
            synonyms=tuple(Synonym(_words(s["means"]), _phrases(s["phrases"])) for s in data.get("synonym", ())),
            signs=tuple(_sign(s) for s in data.get("sign", ())),
            min_score=float(index["min_score"]),
            min_known_share=float(index.get("min_known_share", 0.0)),
            max_answers=int(index.get("max_answers", 3)),
        )
    except KeyError as error:
        raise KnowledgeError(f"synonyms.toml: missing key {error.args[0]!r}") from error


def _sign(d: Mapping[str, Any]) -> SignWording:
    if ("sign" in d) == ("rule" in d):
        raise KnowledgeError(f"synonyms.toml: a [[sign]] entry needs exactly one of sign, rule: {dict(d)}")
    kind = "sign" if "sign" in d else "rule"
    return SignWording(
        target=d[kind],
        kind=kind,
        phrases=_phrases(d.get("phrases", ())),
        all_of=tuple(_phrases(group) for group in d.get("all_of", ())),
        means=_words(d.get("means", "")),
    )


def _words(text: str | Sequence[str]) -> Words:
    return words(text if isinstance(text, str) else " ".join(text))


def _phrases(texts: Iterable[str]) -> tuple[Words, ...]:
    return tuple(p for p in (words(t) for t in texts) if p)


def sign_levels(rules: Iterable[Any]) -> dict[str, str]:
    """Each warning sign of the rules, with the most serious level of a rule that a "yes" to it raises."""
    rank = {level: i for i, level in enumerate(("routine", "soon", "urgent", "emergency"))}
    levels: dict[str, str] = {}
    for rule in rules:
        for sign in rule.signs:
            if rank.get(rule.level, 0) > rank.get(levels.get(sign, "routine"), 0):
                levels[sign] = rule.level
    return levels


def lexicon_problems(lexicon: Lexicon, rules: Mapping[str, Any]) -> list[str]:
    """Cross-references with rules.toml: every sign that escalates has wording, every wording a target."""
    levels = sign_levels(rules.values())
    worded = {s.target for s in lexicon.signs if s.kind == "sign"}
    problems = [
        f"synonyms.toml: no wording for the {level} warning sign {sign!r} of rules.toml"
        for sign, level in levels.items()
        if level in ESCALATING_LEVELS and sign not in worded
    ]
    for s in lexicon.signs:
        known = levels if s.kind == "sign" else rules
        if s.target not in known:
            problems.append(f"synonyms.toml: [[sign]] names unknown {s.kind} {s.target!r}")
        if not s.phrases and not s.all_of:
            problems.append(f"synonyms.toml: [[sign]] {s.target!r} has no phrases")
    return problems
