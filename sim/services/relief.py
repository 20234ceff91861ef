"""Relief (救助管理站) as an Erlang loss system, and minors' protection coverage.

    lambda        = vagrant_relief_2016_2020 / relief.history_years / 365 * (1 + relief.arrival_trend)^(t - base)
    winter rate   = f * lambda  for a share w of the year; the rest of the year (1 - w f) / (1 - w) * lambda
    A_season      = lambda_season * relief.mean_stay_days                       (Erlangs)
    turn-away     = w f B(A_winter, c) + (1 - w f) B(A_rest, c)      (share of all arrivals turned away)

with ``f = relief.winter_peak_factor``, ``w = relief.winter_share_of_year``, ``c`` the relief
station's beds and ``B`` the Erlang loss formula (:func:`sim.queueing.erlang_b`).
Beds needed = the fewest beds with ``B(A_winter, c) <= relief.max_blocking``.
"""

from __future__ import annotations

import numpy as np

from ..queueing import beds_for_blocking, erlang_b
from .common import Record
from .context import ServiceContext


def loads(ctx: ServiceContext) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(R, Y) winter and rest-of-year offered loads, and the winter share of arrivals ``w f``."""
    lam = ctx.fact("vagrant_relief_2016_2020") / ctx.p("relief.history_years") / 365.0
    lam = lam * (1.0 + ctx.p("relief.arrival_trend")) ** ctx.t_since_base[None, :]
    f = ctx.p("relief.winter_peak_factor")
    w = ctx.p("relief.winter_share_of_year")
    wf = np.clip(w * f, 0.0, 1.0)
    stay = ctx.p("relief.mean_stay_days")
    a_winter = lam * f * stay
    a_rest = lam * (1.0 - wf) / np.maximum(1.0 - w, 1e-12) * stay
    return a_winter, a_rest, np.broadcast_to(wf, a_winter.shape)


def compute(ctx: ServiceContext) -> dict[str, np.ndarray]:
    q: dict[str, np.ndarray] = {}
    beds = ctx.total("beds", ctx.mask("relief_station"))
    q["relief_station_beds"] = beds
    a_w, a_r, wf = loads(ctx)
    c = np.floor(beds).astype(int)
    q["relief_turnaway_probability"] = wf * erlang_b(a_w, c) + (1.0 - wf) * erlang_b(a_r, c)
    q["minor_protection_centers"] = ctx.facility_count(ctx.mask("minor_protection_center"))
    _, cov = ctx.unit_coverage(ctx.mask("minor_protection_station"))
    q["minor_protection_station_coverage"] = 100.0 * cov
    return q


def records(ctx: ServiceContext) -> list[Record]:
    a_w, _, _ = loads(ctx)
    need = beds_for_blocking(a_w, np.broadcast_to(ctx.p("relief.max_blocking"), a_w.shape)).astype(float)
    beds = ctx.total("beds", ctx.mask("relief_station"))
    return [Record("relief", "beds", None, None, need, beds,
                   "demand = fewest beds keeping the winter turn-away probability <= relief.max_blocking")]
