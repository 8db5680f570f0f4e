"""Answering one question (warning signs, expansion, BM25 ranking and the reply) beside the trivial request
of reading the question's words, over every question of the evaluation set. The aim: under 20 ms each."""

from __future__ import annotations

import statistics
import time
import tomllib

from benchmarks.ask_eval import EVAL_SET
from nervetrack.domain.ask import ask
from nervetrack.domain.lexicon import words
from nervetrack.knowledge import load_knowledge

ROUNDS = 20
AIM_MS = 20.0


def _per_call_ms(questions: list[str], call: object) -> list[float]:
    timings = []
    for _ in range(ROUNDS):
        for q in questions:
            start = time.perf_counter()
            call(q)  # type: ignore[operator]
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def main() -> None:
    knowledge = load_knowledge()
    data = tomllib.loads(EVAL_SET.read_text(encoding="utf-8"))
    questions = [q["text"] for q in (*data["question"], *data["unanswerable"])]
    ask(questions[0], knowledge)  # builds the index once, as a server does at its first question
    trivial = _per_call_ms(questions, words)
    answered = _per_call_ms(questions, lambda q: ask(q, knowledge))
    t_med, a_med = statistics.median(trivial), statistics.median(answered)
    a_p95 = statistics.quantiles(answered, n=20)[-1]
    print(f"questions: {len(questions)} x {ROUNDS} rounds")
    print(f"trivial (read the words): median {t_med:.3f} ms")
    print(f"ask: median {a_med:.3f} ms, p95 {a_p95:.3f} ms, max {max(answered):.3f} ms")
    print(f"ratio ask / trivial: {a_med / t_med:.1f}x; aim < {AIM_MS:.0f} ms: {'met' if a_p95 < AIM_MS else 'NOT met'}")


if __name__ == "__main__":
    main()
