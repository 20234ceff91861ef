"""Scenario comparison with common random numbers: a base and its variants, paired replication by
replication.

Tables (pandas, one row each):

* ``targets``: per scenario, computed target and year — P(met), expected shortfall, and for a variant
  the difference from the base with the paired interval (``sim.paired.newcombe_paired``), the interval
  one would get from independent runs (``newcombe_unpaired``, for reference), the paired difference of
  the shortfall, and a verdict (``no change`` / ``better`` / ``worse`` / ``not significant`` at the
  chosen level).  Differences are variant - base; for P(met) larger is better, for the shortfall smaller.
* ``projects``: per scenario and project — completion p10 / p50 / p90 (fractional years, inf = not
  complete by the horizon) and the difference from the base.
* ``spend``: per scenario, funding source and year — envelope, mean money available and mean spend (yuan).

Every scenario is run by ``sim.experiment.Experiment`` under the same options, so replication r of a
variant uses replication r's draws of the base.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .buildout.montecarlo import year_to_month
from .experiment import Experiment
from .indicators import met, shortfall
from .loader import Scenario
from .paired import METHOD_PAIRED, METHOD_UNPAIRED, newcombe_paired, newcombe_unpaired, paired_mean, verdict
from .run import RunResult

QUANTILES = (0.1, 0.5, 0.9)


@dataclass
class Comparison:
    base: str
    scenarios: list[str]
    level: float
    targets: pd.DataFrame
    projects: pd.DataFrame
    spend: pd.DataFrame
    results: dict[str, RunResult]


def _computed(scenario: Scenario):
    return [t for t in scenario.rows("targets") if t.kind == "computed" and t.value is not None]


def target_table(base: RunResult, variants: list[RunResult], level: float = 0.95) -> pd.DataFrame:
    """Per scenario (base first), computed target of the base and year: P(met), shortfall, differences.

    A target missing from a variant (removed or renamed) gets no row for that variant.
    """
    rows = []
    years = base.years
    for res in [base] + variants:
        targets = {t.id: t for t in _computed(res.scenario)}
        for tb in _computed(base.scenario):
            t = targets.get(tb.id)
            if t is None:
                continue
            vb = base.quantities[tb.quantity]
            vv = res.quantities[t.quantity]
            for j, year in enumerate(years):
                mb = met(vb[:, j], tb.comparator, tb.value)
                mv = met(vv[:, j], t.comparator, t.value)
                sb = shortfall(vb[:, j], tb.comparator, tb.value)
                sv = shortfall(vv[:, j], t.comparator, t.value)
                d, lo, hi = newcombe_paired(mb, mv, level)
                _, ulo, uhi = newcombe_unpaired(mb, mv, level)
                ds, slo, shi = paired_mean(sb, sv, level)
                same_met = bool(np.array_equal(mb, mv))
                same_sf = bool(np.array_equal(sb, sv, equal_nan=True))
                undefined = not (np.isfinite(vb[:, j]).any() and np.isfinite(vv[:, j]).any())
                rows.append({
                    "scenario": res.scenario.id, "base": base.scenario.id, "indicator_id": t.id, "name": t.name_zh,
                    "unit": t.unit, "year": int(year), "target_year": t.year, "in_target_year": int(year) == t.year,
                    "target": t.value, "comparator": t.comparator, "binding": t.binding,
                    "p_met": _p(mv, vv[:, j]), "p_met_base": _p(mb, vb[:, j]),
                    "diff_p_met": 0.0 if same_met else d,
                    "diff_low": lo, "diff_high": hi,
                    "diff_low_unpaired": ulo, "diff_high_unpaired": uhi,
                    "discordant_pairs": int(np.sum(mb != mv)),
                    "expected_shortfall": float(np.nanmean(sv)) if np.isfinite(sv).any() else math.nan,
                    "expected_shortfall_base": float(np.nanmean(sb)) if np.isfinite(sb).any() else math.nan,
                    "diff_shortfall": 0.0 if same_sf else ds,
                    "diff_shortfall_low": 0.0 if same_sf else slo,
                    "diff_shortfall_high": 0.0 if same_sf else shi,
                    "verdict": "undefined" if undefined else verdict(lo, hi, d, same_met),
                    "shortfall_verdict": verdict(-shi, -slo, -ds, same_sf),
                    "level": level, "method": METHOD_PAIRED, "method_unpaired": METHOD_UNPAIRED,
                })
    return pd.DataFrame(rows)


def _p(ok: np.ndarray, values: np.ndarray) -> float:
    """P(met) as sim.indicators reports it: NaN when the quantity is undefined in every replication."""
    return float(ok.mean()) if np.isfinite(values).any() else math.nan


def _completion_quantiles(res: RunResult) -> np.ndarray:
    return np.quantile(res.build.result.completion, QUANTILES, axis=0, method="inverted_cdf")  # (3, P)


def project_table(base: RunResult, variants: list[RunResult]) -> pd.DataFrame:
    """Per scenario and project: completion p10 / p50 / p90 as ``YYYY-MM`` (blank = not complete by the
    horizon) and their difference from the base in months (0 where both are equal, also both never;
    blank where only one completes)."""
    qb = _completion_quantiles(base)
    base_ids = base.build.result.project_ids
    rows = []
    for res in [base] + variants:
        q = _completion_quantiles(res)
        ids = res.build.result.project_ids
        plan = {p.id: p for p in res.scenario.rows("projects")}
        comp = res.build.result.completion
        for j, pid in enumerate(ids):
            row = {"scenario": res.scenario.id, "base": base.scenario.id, "project": pid, "name_zh": plan[pid].name_zh,
                   "planned_start": year_to_month(plan[pid].start + 1e-6), "planned_end": year_to_month(plan[pid].end),
                   "p_complete_by_planned_end": float(np.mean(comp[:, j] <= plan[pid].end + 1e-9))}
            k = base_ids.index(pid) if pid in base_ids else None
            for i, qq in enumerate(QUANTILES):
                tag = f"completion_p{int(qq * 100)}"
                row[tag] = year_to_month(float(q[i, j]))
            for i, qq in enumerate(QUANTILES):
                tag = f"completion_p{int(qq * 100)}"
                if k is None:
                    row[f"diff_{tag}_months"] = math.nan
                else:
                    a, b = float(q[i, j]), float(qb[i, k])
                    row[f"diff_{tag}_months"] = 0.0 if a == b else \
                        (round((a - b) * 12, 2) if math.isfinite(a) and math.isfinite(b) else math.nan)
            rows.append(row)
    return pd.DataFrame(rows)


def spend_table(results: list[RunResult]) -> pd.DataFrame:
    """Per scenario, funding source and year: envelope (incl. contingency), mean available, mean spend (yuan)."""
    rows = []
    for res in results:
        b = res.build.result
        spend = b.source_spend.mean(axis=0)          # (S, Y)
        avail = b.available.mean(axis=0)
        for s, src in enumerate(b.sources):
            for y, year in enumerate(b.years):
                rows.append({"scenario": res.scenario.id, "source": src, "year": int(year),
                             "envelope_yuan": float(b.envelopes[s, y]), "available_mean_yuan": float(avail[s, y]),
                             "spend_mean_yuan": float(spend[s, y]),
                             "spend_p10_yuan": float(np.percentile(b.source_spend[:, s, y], 10)),
                             "spend_p90_yuan": float(np.percentile(b.source_spend[:, s, y], 90))})
    return pd.DataFrame(rows)


def compare(base: Scenario, variants: list[Scenario], exp: Experiment, level: float = 0.95) -> Comparison:
    """Run the base and every variant under ``exp``'s options and tabulate the paired differences."""
    ids = [base.id] + [v.id for v in variants]
    if len(set(ids)) != len(ids):
        # the same scenario twice is allowed (compare(X, X)); keep the labels apart
        seen: dict[str, int] = {}
        relabelled = []
        for v in variants:
            seen[v.id] = seen.get(v.id, 0) + 1
            relabelled.append(_relabel(v, f"{v.id}_{seen[v.id]}") if v.id == base.id or seen[v.id] > 1 else v)
        variants = relabelled
    rb = exp.run(base)
    rv = [exp.run(v) for v in variants]
    return Comparison(base=base.id, scenarios=[base.id] + [v.scenario.id for v in rv], level=level,
                      targets=target_table(rb, rv, level), projects=project_table(rb, rv),
                      spend=spend_table([rb] + rv), results={r.scenario.id: r for r in [rb] + rv})


def _relabel(s: Scenario, new_id: str) -> Scenario:
    from dataclasses import replace
    return replace(s, id=new_id)
