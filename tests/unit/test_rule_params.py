"""The parameters each check declares are the ones its code reads (issue 11): read from the check modules'
syntax tree, following the calls that hand the parameters on to helpers of the same module."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable

import pytest

from nervetrack.domain import triage_signs, triage_trends
from nervetrack.domain.triage import CHECK_PARAMS


def _reader(module: object) -> Callable[[str, str], set[str]]:
    tree = ast.parse(inspect.getsource(module))  # type: ignore[arg-type]
    functions = {n.name: n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}

    def reads(name: str, param: str, seen: frozenset[tuple[str, str]] = frozenset()) -> set[str]:
        if (name, param) in seen:
            return set()
        keys: set[str] = set()
        for node in ast.walk(functions[name]):
            if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name) and node.value.id == param:
                keys.add(node.slice.value if isinstance(node.slice, ast.Constant) else "<computed>")
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == param:
                keys.add("<computed>")  # p.get(...) or any other use hides which key is read
            callee = func.id if isinstance(func, ast.Name) else None
            if callee not in functions:
                continue
            names = [a.arg for a in functions[callee].args.args]
            passed = [(names[i], a) for i, a in enumerate(node.args) if i < len(names)]
            passed += [(k.arg, k.value) for k in node.keywords if k.arg]
            for arg_name, value in passed:
                if isinstance(value, ast.Name) and value.id == param:
                    keys |= reads(callee, arg_name, seen | {(name, param)})
        return keys

    return reads


@pytest.mark.parametrize(
    ("module", "checks"), [(triage_signs, triage_signs.SIGN_CHECKS), (triage_trends, triage_trends.TREND_CHECKS)]
)
def test_declared_params_are_what_the_code_reads(module, checks):
    reads = _reader(module)
    for name, check in checks.items():
        read = reads(check.__name__, "p")
        assert "<computed>" not in read, f"{name} reads a parameter whose name is computed"
        assert read == CHECK_PARAMS[name], name


def test_the_sign_checks_built_from_rules_read_what_they_declare():
    reads = _reader(triage_signs)
    assert reads("check", "p") == CHECK_PARAMS["cauda_equina_unconfirmed"]
