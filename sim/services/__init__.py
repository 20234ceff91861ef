"""Service models: population and capacity items in, every simulated quantity and a capacity table out.

    from sim.services import ServiceContext, compute_quantities, capacity_table
    q = compute_quantities(ctx)   # {quantity name: (R, Y) array} for every name in sim.quantities.QUANTITIES
    df = capacity_table(ctx)      # tidy: unit, year, service, measure, demand, capacity, utilisation, gap (+ p10/p90)

One module per service (eldercare, funeral, relief, social_work, community); formulas, parameters and
sources are in docs/services.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..quantities import QUANTITIES
from . import community, eldercare, funeral, relief, social_work
from .common import Record
from .context import BASE_FACT_IDS, ServiceContext
from .eldercare import effective_nursing_beds

MODELS = (eldercare, funeral, relief, social_work, community)

__all__ = ["ServiceContext", "compute_quantities", "capacity_table", "effective_nursing_beds", "BASE_FACT_IDS",
           "MODELS"]


def compute_quantities(ctx: ServiceContext) -> dict[str, np.ndarray]:
    """Every quantity of ``sim.quantities.QUANTITIES`` as an (R, Y) float array."""
    out: dict[str, np.ndarray] = {}
    for model in MODELS:
        for name, arr in model.compute(ctx).items():
            if name in out:
                raise RuntimeError(f"quantity {name!r} computed twice")
            out[name] = np.broadcast_to(np.asarray(arr, dtype=float), (ctx.R, ctx.Y)).copy()
    missing = set(QUANTITIES) - set(out)
    extra = set(out) - set(QUANTITIES)
    if missing or extra:
        raise RuntimeError(f"service models and sim.quantities disagree: missing {sorted(missing)}, "
                           f"unknown {sorted(extra)}")
    return {name: out[name] for name in QUANTITIES}


def _rows(ctx: ServiceContext, rec: Record, unit: str, demand: np.ndarray | None, cap: np.ndarray) -> list[dict]:
    rows = []
    for j, year in enumerate(ctx.years):
        c = cap[:, j]
        d = demand[:, j] if demand is not None else np.full(ctx.R, np.nan)
        gap = d - c
        md, mc = float(np.mean(d)), float(np.mean(c))
        util = md / mc if mc > 0 else (np.inf if md > 0 else np.nan)
        row = {"unit": unit, "year": int(year), "service": rec.service, "measure": rec.measure,
               "demand": md, "capacity": mc, "utilisation": util, "gap": float(np.mean(gap))}
        for name, arr in (("demand", d), ("capacity", c), ("gap", gap)):
            row[f"{name}_p10"] = float(np.percentile(arr, 10))
            row[f"{name}_p90"] = float(np.percentile(arr, 90))
        row["note"] = rec.note
        rows.append(row)
    return rows


def capacity_table(ctx: ServiceContext) -> pd.DataFrame:
    """Tidy demand / capacity table, one row per unit, year, service and measure.

    Values are means over replications (p10 / p90 columns give the spread).  ``unit`` is a township
    (demand of that township, capacity of items sited in it) or the region id (the whole region,
    region-level items included).  ``utilisation = mean demand / mean capacity`` (inf with demand and
    no capacity); ``gap = demand - capacity`` (positive = shortfall, negative = spare capacity).
    """
    rows: list[dict] = []
    for model in MODELS:
        for rec in model.records(ctx):
            if rec.demand is not None and rec.capacity is not None:
                for u, unit in enumerate(ctx.units):
                    rows += _rows(ctx, rec, unit, rec.demand[:, u, :], rec.capacity[:, u, :])
            rows += _rows(ctx, rec, ctx.region_unit, rec.demand_region, rec.capacity_region)
    return pd.DataFrame(rows)
