"""Charts, the HTML report and the XLSX workbook (issue 11 items 4-5)."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pytest

from sim.cli import main
from sim.loader import load_scenario
from sim.reports.tables import load_folder
from sim.run import RunOptions
from sim.study import StudyOptions, run_study

from conftest import REPO

SCEN = REPO / "scenarios"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("cmp") / "cmp"
    run_study(SCEN / "tongdao.yaml", [SCEN / "tongdao_budget_cut.yaml"], RunOptions(replications=30, seed=4),
              StudyOptions(slack_step=12), out)
    return out


@pytest.fixture(scope="module")
def targets():
    return load_scenario(SCEN / "tongdao.yaml").rows("targets")


def test_charts_have_every_glyph_and_are_not_blank(folder):
    import matplotlib.image as mpimg

    from sim import charts
    data = load_folder(folder)
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # "Glyph ... missing from font(s)" is a UserWarning
        figs = charts.render_all(data)
        keys = {k.split("_")[0] for k, _, _ in figs}
        assert keys == {"fan", "capacity", "gantt", "budget", "slack", "tornado", "differences"}
        for key, _, fig in figs:
            img = mpimg.imread(io.BytesIO(charts.png(fig)), format="png")
            assert img.shape[0] > 100 and img.shape[1] > 100, key
            assert float(np.std(img[..., :3])) > 0.02, f"{key} looks blank"


def test_workbook_has_the_promised_sheets_and_every_target(folder, targets):
    from openpyxl import load_workbook
    wb = load_workbook(folder / "report.xlsx", read_only=False)
    for name in ("Targets 目标", "Indicators 指标", "Projects 项目", "Budget 资金", "Townships 乡镇", "Comparison 比较",
                 "Slack 进度余量", "Tornado 敏感性", "Assumptions 假设"):
        assert name in wb.sheetnames, name
    ws = wb["Targets 目标"]
    assert ws.freeze_panes == "A3"   # a note row, then the frozen header
    ids = {ws.cell(row=r, column=1).value for r in range(3, ws.max_row + 1)}
    assert {t.id for t in targets} <= ids
    header = [c.value for c in ws[2]]
    p = header.index("p_met") + 1
    assert any(ws.cell(row=r, column=p).number_format == "0.0%" for r in range(3, ws.max_row + 1))
    assert wb["Assumptions 假设"].max_row > 50   # every parameter, with its source column
    assert "source" in [c.value for c in wb["Assumptions 假设"][2]]


def test_html_is_self_contained_and_names_every_target(folder, targets):
    text = (folder / "report.html").read_text(encoding="utf-8")
    for t in targets:
        assert t.id in text and t.name_zh in text, t.id
    assert "Content-Security-Policy" in text and "@font-face" in text and "data:font/woff;base64," in text
    for attr in ('src="http', "src='http", 'href="http', "href='http", "url(http", "@import"):
        assert attr not in text


def _page_requests(page: Path, netlog: Path) -> list[str]:
    """URLs the page itself asked for (the browser's own background requests are 'not an origin')."""
    subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    f"--log-net-log={netlog}", "--virtual-time-budget=3000", "--dump-dom", page.as_uri()],
                   capture_output=True, timeout=180, check=False)
    log = json.loads(netlog.read_text(encoding="utf-8"))
    names = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    out = []
    for e in log["events"]:
        p = e.get("params") or {}
        if names.get(e["type"]) == "URL_REQUEST_START_JOB" and p.get("initiator") != "not an origin":
            url = p.get("url", "")   # end-phase events carry no url
            if url and not url.startswith(("data:", "file:")):
                out.append(url)
    return out


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin/chromium "
                    "(apt-get install chromium) - the zero-request check needs a real browser")
def test_html_opens_in_headless_chromium_with_zero_outside_requests(folder, tmp_path):
    control = tmp_path / "control.html"   # the check must be able to fail: a page that does fetch
    control.write_text('<html><body><img src="http://example.invalid/x.png"></body></html>', encoding="utf-8")
    assert _page_requests(control, tmp_path / "control.json"), "the net-log check sees no request at all"
    page = tmp_path / "report.html"
    shutil.copy(folder / "report.html", page)
    assert _page_requests(page, tmp_path / "net.json") == []


def test_report_command_rebuilds_from_the_folder(folder, tmp_path, capsys):
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    (copy / "report.html").unlink()
    (copy / "report.xlsx").unlink()
    assert main(["report", str(copy)]) == 0
    assert (copy / "report.html").is_file() and (copy / "report.xlsx").is_file()
    assert main(["report", str(tmp_path / "nothing")]) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_run_writes_both_reports(tmp_path):
    out = tmp_path / "run"
    assert main(["run", str(SCEN / "tongdao.yaml"), "-n", "3", "--out", str(out)]) == 0
    assert (out / "report.html").is_file() and (out / "report.xlsx").is_file()
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {"report.html", "report.xlsx", "budget.csv", "assumptions.csv"} <= set(man["files"])
    maps = sorted(p.stem for p in out.glob("map_*.png"))          # drawn before the reports
    page = (out / "report.html").read_text(encoding="utf-8")
    assert maps and all(f'alt="{m}" src="data:image/png;base64,' in page for m in maps)
