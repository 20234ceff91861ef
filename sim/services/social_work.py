"""Social work: township stations, the social-worker pool and the casework load.

    workers(t)   = social_workers (base fact) + social.hiring_per_year * (t - base)
    in stations  = min(workers, stations * social.workers_per_station)
    institutions = (workers - in stations) * social.institution_share
    community    = workers - institutions                      (station workers serve the community)

    per 100 nursing beds   = 100 * institutions / nursing beds in eldercare institutions
    per 1000 older (comm.) = 1000 * community / people aged 60+

Casework demand per unit = social.casework_rate * (特困 + 低保 + older people living alone +
children in difficulty), each group scaled from its base-year count with the matching population
(60+, all ages, 60+ * social.older_alone_share, under 18); capacity = station workers in the unit *
social.cases_per_worker_year (station workers are spread evenly over the townships with a station).
"""

from __future__ import annotations

import numpy as np

from .common import Record, ratio
from .context import ServiceContext
from .eldercare import INSTITUTION_TYPES


def workers(ctx: ServiceContext) -> dict[str, np.ndarray]:
    total = ctx.fact("social_workers") + ctx.p("social.hiring_per_year") * ctx.t_since_base[None, :]
    total = np.maximum(total, 0.0)
    covered, share = ctx.unit_coverage(ctx.mask("social_work_station"))
    stations = share * ctx.U
    in_stations = np.minimum(total, stations * ctx.p("social.workers_per_station"))
    inst = (total - in_stations) * ctx.p("social.institution_share")
    return {"total": total, "stations": in_stations, "institutions": inst, "community": total - inst,
            "covered": covered, "n_stations": stations}


def compute(ctx: ServiceContext) -> dict[str, np.ndarray]:
    w = workers(ctx)
    nursing = ctx.total("beds_nursing", ctx.mask(INSTITUTION_TYPES))
    return {
        "social_work_station_coverage": ratio(w["n_stations"], np.full_like(w["n_stations"], ctx.U), 100.0),
        "social_workers_total": w["total"],
        "social_workers_per_community": w["total"] / ctx.fact("villages_communities"),
        "social_workers_per_1000_pop": ratio(w["total"], ctx.total_pop.sum(axis=1), 1000.0),
        "social_workers_per_100_nursing_beds": ratio(w["institutions"], nursing, 100.0),
        "social_workers_per_1000_older_community": ratio(w["community"], ctx.older.sum(axis=1), 1000.0),
    }


def casework_demand(ctx: ServiceContext) -> np.ndarray:
    """(R, U, Y) cases needing a social worker in a year."""
    b = ctx.base_index
    older, pop, young = ctx.older, ctx.total_pop, ctx.pop_age(0, 18)
    def scaled(fact: float, group: np.ndarray) -> np.ndarray:
        return fact * ratio(group, group[:, :, b].sum(axis=1)[:, None, None], empty=0.0)
    tk = scaled(ctx.fact("tekun_rural"), older)
    db = scaled(ctx.fact("dibao_persons_all"), pop)
    ch = scaled(ctx.fact("orphans") + ctx.fact("de_facto_unsupported_children"), young)
    alone = older * ctx.p("social.older_alone_share")[:, :, None]
    return ctx.p("social.casework_rate")[:, :, None] * (tk + db + ch + alone)


def records(ctx: ServiceContext) -> list[Record]:
    w = workers(ctx)
    demand = casework_demand(ctx)
    per_station = ratio(w["stations"], w["n_stations"], empty=0.0)                      # (R, Y)
    cap_unit = w["covered"] * per_station[:, None, :] * ctx.p("social.cases_per_worker_year")[:, :, None]
    cap_region = w["stations"] * ctx.p("social.cases_per_worker_year")
    return [Record("social_work", "cases_per_year", demand, cap_unit, demand.sum(axis=1), cap_region,
                   "casework demand against station social workers' caseload capacity")]
