"""Shared pieces of the service models: safe ratios and capacity-table records."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def ratio(num: np.ndarray, den: np.ndarray, scale: float = 1.0, empty=np.nan) -> np.ndarray:
    """``scale * num / den`` with ``empty`` where the denominator is 0."""
    num, den = np.broadcast_arrays(np.asarray(num, dtype=float), np.asarray(den, dtype=float))
    out = np.full(num.shape, empty, dtype=float)
    ok = den != 0
    out[ok] = scale * num[ok] / den[ok]
    return out


@dataclass
class Record:
    """Demand and capacity of one service measure, per unit and for the whole region.

    ``demand`` / ``capacity`` are (R, U, Y) for the projected units (None: not defined per unit);
    ``demand_region`` / ``capacity_region`` are (R, Y) and include region-level items.
    """
    service: str
    measure: str
    demand: np.ndarray | None
    capacity: np.ndarray | None
    demand_region: np.ndarray
    capacity_region: np.ndarray
    note: str = ""
