"""The registry of model inputs (sim/domains.py) cannot drift from the code: every parameter id a
module of sim/ names is declared with a domain, every declared parameter is read by some module, and
every base fact the service models read is declared by them and has a domain."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from sim.domains import BASE_FACTS, PARAMETERS, Domain
from sim.services.context import BASE_FACT_IDS

SIM = Path(__file__).resolve().parents[1] / "sim"
PREFIXES = sorted({pid.split(".")[0] for pid in PARAMETERS})
PARAM_ID = re.compile(rf"^({'|'.join(PREFIXES)})\.[a-z0-9_]+$")
DYNAMIC = {"demography.share_"}   # ids built in code: f"demography.share_{key}" (sim/population/projection.py)


def _strings(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [(n.value, n.lineno) for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _ids_in_code() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(SIM.rglob("*.py")):
        if path.name == "domains.py":
            continue
        for text, line in _strings(path):
            if PARAM_ID.match(text) and text not in DYNAMIC and not text.endswith((".py", ".csv", ".md")):
                found.setdefault(text, []).append(f"{path.relative_to(SIM.parent)}:{line}")
    return found


def test_every_parameter_a_model_reads_is_declared():
    undeclared = {pid: where for pid, where in _ids_in_code().items() if pid not in PARAMETERS}
    assert not undeclared, ("declare these parameters (domain, need, table) in sim/domains.py: "
                            + "; ".join(f"{pid} read at {', '.join(w)}" for pid, w in sorted(undeclared.items())))


def test_every_declared_parameter_is_read_by_a_model():
    read = set(_ids_in_code())
    unread = [pid for pid, d in PARAMETERS.items()
              if pid not in read and not any(pid.startswith(p) for p in DYNAMIC) and d.need != "optional"]
    assert not unread, f"declared as needed in sim/domains.py but no module reads them: {unread}"


def test_base_facts_read_are_declared_by_the_models_and_have_domains():
    read = set()
    for path in sorted((SIM / "services").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for n in ast.walk(tree):
            if (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "fact"
                    and n.args and isinstance(n.args[0], ast.Constant)):
                read.add(n.args[0].value)
    assert read and read <= set(BASE_FACT_IDS), f"read but not in BASE_FACT_IDS: {read - set(BASE_FACT_IDS)}"
    assert set(BASE_FACT_IDS) <= set(BASE_FACTS), f"no domain in sim/domains.py: {set(BASE_FACT_IDS) - set(BASE_FACTS)}"


def test_domain_text_and_membership():
    d = Domain(0, 1, lo_open=True)
    assert d.text() == "in (0, 1]" and not d.contains(0) and d.contains(1) and not d.contains(float("nan"))
    assert Domain(-100, 100, lo_open=True).contains(-99.9) and not Domain(-100, 100, lo_open=True).contains(-150)
    for decl in PARAMETERS.values():
        if decl.need == "default":
            assert decl.default is not None and decl.domain.contains(decl.default) and decl.default_why, decl.id


def test_defaults_written_in_code_agree_with_the_registry():
    """`params.value(id, default)` / `_p(params, id, default)` in code must carry the declared default
    (the scenario's ParameterSet already holds the declared one, so a different literal would be dead
    code that misleads a reader)."""
    wrong = []
    for path in sorted(SIM.rglob("*.py")):
        for n in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(n, ast.Call):
                continue
            name = n.func.attr if isinstance(n.func, ast.Attribute) else getattr(n.func, "id", "")
            args = n.args[1:] if name == "_p" else n.args if name == "value" else None
            if not args or len(args) < 2 or not all(isinstance(a, ast.Constant) for a in args[:2]):
                continue
            pid, default = args[0].value, args[1].value
            if isinstance(pid, str) and pid in PARAMETERS and PARAMETERS[pid].default != default:
                wrong.append(f"{path.relative_to(SIM.parent)}:{n.lineno} {pid} default {default} "
                             f"!= declared {PARAMETERS[pid].default}")
    assert not wrong, "\n".join(wrong)
