"""Capacity ledger: every existing facility and every project output as one item with the time it
comes online in each replication.

Capacity at the end of a year is a masked sum over items, so it is vectorised over replications
and years and needs no object graph.  Existing facilities are online from ``-inf``; a project output
comes online when its project commissions (from the build-out simulation); ``+inf`` means never
within the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

MEASURES = ("beds", "beds_nursing", "plots", "area_m2", "households", "staff", "count")


@dataclass
class CapacityItems:
    facility_type: np.ndarray                 # (I,) str
    unit: np.ndarray                          # (I,) str admin unit id
    ownership: np.ndarray                     # (I,) str "public" / "private"
    functions: list[frozenset[str]]           # (I,) tags
    measures: dict[str, np.ndarray]           # measure -> (I,) float amounts
    source_id: np.ndarray                     # (I,) facility id or project id it comes from
    project: np.ndarray                       # (I,) project id, "" for existing facilities
    online: np.ndarray = field(default=None)  # (R, I) year (fractional) the item is online

    @property
    def n(self) -> int:
        return len(self.facility_type)

    def with_online(self, online: np.ndarray) -> "CapacityItems":
        if online.ndim != 2 or online.shape[1] != self.n:
            raise ValueError(f"online must be (replications, {self.n}), got {online.shape}")
        return CapacityItems(self.facility_type, self.unit, self.ownership, self.functions,
                             self.measures, self.source_id, self.project, online)

    def active(self, years: np.ndarray) -> np.ndarray:
        """(R, Y, I) bool: item online by the end of each year (online time < year + 1)."""
        return self.online[:, None, :] < (np.asarray(years, dtype=float)[None, :, None] + 1.0)

    def select(self, facility_type: str | tuple[str, ...] | None = None, *, ownership: str | None = None,
               function: str | None = None, unit: str | None = None) -> np.ndarray:
        """(I,) bool mask of items matching every given criterion."""
        mask = np.ones(self.n, dtype=bool)
        if facility_type is not None:
            types = (facility_type,) if isinstance(facility_type, str) else tuple(facility_type)
            mask &= np.isin(self.facility_type, types)
        if ownership is not None:
            mask &= self.ownership == ownership
        if function is not None:
            mask &= np.array([function in f for f in self.functions], dtype=bool)
        if unit is not None:
            mask &= self.unit == unit
        return mask

    def total(self, measure: str, mask: np.ndarray, years: np.ndarray) -> np.ndarray:
        """(R, Y) sum of ``measure`` over the masked items online by the end of each year."""
        amounts = np.where(mask, self.measures[measure], 0.0)
        return np.einsum("ryi,i->ry", self.active(years), amounts)

    def by_unit(self, measure: str, mask: np.ndarray, years: np.ndarray, units: list[str]) -> np.ndarray:
        """(R, Y, U) sum of ``measure`` per admin unit (items sited in that unit)."""
        amounts = np.where(mask, self.measures[measure], 0.0)
        onehot = (self.unit[:, None] == np.asarray(units, dtype=object)[None, :]).astype(float)  # (I, U)
        return np.einsum("ryi,i,iu->ryu", self.active(years), amounts, onehot)
