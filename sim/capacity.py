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

from .errors import InputError

MEASURES = ("beds", "beds_nursing", "plots", "area_m2", "households", "staff", "count")
# Capacities that count whole things: a by_villages split gives each township whole numbers.
# ``count`` (facilities) is not among them: it keeps the proportional split, so that every township
# with villages has a share of a network (coverage quantities read count > 0).
WHOLE = ("beds", "beds_nursing", "plots", "staff")


def apportion(total: float, weights: np.ndarray) -> np.ndarray:
    """Split a whole-number ``total`` over ``weights`` in whole numbers that sum to it (largest
    remainder / Hamilton method; ties to the earlier unit).  A non-integer total is split exactly."""
    w = np.asarray(weights, dtype=float)
    exact = total * w / w.sum()
    if float(total) != round(float(total)):
        return exact
    base = np.floor(exact + 1e-9)
    short = int(round(total - base.sum()))
    if short > 0:
        order = np.argsort(-(exact - base), kind="stable")
        base[order[:short]] += 1
    return base


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
    _active: dict = field(default_factory=dict, repr=False, compare=False)  # years -> active(), per online

    @property
    def n(self) -> int:
        return len(self.facility_type)

    def with_online(self, online: np.ndarray) -> "CapacityItems":
        if online.ndim != 2 or online.shape[1] != self.n:
            raise ValueError(f"online must be (replications, {self.n}), got {online.shape}")
        return CapacityItems(self.facility_type, self.unit, self.ownership, self.functions,
                             self.measures, self.source_id, self.project, online)

    def subset(self, index: np.ndarray) -> "CapacityItems":
        """The items at positions ``index`` (I_k,), with their online times (small copies: one
        county's items, for a per-county sub-context, ``ServiceContext.sub``)."""
        idx = np.asarray(index, dtype=int)
        return CapacityItems(self.facility_type[idx], self.unit[idx], self.ownership[idx],
                             [self.functions[i] for i in idx], {k: v[idx] for k, v in self.measures.items()},
                             self.source_id[idx], self.project[idx],
                             None if self.online is None else self.online[:, idx])

    def active(self, years: np.ndarray) -> np.ndarray:
        """(R, Y, I) bool: item online by the end of each year (online time <= year + 1.0).

        A project finished at the end of December 2025 (2026.0) counts for 2025.  Cached: the
        service models ask for it once per quantity.
        """
        key = tuple(np.asarray(years).tolist())
        if key not in self._active:
            self._active[key] = self.online[:, None, :] <= (np.asarray(years, dtype=float)[None, :, None] + 1.0)
        return self._active[key]

    def year_index(self, years: np.ndarray) -> np.ndarray:
        """(R, I) index of the first year by whose end each item is online (``len(years)``: never).

        Item i counts in year ``years[k]`` exactly when ``k >= year_index[r, i]`` (the rule of
        ``active``: online time <= year + 1.0).  Cached."""
        key = ("index", tuple(np.asarray(years).tolist()))
        if key not in self._active:
            ends = np.asarray(years, dtype=float) + 1.0
            self._active[key] = np.searchsorted(ends, self.online, side="left").astype(np.int32)
        return self._active[key]

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

    def _cumulate(self, amounts: np.ndarray, sel: np.ndarray, group: np.ndarray, n_groups: int,
                  years: np.ndarray) -> np.ndarray:
        """(R, G, Y) sum of ``amounts[sel]`` over the items of each group online by the end of each
        year: the amounts are added into the year each item comes online (one ``bincount`` over
        R x items) and accumulated over the years.  O(R x I), where the (R, Y, I) mask is O(R x Y x I)."""
        R, Y = self.online.shape[0], len(years)
        if len(sel) == 0:
            return np.zeros((R, n_groups, Y))
        k = self.year_index(years)[:, sel]                                      # (R, S) 0..Y
        flat = (np.arange(R)[:, None] * n_groups + group[None, :]) * (Y + 1) + k
        w = np.broadcast_to(amounts[sel][None, :], flat.shape)
        added = np.bincount(flat.ravel(), weights=w.ravel(), minlength=R * n_groups * (Y + 1))
        return np.cumsum(added.reshape(R, n_groups, Y + 1)[:, :, :Y], axis=2)

    def _active_float(self, years: np.ndarray) -> np.ndarray:
        """``active`` as 0.0/1.0, for sums done by matrix products (much faster than on booleans)."""
        key = ("float", tuple(np.asarray(years).tolist()))
        if key not in self._active:
            self._active[key] = self.active(years).astype(float)
        return self._active[key]

    def total(self, measure: str, mask: np.ndarray, years: np.ndarray) -> np.ndarray:
        """(R, Y) sum of ``measure`` over the masked items online by the end of each year.

        A matrix product (BLAS): the published figures are its sums; shares of staged outputs such
        as 3000 x 1/3 add up to exactly 3000 there, where a running sum over the years would not."""
        amounts = np.where(mask, self.measures[measure], 0.0)
        return self._active_float(years) @ amounts

    def by_unit(self, measure: str, mask: np.ndarray, years: np.ndarray, units: list[str]) -> np.ndarray:
        """(R, Y, U) sum of ``measure`` per admin unit (items sited in that unit)."""
        amounts = np.where(mask, self.measures[measure], 0.0)
        pos = {str(u): k for k, u in enumerate(units)}
        ix = np.array([pos.get(str(u), -1) for u in self.unit], dtype=np.intp)
        sel = np.nonzero((ix >= 0) & (amounts != 0))[0]
        return np.moveaxis(self._cumulate(amounts, sel, ix[sel], len(units), years), 2, 1)


def build_items(scenario, phases: dict | None = None) -> tuple[CapacityItems, np.ndarray]:
    """Capacity items from the scenario's facilities and project outputs.

    Returns the items (``online`` unset) and, per item, the index of its project in
    ``scenario.rows('projects')`` (-1 for existing facilities).  Spread rules expand one output
    row over the townships under its unit: ``each`` gives every township the full amounts,
    ``by_villages`` splits them in proportion to villages + communities, beds, nursing beds,
    plots and staff in whole numbers by the largest-remainder method (``apportion``).  A blank capacity is 0,
    except ``beds_nursing`` which stays NaN ("split unknown": the eldercare model applies the
    nursing share of new beds).  ``count`` defaults to 1 for a facility that did not exist before
    and 0 for an enlargement of an existing one.

    ``phases`` (``sim.buildout.phases.phase_map``): project id -> [(phase column, phase)].  When
    given, the returned index points at phase columns instead of project positions: an item of a
    staged project goes to the phase that delivers its township (or, for a phase with
    ``units=None``, is split into one item per phase carrying ``output_share`` of the amounts).
    """
    units = scenario.rows("units")
    children: dict[str, list] = {}
    for u in units:
        if u.parent is not None:
            children.setdefault(u.parent, []).append(u)
    existing = {f.id for f in scenario.rows("facilities")}
    project_pos = {p.id: i for i, p in enumerate(scenario.rows("projects"))}
    rows: list[tuple] = []  # (row, unit id, factor, project index, count default, whole-number amounts)

    for f in scenario.rows("facilities"):
        rows.append((f, f.unit, 1.0, -1, 1.0, None))
    for o in scenario.rows("project_outputs"):
        count_default = 0.0 if (o.facility in existing) else 1.0
        pidx = project_pos[o.project]
        if o.spread is None:
            rows.append((o, o.unit, 1.0, pidx, count_default, None))
            continue
        towns = _townships_under(o.unit, children)
        if not towns:
            raise InputError(o._file, "spread", f"spread {o.spread!r} but unit {o.unit} has no townships", row=o._line)
        if o.spread == "each":
            rows.extend((o, t.id, 1.0, pidx, count_default, None) for t in towns)
        else:
            weights = np.array([(t.villages or 0) + (t.communities or 0) for t in towns], dtype=float)
            if weights.sum() <= 0:
                raise InputError(o._file, "spread", f"by_villages but the townships under {o.unit} have no "
                                 "villages or communities in units.csv", row=o._line)
            whole = {m: apportion(getattr(o, m), weights) for m in WHOLE if getattr(o, m) is not None}
            weights /= weights.sum()
            rows.extend((o, t.id, w, pidx, count_default * w, {m: a[k] for m, a in whole.items()})
                        for k, (t, w) in enumerate(zip(towns, weights)))

    if phases is not None:
        rows = _to_phases(rows, scenario.rows("projects"), phases)

    measures: dict[str, np.ndarray] = {}
    for m in MEASURES:
        vals = []
        for row, _, factor, _, count_default, whole in rows:
            v = getattr(row, m)
            if whole is not None and m in whole:
                vals.append(float(whole[m]))
            elif m == "count":
                vals.append(count_default if v is None else v * factor)
            elif v is None:
                vals.append(np.nan if m == "beds_nursing" else 0.0)
            else:
                vals.append(v * factor)
        measures[m] = np.array(vals, dtype=float)
    items = CapacityItems(
        facility_type=np.array([r.facility_type for r, *_ in rows], dtype=object),
        unit=np.array([u for _, u, *_ in rows], dtype=object),
        ownership=np.array([r.ownership for r, *_ in rows], dtype=object),
        functions=[r.tags for r, *_ in rows],
        measures=measures,
        source_id=np.array([getattr(r, "facility", None) or r.id for r, *_ in rows], dtype=object),
        project=np.array([getattr(r, "project", "") for r, *_ in rows], dtype=object),
    )
    return items, np.array([r[3] for r in rows], dtype=int)


def _to_phases(rows: list[tuple], projects: list, phases: dict) -> list[tuple]:
    """Re-point project items at phase columns (see ``build_items``)."""
    out = []
    for row, unit, factor, pidx, count_default, whole in rows:
        if pidx < 0:
            out.append((row, unit, factor, pidx, count_default, whole))
            continue
        plist = phases[projects[pidx].id]
        if plist[0][1].units is None:
            out.extend((row, unit, factor * ph.output_share, col, count_default * ph.output_share,
                        None if whole is None else {m: a * ph.output_share for m, a in whole.items()})
                       for col, ph in plist)
            continue
        col = next((c for c, ph in plist if unit in ph.units), plist[-1][0])  # county-level items: last phase
        out.append((row, unit, factor, col, count_default, whole))
    return out


def _townships_under(unit: str, children: dict[str, list]) -> list:
    out = []
    for c in children.get(unit, []):
        if c.level == "township":
            out.append(c)
        else:
            out.extend(_townships_under(c.id, children))
    return out


def online_times(scenario, project_index: np.ndarray, project_online: np.ndarray) -> np.ndarray:
    """(R, I) online time of every item: the facility's opening year, or its project's online time."""
    opened = np.array([f.opened_year() for f in scenario.rows("facilities")], dtype=float)
    reps = project_online.shape[0]
    out = np.empty((reps, len(project_index)), dtype=float)
    existing = project_index < 0
    out[:, existing] = opened[None, : existing.sum()]
    out[:, ~existing] = project_online[:, project_index[~existing]]
    return out
