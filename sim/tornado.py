"""Tornado: which project and which money matter most for each binding target.

For each binding computed target (judged in its own year), the change in P(met) from the base when
(a) each project alone is planned ``delay_months`` later (``what_if.project_delay_months``), and
(b) each funding source alone is cut by ``cut`` (``what_if.funding_scale``), every run with common random
numbers, so a change of 0 means no replication changed.  Rows are ranked by the size of the change.
The paired interval of each change is Newcombe's (``sim.paired.newcombe_paired``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .experiment import Experiment, with_what_if
from .indicators import met
from .loader import Scenario
from .paired import newcombe_paired


def binding_targets(scenario: Scenario) -> list:
    return [t for t in scenario.rows("targets") if t.kind == "computed" and t.binding == "binding"
            and t.value is not None and scenario.base_year <= t.year <= scenario.horizon]


def tornado_analysis(exp: Experiment, scenario: Scenario, delay_months: int = 12, cut: float = 0.3,
                     base_result=None, level: float = 0.95) -> pd.DataFrame:
    """One row per binding target and factor: ``factor`` (project id or funding source), ``kind``
    (``project delayed`` / ``funding cut``), ``p_met_base``, ``p_met``, ``change`` with its paired
    interval, and ``rank`` within the target (1 = largest absolute change).  Raises ValueError if
    ``cut`` is outside [0, 1]."""
    if not 0.0 <= cut <= 1.0:
        raise ValueError(f"a funding cut is a share between 0 and 1, got {cut}")
    targets = binding_targets(scenario)
    if not targets:
        return pd.DataFrame(columns=["indicator_id", "factor", "kind", "change", "rank"])
    years = np.arange(scenario.base_year, scenario.horizon + 1)
    names = {t.quantity for t in targets}
    base_q = base_result.quantities if base_result is not None else exp.quantities(scenario, names)
    projects = {p.id: p.name_zh for p in scenario.rows("projects")}
    sources = sorted({f.funding_source for f in scenario.rows("funding")})
    factors = [("project delayed", pid, {"project_delay_months": {pid: float(delay_months)}}, projects[pid])
               for pid in projects]
    factors += [("funding cut", src, {"funding_scale": {src: 1.0 - cut}}, src) for src in sources]
    rows = []
    for kind, factor, what_if, label in factors:
        q = exp.quantities(with_what_if(scenario, what_if), names)
        for t in targets:
            j = int(np.nonzero(years == t.year)[0][0])
            mb = met(base_q[t.quantity][:, j], t.comparator, t.value)
            mv = met(q[t.quantity][:, j], t.comparator, t.value)
            d, lo, hi = newcombe_paired(mb, mv, level)
            same = bool(np.array_equal(mb, mv))
            rows.append({"indicator_id": t.id, "name": t.name_zh, "year": t.year, "kind": kind, "factor": factor,
                         "factor_name": label,
                         "what_if": f"{factor} {delay_months} months later" if kind == "project delayed"
                         else f"{factor} envelopes x {1.0 - cut:g}",
                         "p_met_base": float(mb.mean()), "p_met": float(mv.mean()),
                         "change": 0.0 if same else d, "change_low": lo, "change_high": hi})
    df = pd.DataFrame(rows)
    df["abs_change"] = df["change"].abs()
    df = df.sort_values(["indicator_id", "abs_change", "kind", "factor"], ascending=[True, False, True, True],
                        kind="stable")
    df["rank"] = df.groupby("indicator_id").cumcount() + 1
    return df.drop(columns="abs_change").reset_index(drop=True)
