"""`import-plan` (issue 15): the five seed plans give the figures the issue lists, every imported row's
cited line holds its figure, imported values agree with the hand-built scenarios, and the reader
survives the usual damage of PDF/Word conversion (synthetic text, invented figures)."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml

from sim.money import parse_money
from sim.planimport import analyse, import_plan

from conftest import REPO



def _seeds() -> Path:
    """../shared/seeds beside the repository; in a git worktree, beside the main checkout."""
    here = REPO.parent / "shared" / "seeds"
    git = REPO / ".git"
    if not here.exists() and git.is_file():       # a worktree: .git says "gitdir: <main>/.git/worktrees/<name>"
        gitdir = Path(git.read_text(encoding="utf-8").split(":", 1)[1].strip())
        main = gitdir.parent.parent.parent if gitdir.parent.name == "worktrees" else gitdir.parent
        return main.parent / "shared" / "seeds"
    return here


SEEDS = _seeds()
SEED = {"hunan": "000_df0e2ee655117bc1.txt", "hubei": "001_c439cc395c251c17.txt",
        "changsha": "002_f9e241319357bd39.txt", "tongdao": "003_d8a032d88d4cf936.txt",
        "chuxiong": "004_9176aec6d26fd934.txt"}
needs_seeds = pytest.mark.skipif(not (SEEDS / SEED["tongdao"]).exists(),
                                 reason=f"the seed plans are not here ({SEEDS}): they live beside the repository, "
                                        "not in it")


@pytest.fixture(scope="module")
def imported():
    return {k: analyse(SEEDS / f) for k, f in SEED.items()}


def _flat(text: str) -> str:
    """The line as the test reads it: NFKC (full-width digits and punctuation) and no white space."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8-sig").split("\n")


# ----------------------------------------------------------------------------- the seeds' own figures
@needs_seeds
def test_tongdao_13_indicators_and_15_projects_totalling_17_47_yi(imported):
    res = imported["tongdao"]
    assert [t["id"] for t in res.main.targets] == [f"M{i:02d}" for i in range(1, 14)]
    assert sum(t["binding"] == "binding" for t in res.main.targets) == 5        # 约束性: rows 3, 4, 10, 11, 12
    projects = res.projects.projects
    assert len(projects) == 15
    # the investment column of the seed's table, typed from lines 542 ... 693 (亿元)
    printed = [0.2, 9.7, 0.6, 1, 0.35, 0.35, 0.6, 0.1, 0.8, 0.8, 0.35, 1.5, 0.67, 0.35, 0.1]
    assert [float(p["investment_total"]) for p in projects] == printed
    assert [float(p["investment_plan"]) for p in projects] == printed
    assert {p["money_unit"] for p in projects} == {"亿元"}
    assert sum(printed) == pytest.approx(17.47)
    assert any(c.startswith("ok: the total row prints 17.47亿元 as the total investment") for c in res.projects.checks)
    assert any(c.startswith("ok: the total row prints 15 projects") for c in res.projects.checks)
    # the seed's own inconsistency is reported, not hidden: category 四 prints a subtotal 1.066 for rows summing to 2.52
    assert any(c.startswith("MISMATCH: category 四") and "2.52" in c for c in res.projects.checks)


@needs_seeds
@pytest.mark.parametrize("plan,n", [("hunan", 15), ("hubei", 15), ("chuxiong", 21)])
def test_provincial_and_prefecture_main_indicators(imported, plan, n):
    res = imported[plan]
    assert len(res.main.targets) == n
    assert [t["id"] for t in res.main.targets] == [f"M{i:02d}" for i in range(1, n + 1)]
    assert {t["year"] for t in res.main.targets} == {2025}
    assert all(t["binding"] in ("binding", "indicative") for t in res.main.targets)
    assert res.projects.table is None       # none of the three prints a key-project table


@needs_seeds
def test_changsha_reports_its_table_missing(imported):
    res = imported["changsha"]
    assert res.main.table is None and res.main.targets == []
    assert any("no main-indicator table" in p.what for p in res.main.problems)
    assert res.prose.targets, "Changsha's targets stand in its prose and boxes"


@needs_seeds
def test_person_times_are_not_read_as_persons(imported):
    """Changsha line 160 "惠及困难群众24万人次": the figure's unit is 万人次 (person-times), not 万人."""
    skipped = [why for line, why in imported["changsha"].prose.skipped if line == 160]
    assert any(why.startswith("24万人次 in ") for why in skipped), skipped
    assert not any(t.get("unit") == "万人" and str(t.get("value")) in ("24", "24.0")
                   for t in imported["changsha"].prose.targets)


@needs_seeds
def test_every_imported_row_cites_a_line_holding_its_figure(imported):
    checked = 0
    for key, res in imported.items():
        lines = _lines(SEEDS / SEED[key])
        rows = res.targets + res.projects.projects + res.projects.outputs + res.base_facts
        for r in rows:
            cites = [c.strip().rsplit(":", 1) for c in r["source"].split(";")]
            assert {file for file, _ in cites} == {SEED[key]}
            nos = [int(no) for _, no in cites]
            if len(nos) > 1 and "broken over" in r.get("note", ""):     # a figure printed across a line break
                assert nos[-1] > nos[0]
                line = "".join(_flat(lines[n - 1]) for n in nos)
            else:
                line = _flat(lines[nos[0] - 1])
            printed = r.get("printed") or r.get("value_text")
            assert printed, r
            assert _flat(printed) in line, f"{r['source']}: {printed!r} not in {line[:80]!r}"
            value = r.get("value") or r.get("investment_total") or next(
                (r[c] for c in ("beds", "households", "plots", "area_m2", "count") if r.get(c)), "")
            if value and re.fullmatch(r"\d+(\.\d+)?", printed):
                assert float(value) == float(printed), r
            elif printed == "全覆盖":
                assert float(value) == 100
            checked += 1
    assert checked > 500


# ----------------------------------------------------------------------------- agreement with hand-built scenarios
def _hand_built() -> dict[str, Path]:
    out = {}
    for y in sorted((REPO / "scenarios").glob("*.yaml")):
        data = yaml.safe_load(y.read_text(encoding="utf-8")) or {}
        if data.get("plan") in SEED.values() and "extends" not in data:
            out.setdefault(data["plan"], y)
    return out


def _table_rows(yaml_path: Path, table: str) -> list[dict]:
    data = yaml.safe_load(yaml_path.read_text(encoding="utf-8"))
    paths = (data.get("tables") or {}).get(table) or []
    rows = []
    for p in paths if isinstance(paths, list) else [paths]:
        with open(yaml_path.parent / p, encoding="utf-8-sig", newline="") as f:
            rows += list(csv.DictReader(f))
    return rows


def _cited(source: str, plan: str) -> set[int]:
    return {int(n) for n in re.findall(re.escape(plan) + r":(\d+)", source or "")}


@needs_seeds
def test_imported_values_agree_with_the_hand_built_scenarios(imported):
    """Keyed by the YAML's `plan:` field: grows as the Chuxiong, Changsha, Hunan, Hubei scenarios land."""
    by_plan = {SEED[k]: res for k, res in imported.items()}
    built = _hand_built()
    assert SEED["tongdao"] in built
    compared = {}
    for plan, yaml_path in built.items():
        res = by_plan[plan]
        hand = [t for t in _table_rows(yaml_path, "targets") if (t.get("main_table") or "").strip() == "yes"]
        n = 0
        for t in res.main.targets:
            if not t["value"]:
                continue
            lines = {int(t["source"].rsplit(":", 1)[1]), t["name_line"]}
            for h in hand:
                if _cited(h.get("source", ""), plan) & lines and str(h.get("year")) == str(t["year"]) \
                        and (h.get("value") or "").strip():
                    if _flat(h.get("unit") or "") == _flat(t["unit"]):
                        assert float(h["value"]) == pytest.approx(float(t["value"])), (yaml_path.name, h["id"], t)
                        n += 1
        hand_p = _table_rows(yaml_path, "projects")
        for p in res.projects.projects:
            line = int(p["source"].split(";")[0].rsplit(":", 1)[1])
            for h in hand_p:
                if line in _cited(h.get("source", ""), plan):
                    mine = parse_money(p["investment_total"], p["money_unit"])
                    theirs = parse_money(h["investment_total"], h.get("money_unit") or None)
                    assert mine == pytest.approx(theirs), (yaml_path.name, h["id"], p["id"])
                    n += 1
        compared[plan] = n
    assert compared[SEED["tongdao"]] >= 12 + 15     # every numeric main indicator and every project of Tongdao


# ----------------------------------------------------------------------------- damaged text (synthetic, invented figures)
CLEAN = """示例县民政事业发展规划（测试用，数字为虚构）
第一章 发展基础
“十三五”期间，全县建成养老机构5所，养老床位800张。
第二章 总体要求
“十四五”示例县民政事业发展主要指标
\t序号
\t指标
\t单位
\t2025年目标值
\t属性

\t1
\t养老机构护理型床位占比
\t%
\t≥55
\t约束性

\t2
\t社会工作专业人才总量
\t人
\t120
\t预期性

\t3
\t乡镇（街道）范围具备综合功能的养老服务机构覆盖率
\t%
\t60
\t预期性

到2025年，全县社区日间照料机构覆盖率达到90%，乡镇（街道）未成年人保护工作站覆盖率达到
50%。
附：示例县重点建设项目表
\t序号
\t项目名称
\t建设地点
\t建设性质
\t建设内容及规模
\t计划总投资（亿元）
\t“十四五”计划投资
\t目前进展

\t一、老年人福利类项目（2个）
\t
\t
\t

\t1
\t甲镇敬老院改扩建
\t甲镇
\t改扩建
\t新增养老床位120张。
\t0.3
\t0.3
\t规划阶段

\t2
\t特殊困难老年人家庭适老化改造
\t全县
\t新建
\t800户特殊困难老年人家庭适老化改造。
\t0.05
\t0.05
\t规划阶段

\t合计
\t2
\t
\t
\t0.35
\t0.35
"""


def _damage(kind: str) -> str:
    t = CLEAN
    if kind == "split_cell":
        t = t.replace("\t乡镇（街道）范围具备综合功能的养老服务机构覆盖率\n", "\t乡镇（街道）范围具备综合功能\n的养老服务机构覆盖率\n")
        t = t.replace("\t特殊困难老年人家庭适老化改造\n", "\t特殊困难老年人家庭\n适老化改造\n")
    elif kind == "page_marker":
        t = t.replace("\t约束性\n\n", "\t约束性\n\n- 12 -\n\n")
        t = t.replace("\t人\n\t120\n", "\t人\n第 13 页\n\t120\n")
        t = t.replace("\t甲镇\n", "\t甲镇\n\f\n— 14 —\n")
    elif kind == "full_width":
        t = t.translate(str.maketrans("0123456789%", "０１２３４５６７８９％"))
    elif kind == "missing_serial":
        t = t.replace("\t2\n\t社会工作专业人才总量\n", "\t社会工作专业人才总量\n")
        t = t.replace("\t2\n\t特殊困难老年人家庭适老化改造\n", "\t特殊困难老年人家庭适老化改造\n")
    elif kind == "blank_inside_row":
        t = t.replace("\t60\n\t预期性\n", "\t60\n\n\t预期性\n")
    elif kind == "row_per_line":
        rows = [["序号", "指标", "单位", "2025年目标值", "属性"], ["1", "养老机构护理型床位占比", "%", "≥55", "约束性"],
                ["2", "社会工作专业人才总量", "人", "120", "预期性"],
                ["3", "乡镇（街道）范围具备综合功能的养老服务机构覆盖率", "%", "60", "预期性"]]
        table = "\n".join("\t".join(r) for r in rows)
        table = table.replace("具备综合功能的", "具备综合功能\n的")       # a cell broken over two lines
        start = t.index("\t序号")
        end = t.index("到2025年")
        t = t[:start] + table + "\n\n" + t[end:]
    return t


def _read(tmp_path: Path, text: str, name: str = "plan.txt"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p, analyse(p)


@pytest.mark.parametrize("kind", ["clean", "split_cell", "page_marker", "full_width", "missing_serial",
                                  "blank_inside_row", "row_per_line"])
def test_damaged_text_reads_the_same(tmp_path, kind):
    path, res = _read(tmp_path, _damage(kind))
    lines = _lines(path)
    main = [(t["name_zh"], t["comparator"], t["value"], t["unit"], t["binding"]) for t in res.main.targets]
    assert main == [("养老机构护理型床位占比", ">=", "55", "%", "binding"),
                    ("社会工作专业人才总量", ">=", "120", "人", "indicative"),
                    ("乡镇(街道)范围具备综合功能的养老服务机构覆盖率", ">=", "60", "%", "indicative")]
    assert res.main.targets[0]["quantity"] == "nursing_bed_share"
    for r in res.targets + res.projects.projects + res.projects.outputs:
        no = int(r["source"].split(";")[0].rsplit(":", 1)[1])
        assert _flat(r["printed"]) in _flat(lines[no - 1]), (kind, r)
    if kind != "row_per_line":
        assert [(p["name_zh"], p["investment_total"], p["money_unit"]) for p in res.projects.projects] == [
            ("甲镇敬老院改扩建", "0.3", "亿元"), ("特殊困难老年人家庭适老化改造", "0.05", "亿元")]
        assert [(o.get("beds"), o.get("households")) for o in res.projects.outputs] == [("120", None), (None, "800")]
        assert any(c.startswith("ok: the total row prints 0.35亿元") for c in res.projects.checks)
        assert any(c.startswith("ok: category 一") for c in res.projects.checks)
    prose = {(t["value"], t["unit"]) for t in res.prose.targets}
    assert {("90", "%"), ("50", "%")} <= prose           # "50%" is printed on the line after its sentence began
    fifty = next(t for t in res.prose.targets if t["value"] == "50")
    assert "未成年人保护工作站覆盖率" in fifty["name_zh"] and fifty["year"] == 2025
    assert fifty["source"].endswith(f":{next(i for i, ln in enumerate(lines, 1) if ln.startswith(('50%', '５０％')))}")
    facts = {(f["value"], f["unit"]) for f in res.base_facts}
    assert {("5", "所"), ("800", "张")} <= facts


def test_stated_counts_are_checked(tmp_path):
    text = CLEAN.replace("“十四五”示例县民政事业发展主要指标", "“十四五”示例县民政事业发展主要指标（共三项）")
    _, res = _read(tmp_path, text)
    assert any(c.startswith("ok: the main-indicator table says 共3项") for c in res.checks)
    _, res = _read(tmp_path, text.replace("（共三项）", "（共4项）"), "plan4.txt")
    assert any(c.startswith("MISMATCH: the main-indicator table says 共4项") and "3 rows read" in c for c in res.checks)


def test_missing_serial_is_noted(tmp_path):
    _, res = _read(tmp_path, _damage("missing_serial"))
    assert "序号 missing" in res.main.targets[1]["note"]


# ----------------------------------------------------------------------------- command line: errors and the skeleton
def _cli(*args, cwd=REPO):
    return subprocess.run([sys.executable, "run_sim.py", *map(str, args)], cwd=cwd, capture_output=True, text=True)


def test_errors_are_one_line_exit_2_nothing_written(tmp_path):
    out = tmp_path / "out"
    r = _cli("import-plan", tmp_path / "nope.txt", "--out", out)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "file not found" in r.stderr and "Traceback" not in r.stderr
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("主要指标".encode("gb18030"))
    r = _cli("import-plan", gbk, "--out", out)
    assert r.returncode == 2 and r.stderr.startswith(f"error: {gbk}:1: encoding: not UTF-8")
    assert not out.exists() and list(tmp_path.iterdir()) == [gbk]     # no folder, no hidden partial folder
    plan = tmp_path / "plan.txt"
    plan.write_text(CLEAN, encoding="utf-8")
    out.mkdir()
    (out / "mine.txt").write_text("a user's file", encoding="utf-8")
    r = _cli("import-plan", plan, "--out", out)
    assert r.returncode == 2 and "already exists" in r.stderr
    r = _cli("import-plan", plan, "--out", out, "--overwrite")      # not a folder import-plan wrote: refused
    assert r.returncode == 2 and (out / "mine.txt").read_text(encoding="utf-8") == "a user's file"


def test_skeleton_validates_and_overwrite_replaces_its_own_folder(tmp_path):
    plan = tmp_path / "plan.txt"
    plan.write_text(CLEAN, encoding="utf-8")
    out = tmp_path / "example_county"
    res = import_plan(plan, out)
    assert res.validate_ok, res.validate_lines
    names = {p.name for p in out.iterdir()}
    assert {"targets.csv", "projects.csv", "project_outputs.csv", "base_facts.csv", "IMPORT_REPORT.md",
            "example_county.yaml", "units.csv", "manifest.json"} <= names
    report = (out / "IMPORT_REPORT.md").read_text(encoding="utf-8")
    assert "`validate` accepts it as written" in report and "units.csv" in report
    with open(out / "units.csv", encoding="utf-8") as f:
        assert all(r["source"].startswith(("assumption:", "plan.txt:")) for r in csv.DictReader(f))
    (out / "targets.csv").write_text("changed", encoding="utf-8")
    again = import_plan(plan, out, overwrite=True)          # replaces the folder it wrote, whole
    assert len(again.main.targets) == 3 and (out / "targets.csv").read_text(encoding="utf-8").startswith("id,")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["example_county", "plan.txt"]   # no partial folders left


@needs_seeds
def test_readme_recovery_table_is_what_the_import_gives(imported):
    """The README's table of what each seed gives is the import's own output, not typed figures."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    labels = {"hunan": "000 Hunan province", "hubei": "001 Hubei province", "changsha": "002 Changsha city",
              "tongdao": "003 Tongdao county", "chuxiong": "004 Chuxiong prefecture"}
    t = imported["tongdao"]       # the printed output of the README's Tongdao import
    assert f"main indicators: {len(t.main.targets)} of {t.main.expected}\nprose and box targets: " \
           f"{len(t.prose.targets)}\n" in readme
    assert f"\nbase facts: {len(t.base_facts)}\n" in readme
    for key, res in imported.items():
        row = next(ln for ln in readme.splitlines() if ln.startswith(f"| {labels[key]} |"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        m = res.main
        assert cells[1] == (f"{len(m.targets)} / {m.expected}" if m.table else "no main-indicator table (reported)")
        assert cells[2] == str(len(res.prose.targets))
        found, hand = _hand_built_prose_recovered(key, res)
        assert cells[3] == f"{found} / {hand} ({100 * found / hand:.0f}%)"
        p = res.projects
        if p.table is None:
            assert cells[4].startswith("no key-project table")
        else:
            assert cells[4] == f"{len(p.projects)} / {p.stated_count}"
            total = sum(float(x["investment_total"]) for x in p.projects)
            assert cells[5] == f"{total:.2f}{p.money_unit} vs {p.stated_total[0]:.2f}{p.money_unit}"


def _hand_built_prose_recovered(key: str, res) -> tuple[int, int]:
    """(found, all) of the hand-built scenario's targets outside the main table due 2021 or later for
    which the import has a target citing one of the same seed lines with the same value (any value
    where the hand-built target is in words)."""
    with open(REPO / "scenarios" / key / "targets.csv", encoding="utf-8-sig", newline="") as f:
        hand = [h for h in csv.DictReader(f) if (h.get("main_table") or "no") != "yes" and int(h["year"]) >= 2021]

    def same(t: dict, h: dict) -> bool:
        try:
            return not h["value"] or float(t["value"]) == float(h["value"])
        except (TypeError, ValueError):
            return False

    found = 0
    for h in hand:
        lines = _cited(h["source"], SEED[key])
        found += any(int(t["source"].split(";")[0].rsplit(":", 1)[1]) in lines and same(t, h) for t in res.prose.targets)
    return found, len(hand)


@needs_seeds
def test_tongdao_prose_targets_found_on_the_hand_built_lines(imported):
    """27 of the hand-built scenario's 49 prose and box targets (README): same line, same value."""
    found, hand = _hand_built_prose_recovered("tongdao", imported["tongdao"])
    assert found >= 27, (found, hand)


@needs_seeds
def test_tongdao_review_figures_of_the_hand_built_base_facts_are_imported(imported):
    """A hand-built base fact citing one review line on which its value is printed is imported from that
    line with that value (the others are derived: 2乡9镇 -> 11, or cite several lines)."""
    lines = _lines(SEEDS / SEED["tongdao"])
    mine: dict[int, set[float]] = {}
    for f in imported["tongdao"].base_facts:
        mine.setdefault(int(f["source"].split(";")[0].rsplit(":", 1)[1]), set()).add(float(f["value"]))
    with open(REPO / "scenarios" / "tongdao" / "base_facts.csv", encoding="utf-8-sig", newline="") as f:
        hand = list(csv.DictReader(f))
    found, missed = 0, []
    for h in hand:
        cited = _cited(h["source"], SEED["tongdao"])
        if len(cited) != 1:
            continue
        (no,) = cited
        if no >= 290 or f"{float(h['value']):g}" not in _flat(lines[no - 1]):
            continue                    # after the review, or a derived value
        if float(h["value"]) in mine.get(no, set()):
            found += 1
        else:
            missed.append((no, h["id"], h["value"]))
    assert found >= 112 and len(missed) <= 3, missed


def test_money_stays_in_its_printed_unit(tmp_path):
    """A 万元 header, a cell printing its own unit, and a total row in 万元 (invented figures)."""
    text = (CLEAN.replace("\t计划总投资（亿元）", "\t总投资（万元）").replace("\t“十四五”计划投资", "\t“十四五”投资（万元）")
            .replace("\t0.3\n\t0.3\n", "\t3000\n\t2500万元\n").replace("\t0.05\n\t0.05\n", "\t500\n\t500\n")
            .replace("\t0.35\n\t0.35\n", "\t3500\n\t3000\n"))
    _, res = _read(tmp_path, text)
    got = [(p["investment_total"], p["investment_plan"], p["money_unit"]) for p in res.projects.projects]
    assert got == [("3000", "2500", "万元"), ("500", "500", "万元")]
    assert any(c.startswith("ok: the total row prints 3500万元 as the total investment") for c in res.projects.checks)
    assert any(c.startswith("ok: the total row prints 3000万元 as the plan-period investment") for c in res.projects.checks)


# ------------------------------------------------- a content cell of Tongdao's project table split over two lines
def _tongdao_split(line: str, at: str) -> str:
    """The Tongdao seed with its line ``line`` (as printed, without the tab) broken after ``at``, the
    continuation without a tab, as PDF-to-text conversion leaves a long cell."""
    text = (SEEDS / SEED["tongdao"]).read_text(encoding="utf-8")
    whole = f"\t{line}\n"
    assert text.count(whole) == 1
    k = whole.index(at) + len(at)
    return text.replace(whole, whole[:k] + "\n" + whole[k:])


_SPLITS = {
    # line 609: the continuation ends in 。
    "s609": ("新增养老床位200张，社区日间照料养老床位覆盖率达到90%以上。", "社区日间照料"),
    # line 600: the continuation is longer than 30 characters and ends in 。
    "s600": ("3000户特殊困难老年人家庭实施适老化改造，满足老年人日常生活需求。", "3000户特殊困难"),
    # line 555: a 137-character continuation
    "s555long": ("打造多个公办社区养老服务机构组网建设运营，单个机构建设（含新建、改扩建）床位不少于30张护理型床位，"
                 "床均面积控制在30—40平方米之间，投资按每床位12万元测算，不足12万元的按实际计算。各社区为老年人提供集"
                 "健康管理、生活照料、保健康复、休闲养生、膳食供应、精神慰藉、文化娱乐、教育咨询、信息化建设等服务为一体的"
                 "综合养老服务设施。建设162个养老服务平台，推进全县居家养老服务全面规范化发展。", "床均面积控制在30"),
}


@needs_seeds
@pytest.mark.parametrize("case", sorted(_SPLITS))
def test_tongdao_content_cell_split_over_two_lines_reads_the_same(tmp_path, imported, case):
    line, at = _SPLITS[case]
    path, res = _read(tmp_path, _tongdao_split(line, at), f"{case}.txt")
    lines = _lines(path)
    clean = imported["tongdao"].projects
    key = lambda p: (p["id"], p["name_zh"], p["investment_total"], p["investment_plan"], p["content_zh"])
    assert len(res.projects.projects) == 15
    assert [key(p) for p in res.projects.projects] == [key(p) for p in clean.projects]
    assert round(sum(float(p["investment_total"]) for p in res.projects.projects), 6) == 17.47
    assert [(o["id"], o["printed"]) for o in res.projects.outputs] == [(o["id"], o["printed"]) for o in clean.outputs]
    assert any(c.startswith("ok: the total row prints 17.47亿元 as the total investment") for c in res.projects.checks)
    assert any(c.startswith("ok: the total row prints 15 projects") for c in res.projects.checks)
    assert not any("row not read" in p.what or "ends early" in p.what for p in res.projects.problems)
    for r in res.projects.projects + res.projects.outputs:
        for src in r["source"].split("; "):
            no = int(src.rsplit(":", 1)[1])
            assert _flat(r["printed"]) in _flat(lines[no - 1]), (case, r)


@needs_seeds
def test_a_project_table_ending_early_names_the_lines_not_read(tmp_path):
    """A line of prose before category 三 ends the table: the report says so and lists what follows."""
    text = (SEEDS / SEED["tongdao"]).read_text(encoding="utf-8")
    text = text.replace("\t三、城乡社区治理类项目（1个）\n",
                        "以下项目由县民政局会同相关部门根据年度财政预算统筹安排，分年度组织实施。\n\n\t三、城乡社区治理类项目（1个）\n")
    _, res = _read(tmp_path, text)
    assert len(res.projects.projects) == 9
    (early,) = [p for p in res.projects.problems if "ends early" in p.what]
    for cat in ("三、", "四、", "五、", "六、"):
        assert cat in early.what
    assert "were not read" in early.what and "a total row" in early.what
