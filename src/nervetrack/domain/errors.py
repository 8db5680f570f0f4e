"""The domain's exceptions.

NerveTrackError
 +-- InvalidInput          a record breaks the input contract; carries one Problem per fault
 +-- KnowledgeError        the knowledge base is inconsistent (unknown source, missing course, ...)
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One fault in the input: where it is and what is allowed."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class NerveTrackError(Exception):
    """Base of every error the domain raises."""


class InvalidInput(NerveTrackError):
    """The input record breaks the contract."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


class KnowledgeError(NerveTrackError):
    """The knowledge base is inconsistent."""
