"""Annual cohort-component projection by unit x sex x single year of age, with Monte Carlo draws.

Timing: populations are at mid-year (1 July; the 2020 census of 1 Nov is taken as mid-2020, like
WPP's 1 July figures).  ``pop[..., k, :, :]`` is the population on 1 July of ``years[k]``.  Flows
(births, deaths, net migration) at index k are those of the twelve months from 1 July of
``years[k]`` to 1 July of ``years[k+1]``, so they have one year fewer than the stocks.

One step, for every replication r and unit u at once (numpy; the only Python loop is over years):

    survivors   Q[s, a+1] = P[s, a] * S[s, a]                    a = 0 .. A-3
                Q[s, A-1] = (P[s, A-2] + P[s, A-1]) * S[s, A-2]   (open age group)
    births      B = sum_a f(a) * (F[a] + Q_f[a]) / 2             F = women; f = ASFR
                B_m = B * srb / (1 + srb),  B_f = B / (1 + srb)
                Q[s, 0] = B_s * L0_s
    deaths      D = sum(P) - sum(Q[:, 1:]) + B - sum(Q[:, 0])
    migration   M[s, a] = rate * sum(P) * g[s, a]  (g: net age-sex profile, sums to 1),
                clipped so that Q + M >= 0; what clipping could not remove is taken from
                the other out-migrating ages in proportion to their people (then from all
                ages), so the realised net flow is rate * sum(P) whenever that is feasible
                and never has the wrong sign; an infeasible remainder is reported
                (``migration_shortfall``), see :func:`migrate`
    next        P' = Q + M   (so  sum P' = sum P + B - D + M  exactly)

Calibration to an external total for a unit and year rescales P' and books the difference as net
migration, so the identity still holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import InputError
from ..parameters import ParameterSet
from . import base as base_mod
from . import disability as dis_mod
from . import lifetable, wpp

A = wpp.N_AGES
SEXES = ("male", "female")


def _check_array(name: str, x, lo: float | None = None, hi: float | None = None, lo_open: bool = False) -> None:
    """ValueError naming the argument when ``x`` holds NaN, infinities or values out of range."""
    a = np.asarray(x, dtype=float)
    if not np.all(np.isfinite(a)):
        raise ValueError(f"{name} must be finite (it holds NaN or infinity)")
    if lo is not None and a.size and (np.any(a <= lo) if lo_open else np.any(a < lo)):
        raise ValueError(f"{name} must be {'>' if lo_open else '>='} {lo:g}, got min {a.min():g}")
    if hi is not None and a.size and np.any(a > hi):
        raise ValueError(f"{name} must be <= {hi:g}, got max {a.max():g}")


# ----------------------------------------------------------------------------- migration profile
def migration_profile(return_weight: float = 0.1) -> np.ndarray:
    """Net-migration age-sex profile g (2, 101), summing to 1 (assumption, docs/population.md).

    Rogers-Castro-like: a labour-migration curve peaking in the early twenties and concentrated
    at 16-44, a child component (children move with their parents, falling with age), and a
    retirement *return* component of opposite sign centred at 60 (weight ``return_weight`` of the
    gross labour flow): with a negative net rate, young adults leave and a few older people come
    back.  Half of the flow is male, half female.
    """
    if not (isinstance(return_weight, (int, float, np.floating)) and 0.0 <= return_weight < 1.0):
        raise ValueError(f"return_weight must be in [0, 1), got {return_weight!r}")
    x = np.arange(A, dtype=float)
    labour = np.exp(-0.12 * (x - 20.0) - np.exp(-0.45 * (x - 20.0)))
    labour /= labour.sum()
    child = np.exp(-0.15 * x)
    child[15:] = 0.0
    child /= child.sum()
    ret = np.exp(-0.5 * ((x - 60.0) / 5.0) ** 2)
    ret /= ret.sum()
    g = 0.8 * labour + 0.2 * child - return_weight * ret
    g /= g.sum()
    return np.stack([g, g]) / 2.0


def migrate(Q: np.ndarray, N: np.ndarray, rate: np.ndarray, profile: np.ndarray,
            out: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Apply net migration to the survivors: ``(P', shortfall)``.

    ``Q`` (R, U, 2, A) survivors and births at the end of the interval; ``N`` (R, U) population at
    its start; ``rate`` (R,) net migrants per person per year (> -1); ``profile`` (2, A) summing
    to 1.  The wanted net flow is ``rate * N``, spread over ages by the profile.  Where an age would
    lose more people than it has, it loses them all and the rest of the outflow is taken from the
    other ages that are losing people (in proportion to who is left there), then from all ages.
    So ``sum(P') - sum(Q) == rate * N`` exactly whenever ``rate * N >= -sum(Q)``; otherwise
    everyone leaves and ``shortfall`` (R, U) >= 0 is the part of the outflow that could not happen.
    A negative rate therefore never books net in-migration, and a positive one never net out-migration.
    """
    target = np.asarray(rate, dtype=Q.dtype)[:, None] * N                           # (R, U)
    P = np.multiply(target[:, :, None, None], profile, out=out)                    # M0, wanted flow by age
    outgoing = P < 0
    np.add(P, Q, out=P)
    np.maximum(P, 0.0, out=P)
    R, U = N.shape
    flat = P.reshape(R, U, -1)
    excess = flat.sum(-1) - Q.reshape(R, U, -1).sum(-1) - target                  # >= 0: outflow clipping missed
    shortfall = np.zeros_like(target)
    tol = 1e-9 * np.maximum(np.abs(N), 1.0)
    if np.any(excess > tol):
        for mask in (outgoing.reshape(R, U, -1), None):
            pool = (flat * mask).sum(-1) if mask is not None else flat.sum(-1)
            f = np.where((excess > tol) & (pool > 0), np.minimum(1.0, excess / np.where(pool > 0, pool, 1.0)), 0.0)
            take = f[:, :, None] * (flat * mask if mask is not None else flat)
            flat -= take
            excess = excess - take.sum(-1)
        shortfall = np.where(excess > tol, excess, 0.0)
    return P, shortfall


# ----------------------------------------------------------------------------- inputs / result
@dataclass
class Inputs:
    units: list[str]
    names: list[str]
    years: np.ndarray                 # all projected years, from the census year to the horizon
    first_year: int                   # first year reported (the scenario's base year)
    base_pop: np.ndarray              # (U, 2, A) at 1 July of years[0]
    params: ParameterSet
    asfr: np.ndarray                  # (A,) or (T, A): births per woman at TFR = tfr_ref
    tfr_ref: float
    mig_profile: np.ndarray           # (2, A), sums to 1
    imr: float = lifetable.IMR_2020
    calibration: np.ndarray | None = None   # (U, Y) target totals, NaN where none
    weights: np.ndarray | None = None       # township shares used for the base
    lx_override: np.ndarray | None = None   # (T, 2, 132) fixed life tables (tests, China check)
    notes: dict = field(default_factory=dict)


@dataclass
class Result:
    units: list[str]
    names: list[str]
    years: np.ndarray                 # (Y,)
    flow_years: np.ndarray            # (Y-1,) start year of each flow interval
    pop: np.ndarray | None            # (R, U, Y, 2, A) or None when store="summary"
    births: np.ndarray                # (R, U, Y-1)
    deaths: np.ndarray                # (R, U, Y-1)
    net_migration: np.ndarray         # (R, U, Y-1)
    total: np.ndarray                 # (R, U, Y)
    age60: np.ndarray                 # (R, U, Y) persons 60+
    age65: np.ndarray
    age80: np.ndarray
    disabled: np.ndarray              # (R, U, Y) 失能 people 60+
    semi_disabled: np.ndarray         # (R, U, Y) 半失能 people 60+
    draws: dict[str, np.ndarray]      # per-replication parameter draws
    migration_shortfall: np.ndarray | None = None   # (R, U, Y-1) wanted out-migrants who were not there
    age_edges: tuple[int, ...] | None = None   # store="bands": pop is (R, U, Y, 2, B), band b = ages edges[b]..edges[b+1]-1


# ----------------------------------------------------------------------------- build_inputs
def _p(params: ParameterSet, pid: str, default: float | None = None) -> float:
    return params.value(pid, default)  # a missing parameter without a default is an InputError


def _norm_id(v) -> str:
    """Unit ids as text; 431230.0 (a code read as a float by pandas) -> "431230"; blank -> ""."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v).strip()


def _unit_rows(units: pd.DataFrame) -> list:
    from types import SimpleNamespace
    for col in ("id", "level", "parent"):
        if col not in units:
            raise InputError("units.csv", col, "column missing")
    u = units.copy()
    u["id"] = [_norm_id(v) for v in u["id"]]
    u["parent"] = [_norm_id(v) or None for v in u["parent"]]
    if "seat" in u:
        u["seat"] = [_norm_id(v) or None for v in u["seat"]]
    u = u.astype(object).where(u.notna(), None)
    return [SimpleNamespace(**r) for r in u.to_dict("records")]


def select_units(units: pd.DataFrame, region_unit: str) -> pd.DataFrame:
    """The simulated units: the lowest known units under the region (``sim.regions.Hierarchy``),
    depth first; the region's own row when it has no children."""
    from ..regions import Hierarchy
    rows = _unit_rows(units)
    region_unit = _norm_id(region_unit)
    if region_unit not in {r.id for r in rows}:
        raise InputError("units.csv", "id", f"region unit {region_unit!r} not found")
    leaves = Hierarchy(rows, region_unit).leaves
    u = units.copy()
    u["id"] = [_norm_id(v) for v in u["id"]]
    u["parent"] = [_norm_id(v) for v in u["parent"]]
    pos = {uid: i for i, uid in enumerate(u["id"])}
    return u.iloc[[pos[x] for x in leaves]].reset_index(drop=True)


def build_inputs(units: pd.DataFrame, params: ParameterSet, base_year: int, horizon: int,
                 region_unit: str, calibration: dict[tuple[str, int], float] | None = None,
                 unit_demography: list | None = None) -> Inputs:
    """Base population by simulated unit and the central schedules; draws happen in :func:`project`.

    ``calibration`` optionally maps (unit id, year) -> external total for that unit.
    ``unit_demography``: the rows of unit_demography.csv (``sim.schema.UnitDemography``): each
    county's own total and band shares (docs/regions.md); None or empty: the region's figures
    (``demography.base_population`` and ``demography.share_*``) split over the units.
    """
    if horizon <= base_year:
        raise InputError(None, "horizon", f"horizon {horizon} must be after base year {base_year}")
    rows = select_units(units, region_unit)
    census_year = int(_p(params, "demography.census_year", 2020))
    start = min(census_year, int(base_year))
    years = np.arange(start, int(horizon) + 1)

    shape_year = min(max(census_year, 1950), 2100)
    if unit_demography:
        total, shares, structure = None, None, None
    else:
        total = _p(params, "demography.base_population")
        if total <= 0:
            raise InputError("parameters", "demography.base_population", "must be positive")
        if _p(params, "demography.basis_registered", 0.0) >= 0.5:
            total *= _p(params, "demography.registered_to_resident_ratio")
        shares = {}
        for key in base_mod.BANDS:
            pid = f"demography.share_{key}"
            if pid in params:
                shares[key] = params.value(pid)
        structure = base_mod.age_structure(shares, shape_year=shape_year)

    imr = _p(params, "demography.imr", 5.4) / 1000.0
    e0 = np.array([_p(params, "demography.e0_male"), _p(params, "demography.e0_female")])
    lx = lifetable.tables_for_e0(e0, imr)
    srb = _p(params, "demography.srb", 1.11)
    fshare = base_mod.female_share(lx[0], lx[1], srb)
    if unit_demography:   # per county: its own total and age structure, split over its units
        from ..regions import Hierarchy
        h = Hierarchy(_unit_rows(units), _norm_id(region_unit))
        totals, leaf_shares, _ = base_mod.leaf_bases(h, _unit_rows(units), unit_demography, None, None)
        base_pop, structures = base_mod.base_population_by_leaf(totals, leaf_shares, fshare, shape_year)
        weights = totals / totals.sum() if totals.sum() > 0 else totals
        structure = structures
    else:
        weights = base_mod.township_weights(rows)
        base_pop = base_mod.base_population(total, structure, fshare, weights)

    tfr = _p(params, "demography.tfr")
    shape = wpp.asfr_single((2020, 2021, 2022, 2023, 2024))
    asfr = shape / shape.sum() * tfr

    calib = None
    if calibration:
        ids = list(rows["id"])
        calib = np.full((len(ids), len(years)), np.nan)
        for (uid, yr), val in calibration.items():
            if str(uid) not in ids or not (years[0] < yr <= years[-1]):
                raise InputError("calibration", str(uid), f"unknown unit or year {yr}")
            calib[ids.index(str(uid)), int(yr - years[0])] = float(val)

    names = list(rows["name_zh"]) if "name_zh" in rows else list(rows["id"])
    return Inputs(units=list(rows["id"]), names=names, years=years, first_year=int(base_year),
                  base_pop=base_pop, params=params, asfr=asfr, tfr_ref=tfr,
                  mig_profile=migration_profile(_p(params, "demography.migration_return_weight", 0.1)),
                  imr=imr, calibration=calib, weights=weights,
                  notes={"structure": structure, "female_share": fshare, "census_year": census_year})


# ----------------------------------------------------------------------------- core
def project_arrays(P0, S, L0, asfr, srb, mig_rate, profile, calib=None, p_sev=None, p_semi=None,
                   store="ages", dtype=np.float64, age_edges=None):
    """The vectorised cohort-component engine on plain arrays (any number of ages A >= 2).

    P0 (R, U, 2, A); S (R, T, 2, A-1) survival ratios; L0 (R, T, 2) infant survival; asfr (R, T, A);
    srb (R,); mig_rate (R, T) net migrants per person per year; profile (2, A) summing to 1;
    calib (U, T+1) totals or NaN; p_sev / p_semi (R, A) prevalence.  Returns a dict of arrays.

    Sums over ages are batched matrix products (BLAS) and buffers are reused, so a step makes about
    six passes over the (R, U, 2, A) state.
    """
    dtype = np.dtype(dtype)
    _check_array("P0", P0, lo=0.0)
    _check_array("S", S, lo=0.0, hi=1.0)
    _check_array("L0", L0, lo=0.0, hi=1.0)
    _check_array("asfr", asfr, lo=0.0)
    _check_array("srb", srb, lo=0.0, lo_open=True)
    _check_array("mig_rate", mig_rate, lo=-1.0, lo_open=True)
    _check_array("profile", profile)
    P = np.array(P0, dtype=dtype, order="C")
    R, U, _, nA = P.shape
    T = S.shape[1]
    S = np.asarray(S, dtype=dtype)
    prof = np.asarray(profile, dtype=dtype)
    fm = np.asarray(srb, float) / (1.0 + np.asarray(srb, float))
    out = {k: np.zeros((R, U, T), dtype) for k in ("births", "deaths", "net_migration")}
    Y = T + 1
    out["migration_shortfall"] = np.zeros((R, U, T), dtype)
    names = ("total", "age60", "age65", "age80", "disabled", "semi_disabled")
    for k in names:
        out[k] = np.zeros((R, U, Y), dtype)
    pop = np.zeros((R, U, Y, 2, nA), dtype) if store == "ages" else None
    if store == "bands":   # persons by sex and age band only (edges: first age of each band)
        pop = np.zeros((R, U, Y, 2, len(age_edges)), dtype)

    # per-unit summaries: sexes added (one pass), then age-band sums by one reduceat, and the
    # disability prevalence of each replication by one gemv per replication
    cuts = [c for c in (0, 60, 65, 80) if c < nA]
    Wd = None
    if p_sev is not None:
        Wd = np.ascontiguousarray(np.stack([np.asarray(p_sev), np.asarray(p_semi)], axis=-1), dtype=dtype)  # (R, A, 2)
    ones = np.ones((2 * nA, 1), dtype)
    both = np.empty((R, U, nA), dtype)

    def record(k, P):
        if store == "bands":
            pop[:, :, k] = np.add.reduceat(P, age_edges, axis=-1)
        elif pop is not None:
            pop[:, :, k] = P
        np.add(P[:, :, 0], P[:, :, 1], out=both)
        bands = np.add.reduceat(both, cuts, axis=-1)            # (R, U, len(cuts))
        tail = np.cumsum(bands[..., ::-1], axis=-1)[..., ::-1]  # sums from each cut upwards
        out["total"][:, :, k] = tail[..., 0]
        for i, name in enumerate(("age60", "age65", "age80")):
            if i + 1 < len(cuts):
                out[name][:, :, k] = tail[..., i + 1]
        if Wd is not None:
            for r in range(R):
                d = both[r] @ Wd[r]
                out["disabled"][r, :, k] = d[:, 0]
                out["semi_disabled"][r, :, k] = d[:, 1]
        return tail[..., 0]

    Ntot = record(0, P)
    Q = np.empty_like(P)
    Pn = np.empty_like(P)
    for t in range(T):
        St = S[:, t][:, None]                                   # (R, 1, 2, A-1)
        np.multiply(P[..., 0:nA - 2], St[..., 0:nA - 2], out=Q[..., 1:nA - 1])
        np.multiply(P[..., nA - 2] + P[..., nA - 1], St[..., nA - 2], out=Q[..., nA - 1])
        Q[..., 0] = 0.0
        f = np.asarray(asfr[:, t], dtype=dtype)[:, :, None]      # (R, A, 1)
        B = 0.5 * (np.matmul(P[:, :, 1, :], f) + np.matmul(Q[:, :, 1, :], f))[..., 0]   # (R, U)
        Bm = B * fm[:, None]
        Bf = B - Bm
        Q[:, :, 0, 0] = Bm * L0[:, t, 0][:, None]
        Q[:, :, 1, 0] = Bf * L0[:, t, 1][:, None]
        Qsum = np.matmul(Q.reshape(R, U, 2 * nA), ones)[..., 0]
        D = Ntot - Qsum + B
        # net migration: exactly rate x population where feasible, nobody removed who is not there
        _, short = migrate(Q, Ntot, mig_rate[:, t], prof, out=Pn)
        out["migration_shortfall"][:, :, t] = short
        if calib is not None:
            tgt = calib[:, t + 1]
            if np.any(~np.isnan(tgt)):
                cur = np.matmul(Pn.reshape(R, U, 2 * nA), ones)[..., 0]
                fac = np.where(np.isnan(tgt)[None, :], 1.0, tgt[None, :] / np.where(cur > 0, cur, 1.0))
                Pn *= fac[:, :, None, None].astype(dtype)
        P, Pn = Pn, P
        Nnew = record(t + 1, P)
        out["births"][:, :, t] = B
        out["deaths"][:, :, t] = D
        out["net_migration"][:, :, t] = Nnew - Qsum          # includes any calibration residual
        Ntot = Nnew
    out["pop"] = pop
    return out


# ----------------------------------------------------------------------------- draws and project
DRAWN = {
    "tfr": "demography.tfr",
    "e0_shift": "demography.e0_shift",
    "net_migration_rate": "demography.net_migration_rate",
    "disability_prev_60plus": "care.disability_prev_60plus",
    "severe_share": "care.severe_share",
}


def _draw(params: ParameterSet, pid: str, seed: int, R: int, randomness: bool, default: float) -> np.ndarray:
    if pid not in params:
        return np.full(R, float(default))
    return params.draws(pid, seed, R, randomness)


def draws(inputs: Inputs, replications: int, seed: int, randomness: bool = True) -> dict[str, np.ndarray]:
    """Per-replication draws (R,) of the uncertain parameters, each from its own named stream."""
    p = inputs.params
    R = int(replications)
    return {
        "tfr": _draw(p, DRAWN["tfr"], seed, R, randomness, inputs.tfr_ref),
        "e0_shift": _draw(p, DRAWN["e0_shift"], seed, R, randomness, 0.0),
        "net_migration_rate": _draw(p, DRAWN["net_migration_rate"], seed, R, randomness, 0.0) / 100.0,
        "disability_prev_60plus": _draw(p, DRAWN["disability_prev_60plus"], seed, R, randomness, 18.3) / 100.0,
        "severe_share": _draw(p, DRAWN["severe_share"], seed, R, randomness, 2.5) / 100.0,
    }


def project(inputs: Inputs, replications: int, seed: int, randomness: bool = True,
            store: str = "ages", dtype=np.float64, chunk: int | None = None,
            age_edges: tuple[int, ...] | None = None) -> Result:
    """Run the projection for ``replications`` Monte Carlo draws.

    ``store="ages"`` keeps the full (R, U, Y, 2, 101) array; ``store="bands"`` keeps persons by sex in
    the age bands starting at ``age_edges`` (R, U, Y, 2, B) (a province: 2,000 townships x 200 draws is
    10 GB by single age, 0.6 GB in six bands); ``store="summary"`` keeps only totals,
    60+/65+/80+ and disability counts (for large runs).  Replications are processed in chunks of
    ``chunk`` (default: sized to keep the working state near 16 MB, which stays in cache).
    """
    if replications < 1:
        raise InputError(None, "replications", "must be at least 1")
    if store not in ("ages", "summary", "bands"):
        raise ValueError("store must be 'ages', 'bands' or 'summary'")
    if store == "bands":
        age_edges = tuple(int(a) for a in age_edges or ())
        if not age_edges or age_edges[0] != 0 or list(age_edges) != sorted(set(age_edges)) or age_edges[-1] >= A:
            raise ValueError(f"age_edges must start at 0 and increase below {A}, got {age_edges}")
    p = inputs.params
    R = int(replications)
    T = len(inputs.years) - 1
    U = len(inputs.units)
    d = draws(inputs, R, seed, randomness)

    # fertility (R, T, A)
    asfr = inputs.asfr if inputs.asfr.ndim == 2 else np.broadcast_to(inputs.asfr, (T, A))
    fert = asfr[None] * (d["tfr"] / inputs.tfr_ref)[:, None, None]

    # mortality (R, T, 2, A-1) via Brass logit on e0(r, t, s)
    if inputs.lx_override is not None:
        S1, L01 = lifetable.survival_ratios(inputs.lx_override)
        S = np.broadcast_to(S1, (R,) + S1.shape)
        L0 = np.broadcast_to(L01, (R,) + L01.shape)
    else:
        e0 = np.array([p.value("demography.e0_male"), p.value("demography.e0_female")])
        gain = p.value("demography.e0_gain_per_year", 0.0)
        # rates of the interval starting in years[t] use e0 at its midpoint
        dt = (inputs.years[:-1] - inputs.notes.get("census_year", inputs.years[0])) + 0.5
        e = (e0[None, None, :] + d["e0_shift"][:, None, None] + gain * dt[None, :, None])
        lx = lifetable.tables_for_e0(e, inputs.imr)
        S, L0 = lifetable.survival_ratios(lx)

    srb = np.full(R, p.value("demography.srb", 1.11))
    mig = np.broadcast_to(d["net_migration_rate"][:, None], (R, T))
    slope = p.value("care.disability_age_gradient", 0.128)
    p_sev, p_semi = dis_mod.schedules(d["disability_prev_60plus"], d["severe_share"], slope)

    if chunk is None:
        # small chunks keep the working state (P, Q, P') in cache: about 16 MB
        per_rep = U * 2 * A * np.dtype(dtype).itemsize * 3
        chunk = max(1, min(R, int(16e6 // max(per_rep, 1))))
    cat: dict[str, np.ndarray | None] = {}
    for r0 in range(0, R, chunk):
        sl = slice(r0, min(R, r0 + chunk))
        n = sl.stop - sl.start
        P0 = np.broadcast_to(inputs.base_pop, (n,) + inputs.base_pop.shape)
        part = project_arrays(P0, S[sl], L0[sl], fert[sl], srb[sl], mig[sl], inputs.mig_profile,
                              inputs.calibration, p_sev[sl], p_semi[sl], store=store, dtype=dtype,
                              age_edges=age_edges)
        for k, v in part.items():          # fill preallocated results: no concatenation copy
            if v is None:
                cat[k] = None
                continue
            if k not in cat:   # the banded population is kept in float32 (relative error < 6e-8)
                cat[k] = np.empty((R,) + v.shape[1:], np.float32 if (k == "pop" and store == "bands") else v.dtype)
            cat[k][sl] = v
        del part

    k0 = int(inputs.first_year - inputs.years[0])
    years = inputs.years[k0:]
    stock = lambda a: a[:, :, k0:]  # noqa: E731
    return Result(units=list(inputs.units), names=list(inputs.names), years=years, flow_years=years[:-1],
                  pop=None if cat["pop"] is None else cat["pop"][:, :, k0:],
                  births=cat["births"][:, :, k0:], deaths=cat["deaths"][:, :, k0:],
                  net_migration=cat["net_migration"][:, :, k0:],
                  total=stock(cat["total"]), age60=stock(cat["age60"]), age65=stock(cat["age65"]),
                  age80=stock(cat["age80"]), disabled=stock(cat["disabled"]),
                  semi_disabled=stock(cat["semi_disabled"]), draws=d,
                  migration_shortfall=cat["migration_shortfall"][:, :, k0:],
                  age_edges=age_edges if store == "bands" else None)


# ----------------------------------------------------------------------------- helpers
def older(result: Result, min_age: int = 60) -> np.ndarray:
    """Persons aged ``min_age``+ per replication, unit and year: (R, U, Y)."""
    if result.pop is not None:
        return result.pop[..., min_age:].sum(axis=(-1, -2))
    known = {60: result.age60, 65: result.age65, 80: result.age80, 0: result.total}
    if min_age not in known:
        raise ValueError("with store='summary' only min_age 0, 60, 65, 80 are available")
    return known[min_age]


def aging_rates(result: Result) -> dict[str, np.ndarray]:
    """Region-level shares (fractions) of 60+, 65+ and 80+: each (R, Y)."""
    tot = result.total.sum(axis=1)
    return {"share60": result.age60.sum(axis=1) / tot,
            "share65": result.age65.sum(axis=1) / tot,
            "share80": result.age80.sum(axis=1) / tot}
