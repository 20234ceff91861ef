"""The Tongdao scenario matches the plan it was built from (seed 003_d8a032d88d4cf936.txt)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.loader import load_scenario

from conftest import REPO

SCENARIO = REPO / "scenarios" / "tongdao.yaml"
SEED = REPO.parent / "shared" / "seeds" / "003_d8a032d88d4cf936.txt"
CITE = re.compile(r"(\d{3}_[0-9a-f]{16}\.txt):(\d+)")


@pytest.fixture(scope="module")
def tongdao():
    return load_scenario(SCENARIO)


def test_projects_total_17_47_yi(tongdao):
    projects = tongdao.rows("projects")
    assert len(projects) == 15
    assert sum(p.investment_total for p in projects) == pytest.approx(17.47e8)
    assert sum(p.investment_plan for p in projects) == pytest.approx(17.47e8)


def test_thirteen_main_indicators_and_every_computed_target_has_a_quantity(tongdao):
    targets = tongdao.rows("targets")
    main = [t for t in targets if t.main_table == "yes"]
    assert len(main) == 13
    assert {t.year for t in main} == {2025}
    assert sum(t.binding == "binding" for t in main) == 5      # 约束性 rows 3, 4, 10, 11, 12 of the table
    for t in targets:
        assert (t.kind == "computed") == (t.quantity is not None)


def test_units_match_the_plan(tongdao):
    towns = [u for u in tongdao.rows("units") if u.level == "township"]
    assert len(towns) == 11
    assert sum(u.kind_zh == "乡" for u in towns) == 2 and sum(u.kind_zh == "镇" for u in towns) == 9   # 2乡9镇 (line 4)
    assert sum((u.villages or 0) + (u.communities or 0) for u in towns) == 162                         # 162 村(居) (line 110)


def test_base_year_beds_and_both_conflicting_totals_kept(tongdao):
    beds = sum(f.beds or 0 for f in tongdao.rows("facilities") if f.facility_type in ("care_home", "community_care_center", "day_care_center"))
    assert beds == 1590                                            # line 108
    inst = sum(f.beds or 0 for f in tongdao.rows("facilities") if f.facility_type == "care_home")
    assert inst == 383                                             # line 148
    topics = " ".join(c.topic + c.value_a + c.value_b for c in tongdao.rows("conflicts"))
    for figure in ("1590", "383", "960", "2500"):
        assert figure in topics


def test_every_row_cites_a_source_and_cited_lines_exist(tongdao):
    if not SEED.exists():
        pytest.skip(f"seed plan not found at {SEED}")
    n_lines = len(SEED.read_text(encoding="utf-8").splitlines())
    for name, rows in tongdao.tables.items():
        for r in rows:
            text = (r.source or "") if name != "conflicts" else r.source_a + " " + r.source_b
            assert text.strip(), f"{name} row {r.id} has no source"
            for fname, line in CITE.findall(text):
                assert fname.startswith("00"), fname
                if fname == SEED.name:
                    assert 1 <= int(line) <= n_lines, f"{name} row {r.id} cites line {line} beyond the seed"


def test_project_investments_are_printed_on_their_cited_lines(tongdao):
    """Each project's 亿元 figure appears on a line its source cites: the table was not retyped wrongly."""
    if not SEED.exists():
        pytest.skip(f"seed plan not found at {SEED}")
    lines = SEED.read_text(encoding="utf-8").splitlines()
    for p in tongdao.rows("projects"):
        printed = f"{p.investment_total / 1e8:g}"
        cited = [lines[int(n) - 1].strip() for f, n in CITE.findall(p.source) if f == SEED.name]
        assert printed in cited, f"{p.id}: {printed} not on cited lines {cited}"
