"""The admin hierarchy of a scenario: which units are simulated, and how every level adds up.

A region (province, prefecture, city or county) is simulated at its *lowest known units*: the
leaves of the tree of units.csv under the region (townships where they are listed, else the
county-level unit itself).  Every unit above a leaf is the sum of its children.  Leaves are
ordered depth first (children in the order of units.csv), so the leaves under any unit are one
contiguous slice of the U axis: per-county arrays are views (``arr[:, sl]``), never copies, and
an aggregate over the children is one ``np.add.reduceat``.

    h = Hierarchy.from_scenario(scenario)      # or Hierarchy(units rows, region id)
    h.leaves                                   # [unit id] the U axis of the population arrays
    h.slice_of("532301")                       # slice of the leaves under a unit
    h.aggregate(arr, axis=1)                   # (..., P, ...) every non-leaf unit (h.parents)
    h.counties                                 # county-level units (county / district) of the region

Docs: docs/regions.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

COUNTY_LEVELS = ("county", "district")


@dataclass
class Hierarchy:
    """The tree of units under ``region``.  ``rows``: objects with ``id``, ``parent``, ``level``,
    ``name_zh`` (validated units.csv rows, or any with those attributes)."""

    rows: list
    region: str
    leaves: list[str] = field(init=False)
    parents: list[str] = field(init=False)            # every non-leaf unit of the tree, depth first (region first)
    _slices: dict[str, slice] = field(init=False, repr=False)
    _level: dict[str, str] = field(init=False, repr=False)
    _name: dict[str, str] = field(init=False, repr=False)
    _parent: dict[str, str | None] = field(init=False, repr=False)
    _seat: dict[str, str | None] = field(init=False, repr=False)

    def __post_init__(self):
        self.region = str(self.region)
        children: dict[str, list[str]] = {}
        self._level, self._name, self._parent, self._seat = {}, {}, {}, {}
        for u in self.rows:
            uid = str(u.id)
            self._level[uid] = str(u.level)
            self._name[uid] = str(getattr(u, "name_zh", None) or uid)
            parent = getattr(u, "parent", None)
            self._parent[uid] = None if parent in (None, "") else str(parent)
            seat = getattr(u, "seat", None)
            self._seat[uid] = None if seat in (None, "") else str(seat)
            if self._parent[uid] is not None:
                children.setdefault(self._parent[uid], []).append(uid)
        self.children = children
        self._memo: dict = {}
        self.leaves, self.parents, self._slices = [], [], {}

        def walk(uid: str, seen: tuple[str, ...]) -> None:
            start = len(self.leaves)
            kids = [k for k in children.get(uid, []) if k not in seen]
            if not kids:
                self.leaves.append(uid)
            else:
                self.parents.append(uid)
                for k in kids:
                    walk(k, seen + (uid,))
            self._slices[uid] = slice(start, len(self.leaves))

        walk(self.region, ())

    @classmethod
    def from_scenario(cls, scenario) -> "Hierarchy":
        return cls(scenario.rows("units"), scenario.region_unit)

    # ---- lookups -------------------------------------------------------------------------------
    @property
    def U(self) -> int:
        return len(self.leaves)

    def __contains__(self, uid: str) -> bool:
        return str(uid) in self._slices

    def slice_of(self, uid: str) -> slice:
        """The leaves under ``uid`` (itself if it is a leaf) as a slice of the U axis."""
        return self._slices[str(uid)]

    def level(self, uid: str) -> str:
        return self._level.get(str(uid), "")

    def name(self, uid: str) -> str:
        return self._name.get(str(uid), str(uid))

    def parent(self, uid: str) -> str | None:
        return self._parent.get(str(uid))

    def seat(self, uid: str) -> str | None:
        """The leaf where ``uid``'s own (unit-wide) items stand, if known: its ``seat`` column
        (the region's: ``region.seat`` of the YAML, passed by the caller), or the unit itself when
        it is a leaf."""
        uid = str(uid)
        if uid in self._slices and self._slices[uid].stop - self._slices[uid].start == 1 \
                and self.leaves[self._slices[uid].start] == uid:
            return uid
        s = self._seat.get(uid)
        return s if s is not None and s in self._slices and self.contains(uid, s) else None

    def contains(self, ancestor: str, uid: str) -> bool:
        """True if ``uid`` is ``ancestor`` or lies under it."""
        cur: str | None = str(uid)
        seen = set()
        while cur is not None and cur not in seen:
            if cur == str(ancestor):
                return True
            seen.add(cur)
            cur = self._parent.get(cur)
        return False

    def counties(self) -> list[str]:
        """County-level units (``level`` county or district) under the region, depth first; the
        region itself when it is a county (Tongdao)."""
        if "counties" not in self._memo:
            if self.level(self.region) in COUNTY_LEVELS:
                self._memo["counties"] = [self.region]
            else:   # insertion order of the walk: depth first
                self._memo["counties"] = [u for u in self._slices if u != self.region and self.level(u) in COUNTY_LEVELS]
        return list(self._memo["counties"])

    def units_at(self, level: str) -> list[str]:
        """Units of ``level`` under the region ('county' means county-level: county or district)."""
        if level == "county":
            return self.counties()
        return [u for u in self._slices if u != self.region and self.level(u) == level]

    def county_of(self, uid: str) -> str | None:
        """The county-level unit containing ``uid`` (itself if it is one), or None (the region, a
        prefecture, or a unit outside the tree)."""
        if "county_set" not in self._memo:
            self._memo["county_set"] = set(self.counties())
        counties = self._memo["county_set"]
        cur: str | None = str(uid)
        seen = set()
        while cur is not None and cur not in seen:
            if cur in counties:
                return cur
            seen.add(cur)
            cur = self._parent.get(cur)
        return None

    @property
    def multi_county(self) -> bool:
        """True when the region has more than one county-level unit."""
        return len(self.counties()) > 1

    # ---- aggregation ---------------------------------------------------------------------------
    def membership(self, units: list[str] | None = None) -> np.ndarray:
        """(P, U) 0/1: leaf u lies under unit p (``units`` default: ``self.parents``)."""
        units = self.parents if units is None else units
        m = np.zeros((len(units), self.U))
        for i, uid in enumerate(units):
            m[i, self.slice_of(uid)] = 1.0
        return m

    def aggregate(self, arr: np.ndarray, units: list[str] | None = None, axis: int = 1) -> np.ndarray:
        """Sums of ``arr`` over the leaves under each of ``units`` (default: every parent), along
        ``axis`` (the U axis): shape of ``arr`` with that axis replaced by len(units).  Each sum is
        over a contiguous slice (``np.add.reduceat``-like), exact in float for equal inputs."""
        units = self.parents if units is None else units
        arr = np.asarray(arr)
        parts = [arr.take(np.arange(self.slice_of(u).start, self.slice_of(u).stop), axis=axis).sum(axis=axis, keepdims=True)
                 for u in units]
        if not parts:
            shape = list(arr.shape)
            shape[axis] = 0
            return np.zeros(shape, arr.dtype)
        return np.concatenate(parts, axis=axis)


# ----------------------------------------------------------------------------- per-unit quantities
def county_base_facts(scenario, hierarchy: Hierarchy, county: str) -> dict[str, float]:
    """Base facts of one county's sub-context: base_facts rows ``<fact id>@<county id>`` (their
    ``unit_id`` the county), and ``villages_communities`` from units.csv (the county's own columns,
    else the sum over its townships) when no such row gives it.  Region-wide facts are not passed
    down: a county quantity never reads a region total as if it were the county's."""
    facts: dict[str, float] = {}
    suffix = f"@{county}"
    for f in scenario.rows("base_facts"):
        if f.id.endswith(suffix):
            facts[f.id[: -len(suffix)]] = f.value
    if "villages_communities" not in facts:
        rows = {u.id: u for u in scenario.rows("units")}
        own = rows.get(county)
        v = None
        if own is not None and (own.villages is not None or own.communities is not None):
            v = (own.villages or 0) + (own.communities or 0)
        else:
            kids = [rows[k] for k in hierarchy.children.get(county, []) if k in rows]
            if kids and any(k.villages is not None or k.communities is not None for k in kids):
                v = sum((k.villages or 0) + (k.communities or 0) for k in kids)
        if v:
            facts["villages_communities"] = float(v)
    return facts


class RegionalQuantities:
    """The quantities of a multi-level region that no single service-model call gives:

    - ``count:<facility_type>``: facilities of that type online in the region
      (``ServiceContext.facility_count``; a row with count N counts N);
    - unit-counted targets (targets.csv ``count_over``): per county, the target's quantity from the
      same service models run on the county's sub-context (``ServiceContext.sub``: its units and its
      items); per township, ``count:<type>`` of the items sited in the township; the region's value is
      ``100 x`` the share of those units whose own value is ``>= unit_threshold``, in every replication;
    - in a region of several counties, ``county_public_burial_coverage`` = the share of counties
      whose own coverage is 100 (the service model alone would treat the region as one county).

    Built once per scenario and item list; :meth:`compute` runs on each chunk's context.
    """
    vectorised = True   # False: every per-county quantity through the loop over counties (the reference)

    def __init__(self, scenario, hierarchy: Hierarchy, items):
        from .quantities import count_type, parse_share_key
        self.scenario, self.h = scenario, hierarchy
        computed = [t for t in scenario.rows("targets") if t.kind == "computed" and t.quantity]
        self.counts = sorted({t.quantity for t in computed if count_type(t.quantity)})
        self.shares: dict[str, tuple[str, str, float]] = {}
        for t in computed:
            parsed = parse_share_key(t.quantity)
            if parsed:
                self.shares[t.quantity] = parsed
        self.county_names = sorted({q for lvl, q, _ in self.shares.values() if lvl == "county"})
        self.township_names = sorted({q for lvl, q, _ in self.shares.values() if lvl == "township"})
        self.burial = hierarchy.multi_county
        if self.burial:
            self.county_names = sorted(set(self.county_names) | {"county_public_burial_coverage"})
        self.counties = hierarchy.counties() if self.county_names else []
        self.townships = [u for u in hierarchy.leaves if hierarchy.level(u) == "township"] \
            if self.township_names else []
        self.township_index = np.array([hierarchy.leaves.index(u) for u in self.townships], dtype=int)
        position = {c: k for k, c in enumerate(self.counties)}
        self.item_county = np.array([position.get(hierarchy.county_of(str(u)) or "", -1) for u in items.unit],
                                    dtype=np.intp)   # (I,) each item's county position, -1 = none
        # each county's items in item order, from one stable sort (not one comparison per county)
        order = np.argsort(self.item_county, kind="stable")
        sizes = np.bincount(self.item_county[self.item_county >= 0], minlength=len(self.counties))
        parts = np.split(order[len(order) - sizes.sum():], np.cumsum(sizes)[:-1]) if len(self.counties) else []
        self.county_items = dict(zip(self.counties, parts))
        self.county_facts = {c: county_base_facts(scenario, hierarchy, c) for c in self.counties}
        self._model_of: dict | None = None

    @property
    def needed(self) -> bool:
        return bool(self.counts or self.shares or self.burial)

    def units_of(self, level: str) -> list[str]:
        return self.counties if level == "county" else self.townships

    def _sub(self, ctx, county: str):
        sl = self.h.slice_of(county)
        leaf_is_county = sl.stop - sl.start == 1 and self.h.leaves[sl.start] == county
        return ctx.sub(county, sl, self.county_items[county], self.county_facts[county],
                       seat_unit=self.h.seat(county), unit_level="county" if leaf_is_county else "township")

    def _county_counts(self, ctx) -> dict[str, np.ndarray]:
        """{quantity: (R, C, Y)} of the per-county quantities that are counts of facilities, for all
        counties at once (``ServiceContext.facility_count_by``; no loop over counties): ``count:``
        quantities, the eldercare counts of ``eldercare.FACILITY_COUNTS``, and
        ``county_public_burial_coverage`` = 100 when a public burial facility is online in the county.
        The same numbers as the service models on each county's sub-context (tested against the loop)."""
        from .quantities import count_type
        from .services.eldercare import FACILITY_COUNTS
        from .services.funeral import burial_mask
        C = len(self.counties)
        out = {}
        for name in self.county_names:
            if count_type(name) is not None:
                out[name] = ctx.facility_count_by(count_mask(ctx, name), self.item_county, C)
            elif name in FACILITY_COUNTS:
                out[name] = ctx.facility_count_by(FACILITY_COUNTS[name](ctx), self.item_county, C)
            elif name == "county_public_burial_coverage":
                out[name] = 100.0 * (ctx.facility_count_by(burial_mask(ctx), self.item_county, C) > 0)
        return out

    def _county_values(self, ctx) -> dict[str, np.ndarray]:
        """{quantity: (R, C, Y)} per county: counts of facilities for all counties at once
        (:meth:`_county_counts`), any other quantity from its service model on each county's
        sub-context."""
        from .errors import InputError
        from .quantities import count_type
        from .services import MODELS
        fast = self._county_counts(ctx) if self.vectorised else {}
        rest = [name for name in self.county_names if name not in fast]
        out = {name: np.full((ctx.R, len(self.counties), ctx.Y), np.nan) for name in rest}
        for k, c in enumerate(self.counties if rest else []):
            sub = self._sub(ctx, c)
            done: dict = {}
            for name in rest:
                if count_type(name) is not None:
                    out[name][:, k, :] = sub.facility_count(count_mask(sub, name))
                    continue
                if self._model_of is None:   # which model computes which quantity: learnt once, on a county
                    self._model_of = {}
                    for m in MODELS:
                        try:
                            self._model_of.update({n: m for n in m.compute(sub)})
                        except (ValueError, FloatingPointError, ZeroDivisionError):
                            pass   # a model that needs county facts this county lacks
                    if not set(self.county_names) <= set(self._model_of) | {n for n in self.county_names
                                                                            if count_type(n)}:
                        self._model_of = {n: m for m in MODELS for n in m.compute(ctx)}
                model = self._model_of[name]
                if model not in done:
                    try:
                        done[model] = model.compute(sub)
                    except (ValueError, FloatingPointError, ZeroDivisionError):
                        if not sub._cache.get("missing_facts"):
                            raise
                        done[model] = {name: np.full((ctx.R, ctx.Y), np.nan)}
                vals = np.broadcast_to(np.asarray(done[model].get(name, np.nan), dtype=float), (ctx.R, ctx.Y))
                missing = sub._cache.get("missing_facts")
                if missing and np.isnan(vals).all():
                    fid = sorted(missing)[0]
                    raise InputError((self.scenario.table_files.get("base_facts") or ["base_facts"])[0],
                                     f"{fid}@{c}", f"the per-county quantity {name} of county {c} "
                                     f"({self.h.name(c)}) needs this base fact: add a base_facts row with id "
                                     f"{fid}@{c} and unit_id {c}")
                out[name][:, k, :] = vals
        return {name: fast[name] if name in fast else out[name] for name in self.county_names}

    def compute(self, ctx) -> tuple[dict[str, np.ndarray], dict[tuple[str, str], np.ndarray]]:
        """``({quantity key: (R, Y)}, {(level, quantity): (R, K, Y) per unit})`` for one chunk."""
        from .indicators import met
        from .quantities import count_type
        q: dict[str, np.ndarray] = {}
        per_unit: dict[tuple[str, str], np.ndarray] = {}
        for name in self.counts:
            q[name] = ctx.facility_count(count_mask(ctx, name))
        if self.county_names:
            for name, arr in self._county_values(ctx).items():
                per_unit[("county", name)] = arr
        for name in self.township_names:
            per_unit[("township", name)] = ctx.by_unit("count", count_mask(ctx, name))[:, self.township_index, :]
        for key, (level, name, thr) in self.shares.items():
            arr = per_unit[(level, name)]
            q[key] = 100.0 * met(arr, ">=", thr).mean(axis=1) if arr.shape[1] else np.full((ctx.R, ctx.Y), np.nan)
        if self.burial:
            arr = per_unit[("county", "county_public_burial_coverage")]
            q["county_public_burial_coverage"] = 100.0 * met(arr, ">=", 100.0).mean(axis=1)
        return q, per_unit


def count_mask(ctx, name: str) -> np.ndarray:
    """(I,) the items a ``count:<facility_type>[:<function tag>]`` quantity counts."""
    from .quantities import count_tag, count_type
    return ctx.mask(count_type(name), function=count_tag(name))


def unit_groups(hierarchy: Hierarchy) -> dict | None:
    """``ServiceContext.groups`` of a region: every unit between the leaves and the region, with
    its slice of leaves and its seat's position; None when there is none (a county with townships)."""
    out = {}
    for uid in hierarchy.parents:
        if uid == hierarchy.region:
            continue
        sl = hierarchy.slice_of(uid)
        seat = hierarchy.seat(uid)
        out[uid] = (sl.start, sl.stop, hierarchy.leaves.index(seat) if seat is not None else None)
    return out or None
