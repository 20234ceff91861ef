"""Stochastic re-check: each phasing run through the Monte Carlo with common random numbers.

All phasings share the seed, so replication r of every phasing draws the same preparation
delays, construction multipliers, overruns and population (``sim.experiment.Experiment`` shares
the population projection); differences between phasings are then the phasing's, not noise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .scenario import with_phasing


def recheck(scenario, phasings: dict[str, dict[str, float | None]], opt) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run every phasing (label -> {project id: start or None}; an empty dict is the plan).

    Returns (targets, spending): ``targets`` one row per phasing and computed target with ``p_met``
    (share of replications meeting it in its year) and ``binding``; ``spending`` one row per phasing,
    funding source and year with the mean yuan released and the envelope (contingency included).
    """
    from ..experiment import Experiment

    exp = Experiment(opt)
    trows, srows = [], []
    for label, start in phasings.items():
        scen = with_phasing(scenario, start, f"{scenario.id}:{label}") if start else scenario
        res = exp.run(scen)
        for rec in res.summary:
            if rec["kind"] != "computed":
                continue
            trows.append({"phasing": label, "target": rec["id"], "name_zh": rec["name"], "year": rec["year"],
                          "binding": rec["binding"], "p_met": rec["p_met"]})
        b = res.build.result
        spend = b.source_spend.mean(axis=0)
        for s, src in enumerate(b.sources):
            for k, y in enumerate(b.years):
                srows.append({"phasing": label, "funding_source": src, "year": int(y),
                              "spend_mean_yuan": float(spend[s, k]), "envelope_yuan": float(b.envelopes[s, k])})
    return pd.DataFrame(trows), pd.DataFrame(srows)
