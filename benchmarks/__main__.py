"""Run every benchmark module (benchmarks/*_bench.py, and the triage's alert burden) in turn; each prints its own
ratios or tables. Name modules on the command line to run only those."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import benchmarks

# Simulations that are benchmarks too, beside the *_bench modules: alert_burden regenerates
# docs/triage-validation.md.
EXTRA = ("alert_burden",)


def main() -> None:
    wanted = set(sys.argv[1:])
    names = sorted(m.name for m in pkgutil.iter_modules(benchmarks.__path__) if m.name.endswith("_bench"))
    for module in [*names, *EXTRA]:
        if not wanted or module in wanted:
            print(f"== {module}", flush=True)
            loaded = importlib.import_module(f"benchmarks.{module}")
            loaded.main([]) if module in EXTRA else loaded.main()


if __name__ == "__main__":
    main()
