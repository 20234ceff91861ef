"""Which uncertain input drives each verdict: a given-data sensitivity analysis of the met indicator.

For a computed target judged in its year, the *met indicator* of replication r is
``Y_r = 1`` if the target holds at the end of that year, else 0 (``sim.indicators.met``).  Every
uncertain input drawn per replication is a candidate driver ``X`` (R,):

* demographic draws (``demography.tfr``, ``demography.e0_shift``, ``demography.net_migration_rate``,
  ``care.disability_prev_60plus``, ``care.severe_share``); a run makes D <= R of them and
  replication r uses draw ``r % D`` (``--population-draws``), so X repeats with period D;
* service parameters drawn per replication (every parameter a service model reads through
  ``ServiceContext.p`` whose draws vary);
* the build-out: each project's completion time (fractional year, ``inf`` = not complete by the
  horizon), named "<project> completion", and for a programme delivered in stages each earlier
  stage's, "<project> stage i/n completion".  It sums that project's preparation, delay,
  construction and funding waits, so "P02_01 completion" is the schedule a planner can act on.

Inputs that do not vary (fixed parameters, ``--deterministic``) are not candidates.

Method (stated in summary.json as ``drivers_method``):

1. **First-order sensitivity index from given data** (the correlation ratio): the share of the
   variance of Y explained by X alone, ``S = Var(E[Y | X]) / Var(Y)``.  X is cut into B
   equal-count bins by rank (ties share a bin; B = min(20, R // 50), at least 2, or one bin per
   distinct value when X has fewer), and ``E[Y | X]`` is the mean of Y in each bin.  The estimate
   is the bias-corrected omega-squared of the one-way ANOVA of Y on the bins,
   ``S = (SS_between - (k - 1) MS_within) / (SS_total + MS_within)``, floored at 0, so an input
   independent of Y scores about 0 rather than about (k - 1) / R.  Its F-test gives a p-value.
   Sources: K. Pearson's correlation ratio; E. Plischke, E. Borgonovo, C. L. Smith (2013),
   "Global sensitivity measures from given data", European Journal of Operational Research
   226(3):536-550 (first-order indices from one Monte Carlo sample by partitioning the input);
   A. Saltelli et al. (2008), *Global Sensitivity Analysis: The Primer*, Wiley, ch. 1 (S as the
   share of variance); W. L. Hays (1963) for omega-squared.
2. **Direction and size in probability**: ``delta = P(met | X > median) - P(met | X <= median)``
   (the two halves' P(met) are reported too).  Negative for a completion time means "the later
   the project, the less likely the target".
3. **Ranking**: candidates by S, largest first; a driver is reported when S >= ``MIN_SHARE``
   (0.02) and the F-test p-value < ``ALPHA`` (0.001, strict because ~40 inputs are tested per
   target); at most ``TOP`` (3).  Every driver after the first must also pass the F-test on the
   residual ``Y - E[Y | top driver's bin]`` (p < ``ALPHA``): an input that co-varies with the top
   driver only by chance in this sample is not reported.  A target whose met indicator is constant
   (P = 0 or 1) has none.
4. **Driven by an assumption**: when the top driver is a parameter whose ``confidence`` is
   ``assumption`` and S >= ``ASSUMPTION_SHARE`` (0.5: it alone explains most of the variance of
   Y), the record says ``driven_by_assumption: <parameter id>``: the verdict mostly restates an
   assumed range, not the plan.  ``assumption_share`` sums S over all assumption parameters.

Shapes: R replications; ``DrawTable.values`` (R, K) for K candidates; a met indicator (R,) bool.
Cost: one rank per candidate (K log R) and one bincount per target and candidate.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

TOP = 3
MIN_SHARE = 0.02
ALPHA = 0.001
ASSUMPTION_SHARE = 0.5
MAX_BINS = 20

METHOD = ("first-order sensitivity index S = Var(E[met | input]) / Var(met) from the run's own draws "
          "(equal-count rank bins, bias-corrected omega-squared, F-test p < 0.001, S >= 0.02; further drivers "
          "also significant given the top one; top 3), "
          "with delta = P(met | input above its median) - P(met | at or below); "
          "driven_by_assumption when one parameter of confidence 'assumption' has S >= 0.5 "
          "(Plischke, Borgonovo & Smith 2013, EJOR 226:536; docs/drivers.md)")


@dataclass
class DrawTable:
    """Per-replication values of every candidate input: ``values`` (R, K), one column per name."""

    names: list[str]
    values: np.ndarray                       # (R, K) float; inf allowed (a project never completed)
    meta: list[dict] = field(default_factory=list)   # per column: kind, parameter / project, confidence

    def __post_init__(self):
        self.values = np.asarray(self.values, dtype=float)
        if self.values.ndim != 2 or self.values.shape[1] != len(self.names):
            raise ValueError(f"values must be (R, {len(self.names)}), got {self.values.shape}")
        if len(self.meta) != len(self.names):
            raise ValueError("meta must have one entry per name")
        self._bins: list[np.ndarray] | None = None

    @property
    def R(self) -> int:
        return self.values.shape[0]

    def varying(self) -> DrawTable:
        """Only the columns that vary across replications."""
        v = np.nan_to_num(self.values, nan=np.inf)
        keep = [k for k in range(len(self.names)) if np.unique(v[:, k]).size > 1]
        return DrawTable([self.names[k] for k in keep], self.values[:, keep], [self.meta[k] for k in keep])

    def bins(self) -> list[np.ndarray]:
        """(R,) bin index of every replication, per column (computed once)."""
        if self._bins is None:
            self._bins = [rank_bins(self.values[:, k]) for k in range(len(self.names))]
        return self._bins


def rank_bins(x: np.ndarray, max_bins: int = MAX_BINS) -> np.ndarray:
    """(R,) int bin of each value: equal-count bins by rank, ties in one bin.

    B = min(max_bins, R // 50), at least 2; an input with at most B distinct values gets one bin
    per value.  NaN counts as +inf (e.g. a completion time that never came).
    """
    x = np.nan_to_num(np.asarray(x, dtype=float), nan=np.inf)
    R = len(x)
    uniq, inverse, counts = np.unique(x, return_inverse=True, return_counts=True)
    B = max(2, min(max_bins, R // 50))
    if len(uniq) <= B:
        return inverse.astype(np.int64)
    # average ranks 1..R, ties sharing the mean of their ranks (scipy.stats.rankdata(method="average"),
    # here from the unique values: importing scipy.stats takes seconds)
    before = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = (before + 0.5 * (counts + 1))[inverse.ravel()]
    return np.minimum((B * (rank - 0.5) / R).astype(np.int64), B - 1)


def first_order_index(y: np.ndarray, bins: np.ndarray) -> tuple[float, float]:
    """(S, p): bias-corrected share of Var(y) explained by the bins (omega-squared) and its F-test p.

    ``y`` (R,) 0/1 or real; ``bins`` (R,) int from :func:`rank_bins`.  A constant ``y`` gives (0, 1).
    """
    y = np.asarray(y, dtype=float)
    R = len(y)
    n = np.bincount(bins).astype(float)
    used = n > 0
    k = int(used.sum())
    mean = y.mean()
    ss_total = float(((y - mean) ** 2).sum())
    if ss_total <= 0 or k < 2 or R <= k:
        return 0.0, 1.0
    sums = np.bincount(bins, weights=y)
    ss_between = float((sums[used] ** 2 / n[used]).sum() - R * mean * mean)
    ss_between = min(max(ss_between, 0.0), ss_total)
    ss_within = ss_total - ss_between
    ms_within = ss_within / (R - k)
    s = (ss_between - (k - 1) * ms_within) / (ss_total + ms_within)
    if ss_within <= 1e-12 * ss_total:
        p = 0.0
    else:
        from scipy.special import fdtrc   # the F survival function (= scipy.stats.f.sf), light to import

        p = float(fdtrc(k - 1, R - k, (ss_between / (k - 1)) / ms_within))
    return max(0.0, float(s)), p


def median_split(y: np.ndarray, x: np.ndarray) -> tuple[float | None, float | None]:
    """(P(y | x <= median), P(y | x > median)); None for an empty half."""
    x = np.nan_to_num(np.asarray(x, dtype=float), nan=np.inf, posinf=np.inf, neginf=-np.inf)
    y = np.asarray(y, dtype=float)
    m = np.median(x)
    hi = x > m
    if not hi.any() or hi.all():            # a point mass at the median: split below it instead
        hi = x >= m
    lo = ~hi
    p_lo = float(y[lo].mean()) if lo.any() else None
    p_hi = float(y[hi].mean()) if hi.any() else None
    return p_lo, p_hi


def rank_drivers(met: np.ndarray, draws: DrawTable, top: int = TOP, min_share: float = MIN_SHARE,
                 alpha: float = ALPHA) -> tuple[list[dict], float]:
    """The inputs that most change whether a target is met.

    ``met`` (R,) bool; ``draws`` with R rows.  Returns (drivers, assumption_share): up to ``top``
    dicts ``{input, kind, parameter, project, confidence, share, p_value, p_met_low_half,
    p_met_high_half, delta}`` (and ``stage`` for a stage of a programme), largest share first; ``assumption_share`` = sum of S over the
    candidates of confidence ``assumption``.  A constant ``met`` gives ([], 0.0).
    """
    y = np.asarray(met, dtype=float)
    if y.shape != (draws.R,):
        raise ValueError(f"met indicator has shape {y.shape}, draws have {draws.R} replications")
    if y.min() == y.max():
        return [], 0.0
    bins = draws.bins()
    found = []
    assumption = 0.0
    for k, b in enumerate(bins):
        s, p = first_order_index(y, b)
        if draws.meta[k].get("confidence") == "assumption":
            assumption += s
        if s >= min_share and p < alpha:
            found.append((s, draws.names[k], k, p))
    found.sort(key=lambda f: (-f[0], f[1]))
    if found:
        # a further driver must also explain part of what the top driver leaves: F-test on the residual of
        # y after the top driver's bin means (drops an input that co-varies with the top one by chance)
        top_bins = bins[found[0][2]]
        means = np.bincount(top_bins, weights=y) / np.maximum(np.bincount(top_bins), 1)
        resid = y - means[top_bins]
        found = found[:1] + [f for f in found[1:] if first_order_index(resid, bins[f[2]])[1] < alpha]
    rows = []
    for s, name, k, p in found[:top]:
        meta = draws.meta[k]
        lo, hi = median_split(y, draws.values[:, k])
        rows.append({"input": name, "kind": meta.get("kind"), "parameter": meta.get("parameter"),
                     "project": meta.get("project"), "stage": meta.get("stage"),
                     "confidence": meta.get("confidence") or None,
                     "share": round(s, 4), "p_value": float(f"{p:.3g}"),
                     "p_met_low_half": None if lo is None else round(lo, 4),
                     "p_met_high_half": None if hi is None else round(hi, 4),
                     "delta": None if lo is None or hi is None else round(hi - lo, 4)})
    return rows, round(min(assumption, 1.0), 4)


def driven_by_assumption(drivers: list[dict], threshold: float = ASSUMPTION_SHARE) -> str | None:
    """The parameter id when the top driver is an ``assumption`` parameter explaining >= threshold."""
    if drivers and drivers[0]["kind"] == "parameter" and drivers[0]["confidence"] == "assumption" \
            and drivers[0]["share"] >= threshold:
        return drivers[0]["parameter"]
    return None


# ----------------------------------------------------------------------------- assembling the draws
def build_draw_table(params, population_draws: dict[str, np.ndarray], population_ids: dict[str, str],
                     service_draws: dict[str, np.ndarray], completion: np.ndarray, project_ids: list[str],
                     replications: int, phases: list | None = None,
                     phase_completion: np.ndarray | None = None) -> DrawTable:
    """All candidate inputs of a run as one (R, K) table (only the varying ones).

    ``population_draws`` {key: (D,)} with ``population_ids`` {key: parameter id}: replication r
    uses draw ``r % D``.  ``service_draws`` {parameter id: (R,)}.  ``completion`` (R, P) in the
    order of ``project_ids``.  ``params`` (ParameterSet) gives each parameter's confidence.
    ``phases`` (sim.buildout.phases.Phase list) and ``phase_completion`` (R, K): a staged programme's
    earlier stages become candidates too, "<project> stage i/n completion" (its last stage is the
    project's completion).
    """
    R = int(replications)
    idx = np.arange(R)
    names, cols, meta = [], [], []

    def conf(pid):
        return params.spec(pid).confidence if pid in params else ""

    for key, arr in population_draws.items():
        pid = population_ids.get(key, key)
        arr = np.asarray(arr, dtype=float)
        names.append(pid)
        cols.append(arr[idx % len(arr)])
        meta.append({"kind": "parameter", "group": "demography", "parameter": pid, "project": None,
                     "confidence": conf(pid)})
    for pid in sorted(service_draws):
        arr = np.asarray(service_draws[pid], dtype=float).reshape(-1)
        if len(arr) != R:
            raise ValueError(f"service draws of {pid} have {len(arr)} values, expected {R}")
        names.append(pid)
        cols.append(arr)
        meta.append({"kind": "parameter", "group": "service", "parameter": pid, "project": None,
                     "confidence": conf(pid)})
    completion = np.asarray(completion, dtype=float)
    for j, proj in enumerate(project_ids):
        names.append(f"{proj} completion")
        cols.append(completion[:, j])
        meta.append({"kind": "schedule", "group": "build-out", "parameter": None, "project": proj,
                     "confidence": None})
    if phases and phase_completion is not None:
        phase_completion = np.asarray(phase_completion, dtype=float)
        for j, ph in enumerate(phases):
            if ph.stages > 1 and ph.index < ph.stages - 1:
                names.append(f"{ph.project} stage {ph.index + 1}/{ph.stages} completion")
                cols.append(phase_completion[:, j])
                meta.append({"kind": "schedule", "group": "build-out", "parameter": None, "project": ph.project,
                             "stage": ph.index + 1, "confidence": None})
    values = np.stack(cols, axis=1) if cols else np.zeros((R, 0))
    return DrawTable(names, values, meta).varying()


def attach_drivers(summary: list[dict], scenario, quantities: dict[str, np.ndarray], years: np.ndarray,
                   draws: DrawTable) -> None:
    """Add ``drivers``, ``driven_by_assumption`` and ``assumption_share`` to every computed target record.

    The met indicator is that of the target in its own year (the year the verdict judges).
    Tracked targets get no keys.  Mutates ``summary`` in place.
    """
    from .indicators import met

    years = list(np.asarray(years).tolist())
    targets = {t.id: t for t in scenario.rows("targets")}
    for rec in summary:
        t = targets.get(rec["id"])
        if t is None or t.kind != "computed":
            continue
        if t.year not in years or t.value is None or (isinstance(t.value, float) and math.isnan(t.value)):
            rec.update({"drivers": [], "driven_by_assumption": None, "assumption_share": 0.0})
            continue
        ok = met(quantities[t.quantity][:, years.index(t.year)], t.comparator, t.value)
        drivers, share = rank_drivers(ok, draws)
        rec.update({"drivers": drivers, "driven_by_assumption": driven_by_assumption(drivers),
                    "assumption_share": share})


def driver_label(rec: dict, top: int = 2) -> str:
    """Short text for the verdict table, e.g. ``P02_01 completion −0.62 (45%)``: input, delta, share.

    With a ``driven_by_assumption`` flag the first entry reads ``driven by assumption: <id> ...``.
    """
    parts = []
    for i, d in enumerate((rec.get("drivers") or [])[:top]):
        delta = "" if d["delta"] is None else f" {d['delta']:+.2f}".replace("-", "\u2212")
        text = f"{d['input']}{delta} ({100 * d['share']:.0f}%)"
        if i == 0 and rec.get("driven_by_assumption"):
            text = "driven by assumption: " + text
        parts.append(text)
    return "; ".join(parts)
