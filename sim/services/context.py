"""The inputs every service model reads, and small helpers shared by the models.

Arrays are plain numpy: ``R`` replications, ``U`` projected units (townships), ``Y`` years.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..capacity import MEASURES, CapacityItems
from ..errors import InputError
from ..parameters import ParameterSet

def is_project_output(items: CapacityItems) -> np.ndarray:
    """(I,) True for project outputs (a non-blank ``project``), False for existing facilities."""
    return np.array([p is not None and str(p).strip() not in ("", "None", "nan") for p in items.project], dtype=bool)


# base_facts ids the models read (the plan's base-year statements); see docs/services.md
BASE_FACT_IDS = {
    "tekun_rural": "特困供养人员 at the end of the base year (Tongdao 648, seed 003:58)",
    "tekun_institutional": "特困 persons in institutional support (集中供养; Tongdao 96, seed 003:58)",
    "tekun_disabled_housed_all": "% of 特困 unable to care for themselves who are housed in institutions "
                                 "(Tongdao 53, seed 003:189 / 003:108)",
    "vagrant_relief_2016_2020": "relief (救助管理) person-times over the history window "
                                "(Tongdao 1039 in 2016-2020, seed 003:112; window length = relief.history_years)",
    "social_workers": "professional social workers in the base year (Tongdao 17, seed 003:110)",
    "dibao_persons_all": "低保 persons, urban + rural (Tongdao 6726, seed 003:299)",
    "orphans": "orphans (Tongdao 16, seed 003:112)",
    "de_facto_unsupported_children": "事实无人抚养儿童 (Tongdao 47, seed 003:112)",
    "villages_communities": "villages and communities (村居) of the region, the denominator of village-level "
                            "coverage (Tongdao 162, seed 003:110, 112)",
}


@dataclass
class ServiceContext:
    years: np.ndarray                 # (Y,) simulated years, e.g. 2020..2035
    units: list[str]                  # projected units (townships), order of the population arrays
    region_unit: str                  # the region's own id (items sited there are region-level)
    pop: np.ndarray                   # (R, U, Y, 2, A) persons by unit, year, sex, single age 0..A-1 (last = open)
    deaths: np.ndarray                # (R, U, Y) deaths during each year
    disabled: np.ndarray              # (R, U, Y) older people who are 失能 (unable to care for themselves)
    semi_disabled: np.ndarray         # (R, U, Y) older people who are 半失能
    items: CapacityItems              # with .online (R, I) set
    params: ParameterSet
    base_facts: dict[str, float]      # base-year facts by id (see BASE_FACT_IDS)
    seed: int = 0
    randomness: bool = True
    base_year: int | None = None      # default: years[0]
    seat_unit: str | None = None      # township where region-level items stand (the county seat), if known
    unit_level: str = "township"      # level of the projected units: "township" or "county"/"district"
    # units between the projected units and the region (counties of a prefecture, docs/regions.md):
    # id -> (first, stop, seat index or None) of their units on the U axis; items sited there stand there
    groups: dict | None = None
    facts_optional: bool = False      # a missing base fact reads NaN (recorded) instead of raising
    age_edges: tuple[int, ...] | None = None   # None: pop is by single age; else pop's last axis holds the
                                               # age bands starting at these ages (projection store="bands")
    draw_slice: tuple[int, int] | None = None  # (offset, n): these R replications are rows offset.. of a
                                               # chunk of n drawn together (sim/run.py sub-chunks); None = (0, R)
    # parameter draws shared by a region's context and its county sub-contexts (the same seed, slice
    # and rows give the same draws): drawn once per task, not once per county ({parameter id: (R, 1)})
    shared_draws: dict | None = field(default=None, repr=False)
    _cache: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        self.years = np.asarray(self.years, dtype=int)
        self.units = [str(u) for u in self.units]
        R, U, Y = self.pop.shape[:3]
        for name in ("deaths", "disabled", "semi_disabled"):
            arr = np.asarray(getattr(self, name), dtype=float)
            if arr.shape != (R, U, Y):
                raise ValueError(f"{name} must be (R, U, Y) = {(R, U, Y)}, got {arr.shape}")
            setattr(self, name, arr)
        if len(self.units) != U or len(self.years) != Y:
            raise ValueError("units / years do not match the population array")
        if self.items.online is None or self.items.online.shape[0] not in (1, R):
            raise ValueError("items.online must be set with one row per replication (or one row for all)")
        if self.items.online.shape[0] == 1 and R > 1:
            self.items = self.items.with_online(np.repeat(self.items.online, R, axis=0))
        if self.base_year is None:
            self.base_year = int(self.years[0])

    def sub(self, region_unit: str, units: slice, item_index: np.ndarray, base_facts: dict[str, float],
            seat_unit: str | None = None, unit_level: str | None = None) -> "ServiceContext":
        """The context of one part of the region (a county): its units ``units`` (a slice of the U
        axis: the population arrays are views, not copies), the items at ``item_index`` (its own
        items, small copies), its base facts and seat.  Parameter draws are the region's (same
        seed): replication r of a county uses the draws of replication r of the region, drawn once
        and shared (``shared_draws``; the region's own ``parameter_draws`` are not extended)."""
        memo = self._cache.setdefault("sub_draws", {}) if self.shared_draws is None else self.shared_draws
        memo.update({k[1]: v for k, v in self._cache.items() if isinstance(k, tuple) and k[0] == "p"})
        return replace(
            self, units=self.units[units], region_unit=region_unit, pop=self.pop[:, units],
            deaths=self.deaths[:, units], disabled=self.disabled[:, units],
            semi_disabled=self.semi_disabled[:, units], items=self.items.subset(item_index),
            base_facts=base_facts, seat_unit=seat_unit, unit_level=unit_level or self.unit_level,
            groups=None, facts_optional=True, shared_draws=memo, _cache={},
        )

    # ---- shapes -----------------------------------------------------------------------------
    @property
    def R(self) -> int:
        return self.pop.shape[0]

    @property
    def U(self) -> int:
        return self.pop.shape[1]

    @property
    def Y(self) -> int:
        return self.pop.shape[2]

    # ---- population aggregates (R, U, Y) -------------------------------------------------------
    def pop_age(self, lo: int, hi: int | None = None) -> np.ndarray:
        """(R, U, Y) persons aged lo..hi-1 (hi None = to the open age group), both sexes.  Cached: the
        services read the same few age groups many times, the (R, U, Y, 2, A) array is summed once each.

        With ``age_edges`` (banded population) lo and hi must be band edges (ValueError otherwise)."""
        key = ("age", lo, hi)
        if key not in self._cache:
            a, b = lo, hi
            if self.age_edges is not None:
                edges = list(self.age_edges)
                if lo not in edges or (hi is not None and hi not in edges):
                    raise ValueError(f"ages {lo}..{hi} do not fall on the population's age bands {edges}")
                a, b = edges.index(lo), (None if hi is None else edges.index(hi))
            # a banded population is stored in float32 (sim/run.py): its sums are made in float64
            dt = None if self.pop.dtype == np.float64 else np.float64
            self._cache[key] = self.pop[..., a:b].sum(axis=(-1, -2), dtype=dt)
        return self._cache[key]

    @property
    def total_pop(self) -> np.ndarray:
        """(R, U, Y) persons of all ages (cached)."""
        return self.pop_age(0)

    @property
    def older(self) -> np.ndarray:
        """(R, U, Y) people aged 60+."""
        return self.pop_age(60)

    # ---- parameters and facts ----------------------------------------------------------------
    def p(self, pid: str) -> np.ndarray:
        """(R, 1) draws of a parameter (one per replication), ready to broadcast over years."""
        key = ("p", pid)
        if key not in self._cache:
            memo = self.shared_draws
            if memo is not None and pid in memo:
                self._cache[key] = memo[pid]
            else:
                off, n = self.draw_slice or (0, self.R)
                self._cache[key] = self.params.draws(pid, self.seed, n, self.randomness)[off:off + self.R, None]
                if memo is not None:
                    memo[pid] = self._cache[key]
        return self._cache[key]

    def parameter_draws(self) -> dict[str, np.ndarray]:
        """{parameter id: (R,) draws} of every parameter read through :meth:`p` so far (sim/drivers.py)."""
        return {k[1]: v[:, 0] for k, v in self._cache.items() if isinstance(k, tuple) and k[0] == "p"}

    def fact(self, fid: str) -> float:
        try:
            return float(self.base_facts[fid])
        except KeyError:
            if self.facts_optional:   # a county sub-context: quantities reading it are undefined (NaN)
                self._cache.setdefault("missing_facts", set()).add(fid)
                return float("nan")
            raise InputError("base_facts", fid, f"base fact {fid!r} is needed by the service models "
                             f"({BASE_FACT_IDS.get(fid, '')})") from None

    @property
    def t_since_base(self) -> np.ndarray:
        """(Y,) years elapsed since the base year (0 in the base year)."""
        return (self.years - self.base_year).astype(float)

    @property
    def base_index(self) -> int:
        idx = np.nonzero(self.years == self.base_year)[0]
        if len(idx) == 0:
            raise ValueError(f"base year {self.base_year} is not among the simulated years")
        return int(idx[0])

    # ---- capacity ----------------------------------------------------------------------------
    @property
    def clean_items(self) -> CapacityItems:
        """Items with NaN measures set to 0 and beds_nursing made effective (see effective_nursing_beds)."""
        if "items" not in self._cache:
            from .eldercare import effective_nursing_beds
            measures = {k: np.nan_to_num(np.asarray(v, dtype=float), nan=0.0) for k, v in self.items.measures.items()}
            for k in MEASURES:
                measures.setdefault(k, np.zeros(self.items.n))
            measures["beds_nursing"] = effective_nursing_beds(self.items, self.params)
            measures["count_raw"] = np.asarray(self.items.measures.get("count", np.full(self.items.n, np.nan)),
                                               dtype=float)
            self._cache["items"] = replace(self.items, measures=measures)
        return self._cache["items"]

    def mask(self, facility_type=None, *, ownership=None, function=None, functions=None, unit=None,
             new_only: bool = False) -> np.ndarray:
        """(I,) mask; ``functions`` = any of several tags; ``new_only`` = project outputs only."""
        it = self.clean_items
        m = it.select(facility_type, ownership=ownership, function=function, unit=unit)
        if functions:
            m &= np.array([bool(set(functions) & set(f)) for f in it.functions], dtype=bool)
        if new_only:
            m &= is_project_output(it)
        return m

    def total(self, measure: str, mask: np.ndarray) -> np.ndarray:
        """(R, Y) region total of a measure over masked items online by the end of each year."""
        return self.clean_items.total(measure, mask, self.years)

    def by_unit(self, measure: str, mask: np.ndarray) -> np.ndarray:
        """(R, U, Y) per projected unit (items sited at the region unit are not included)."""
        return np.moveaxis(self.clean_items.by_unit(measure, mask, self.years, self.units), 2, 1)

    def facility_count(self, mask: np.ndarray) -> np.ndarray:
        """(R, Y) number of facilities among the masked items online.

        Items are grouped by (source_id, unit, facility_type): an enlargement of an existing
        facility (same source_id) does not count it twice.  Within a group the number is the largest
        ``count`` of its online items (blank count = 1 facility).
        """
        return self.facility_count_by(mask, np.zeros(self.items.n, dtype=np.intp), 1)[:, 0, :]

    def facility_count_by(self, mask: np.ndarray, group: np.ndarray, n_groups: int) -> np.ndarray:
        """(R, G, Y): :meth:`facility_count` of every group of items at once, without a loop over the
        groups (the counties of a region: ``group`` (I,) each item's group 0..G-1, -1 = none).

        Each group's figure is the sum, in first-appearance order, of the per-facility maxima of its
        items (a facility, keyed by source_id, unit and type, lies in one group because its unit
        does): what ``facility_count`` (the one-group case) gives for that group's items alone."""
        it = self.clean_items
        group = np.asarray(group)
        idx = np.nonzero(mask & (group >= 0))[0]
        out = np.zeros((self.R, n_groups, self.Y))
        if len(idx) == 0:
            return out
        raw = it.measures["count_raw"]
        n = np.where(np.isfinite(raw) & (raw > 0), raw, 1.0)
        keys: dict[tuple, int] = {}
        gid = np.array([keys.setdefault((str(it.source_id[i]), str(it.unit[i]), str(it.facility_type[i])), len(keys))
                        for i in idx], dtype=np.intp)
        k = it.year_index(self.years)[:, idx]
        best = np.zeros((self.R, len(keys), self.Y + 1))
        np.maximum.at(best, (np.arange(self.R)[:, None], gid[None, :], k), n[idx][None, :])
        np.maximum.accumulate(best, axis=2, out=best)
        first = np.zeros(len(keys), dtype=np.intp)
        first[gid[::-1]] = idx[::-1]                       # each facility's first item (its group)
        fac_group = group[first]
        order = np.argsort(fac_group, kind="stable")       # within a group: first-appearance order
        sizes = np.bincount(fac_group, minlength=n_groups)
        has = np.nonzero(sizes)[0]
        starts = (np.cumsum(sizes) - sizes)[has]
        out[:, has, :] = np.add.reduceat(best[:, order, :self.Y], starts, axis=1)
        return out

    def village_coverage(self, mask: np.ndarray) -> np.ndarray:
        """(R, Y) share 0..1 of the region's villages and communities covered by the masked facilities.

        ``min(facilities online, V) / V`` with ``V`` the base fact ``villages_communities``: each
        facility is taken to stand in a different village or community (the plan's own arithmetic:
        93.82% = 152 facilities / 162 村居, seed 003:108).
        """
        v = self.fact("villages_communities")
        if v <= 0:
            raise InputError("base_facts", "villages_communities", f"must be positive, got {v}")
        return np.minimum(self.facility_count(mask), v) / v

    def _unit_index(self) -> np.ndarray:
        """(I,) position of each item's unit in ``units``, -1 for items not sited in a projected unit."""
        if "unit_ix" not in self._cache:
            pos = {u: k for k, u in enumerate(self.units)}
            self._cache["unit_ix"] = np.array([pos.get(str(u), -1) for u in self.clean_items.unit], dtype=np.intp)
        return self._cache["unit_ix"]

    def earliest_online(self, mask: np.ndarray) -> np.ndarray:
        """(R, U) earliest online time of the masked items sited in each projected unit (+inf: none).

        A unit has a masked item online by the end of year y exactly when this time is <= y + 1
        (``CapacityItems.active``), so one (R, U) minimum replaces an (R, Y, I) x (I, U) product."""
        ix = self._unit_index()
        sel = np.nonzero(mask & (ix >= 0))[0]
        out = np.full((self.R, self.U), np.inf)
        if len(sel):
            online = self.items.online[:, sel]
            np.minimum.at(out.T, ix[sel], online.T)
        return out

    def unit_coverage(self, mask: np.ndarray, measure: str | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Which projected units have a masked item online: ``((R, U, Y) bool, (R, Y) share 0..1)``.

        An item covers its unit when online (and its ``measure`` > 0 if a measure is given).
        Items sited at the region unit cover the seat township (if ``seat_unit`` is known) and, when
        they stand for ``count`` = n > 1 facilities, n - 1 further townships not otherwise covered
        (the plan does not say which); without a seat, n further townships.  Items sited at one of
        ``groups`` (a county of a multi-county region) do the same inside that county: its seat
        unit if known, then up to its number of units not otherwise covered.
        """
        it = self.clean_items
        m = mask.copy()
        if measure is not None:
            m &= it.measures[measure] > 0
        unit_ix = self._unit_index()                                # (I,) unit position, -1 = not a projected unit
        covered = self.earliest_online(m & (unit_ix >= 0))[:, :, None] <= (self.years + 1.0)[None, None, :]
        rest = m & (unit_ix < 0)
        group_extra = 0.0
        if self.groups:   # items sited at a county stand in that county: its seat, then its other units
            unit_of = np.asarray(it.unit, dtype=str)
            for g, (a, b, s) in self.groups.items():
                gm = rest & (unit_of == g)
                if not gm.any():
                    continue
                rest = rest & ~gm
                n = self.facility_count(gm)                                   # (R, Y)
                if s is not None:
                    covered[:, s, :] |= n > 0
                    n = np.maximum(n - 1, 0)
                group_extra = group_extra + np.minimum(n, (~covered[:, a:b, :]).sum(axis=1))
        region_count = self.facility_count(rest)          # (R, Y)
        if self.seat_unit is not None and self.seat_unit in self.units:
            s = self.units.index(self.seat_unit)
            has = region_count > 0
            covered[:, s, :] |= has
            extra = np.maximum(region_count - 1, 0)
        else:
            extra = region_count
        n_cov = covered.sum(axis=1) + extra + group_extra
        share = np.minimum(n_cov, self.U) / self.U
        return covered, share
