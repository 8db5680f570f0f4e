"""`make eval-ask`: how well the ask engine answers the evaluation set (benchmarks/ask_eval.toml).

Prints top-1 and top-3 hit rates and the mean reciprocal rank over the answerable questions, how often an
unanswerable question is told that the knowledge base has no answer, and how many questions naming a
warning sign lead with its instruction (the aim is all of them), and how often a question naming none gets
one anyway.
"""

from __future__ import annotations

import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from nervetrack.domain.ask import ask, ranked_ids
from nervetrack.domain.knowledge import Knowledge
from nervetrack.knowledge import load_knowledge

EVAL_SET = Path(__file__).with_name("ask_eval.toml")


@dataclass
class AskEvaluation:
    answerable: int = 0
    top1: int = 0
    top3: int = 0
    reciprocal_ranks: float = 0.0
    unanswerable: int = 0
    said_no_answer: int = 0
    with_sign: int = 0
    led_with_instruction: int = 0
    without_sign: int = 0
    escalated_without_sign: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def mrr(self) -> float:
        return self.reciprocal_ranks / self.answerable

    def lines(self) -> list[str]:
        return [
            f"answerable questions: {self.answerable}",
            f"top-1 hit rate: {self.top1 / self.answerable:.1%} ({self.top1}/{self.answerable})",
            f"top-3 hit rate: {self.top3 / self.answerable:.1%} ({self.top3}/{self.answerable})",
            f"mean reciprocal rank: {self.mrr:.3f}",
            f"unanswerable questions told 'no answer': {self.said_no_answer / self.unanswerable:.1%} "
            f"({self.said_no_answer}/{self.unanswerable})",
            f"warning-sign questions led by the instruction: {self.led_with_instruction}/{self.with_sign}",
            f"other questions given an instruction anyway: {self.escalated_without_sign}/{self.without_sign}",
        ]


def evaluate(knowledge: Knowledge, path: Path = EVAL_SET) -> AskEvaluation:
    """Run every question of the set through the engine."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    result = AskEvaluation()
    for q in data["question"]:
        reply, expect = ask(q["text"], knowledge), set(q["expect"])
        shown = [a.id for a in reply.answers]
        result.answerable += 1
        result.top1 += bool(shown[:1] and shown[0] in expect)
        hit3 = bool(expect & set(shown[:3]))
        result.top3 += hit3
        ranks = [i for i, aid in enumerate(ranked_ids(q["text"], knowledge), 1) if aid in expect]
        result.reciprocal_ranks += 1 / ranks[0] if ranks and shown else 0.0
        if not hit3:
            result.misses.append(f"miss: {q['text']!r} -> {shown}")
        if "level" in q:
            result.with_sign += 1
            result.led_with_instruction += reply.level == q["level"] and bool(reply.instruction)
        else:
            result.without_sign += 1
            result.escalated_without_sign += reply.level is not None
    for q in data["unanswerable"]:
        result.unanswerable += 1
        reply = ask(q["text"], knowledge)
        result.said_no_answer += reply.no_answer
        if not reply.no_answer:
            result.misses.append(f"answered: {q['text']!r} -> {[a.id for a in reply.answers]}")
    return result


def main(argv: list[str] | None = None) -> None:
    verbose = "-v" in (argv if argv is not None else sys.argv[1:])
    result = evaluate(load_knowledge())
    print("\n".join(result.lines()))
    if verbose:
        print("\n".join(result.misses))


if __name__ == "__main__":
    main()
