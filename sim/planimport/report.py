"""IMPORT_REPORT.md: what was read, what was not and why (with lines), the checks, what to fill in."""

from __future__ import annotations

from .figures import fmt


def _table(rows: list[list[str]], header: list[str]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(str(c).replace("|", "/") for c in r) + " |" for r in rows]
    return out


def summary_row(res) -> dict:
    """The figures of the README's recovery table for one import."""
    m, p = res.main, res.projects
    stated_total = getattr(p, "stated_total", None)
    return {
        "plan": res.plan.name,
        "main_found": len(m.targets),
        "main_expected": m.expected,
        "prose": len(res.prose.targets),
        "projects_found": len(p.projects),
        "projects_expected": getattr(p, "stated_count", None),
        "investment_sum": fmt(round(sum(float(x["investment_total"]) for x in p.projects), 6)) if p.projects else "",
        "investment_stated": fmt(stated_total[0]) if stated_total else "",
        "money_unit": p.money_unit,
        "base_facts": len(res.base_facts),
    }


def build_report(res) -> str:
    plan, m, p, pr, bf = res.plan, res.main, res.projects, res.prose, res.basefacts
    s = summary_row(res)
    L = [f"# Import report: {plan.name}", "",
         f"Read by `run_sim.py import-plan` from `{plan.name}` ({len(plan.lines)} lines, sha256 {res.sha256[:16]}). "
         "Every imported row cites `<file>:<line>`, the line on which its figure is printed (column `printed`). "
         "Rules: sim/planimport/ (docs/import.md).", "",
         "## What was read", ""]
    rows = [
        ["main indicators (主要指标)", f"{s['main_found']}" + (f" of {s['main_expected']} rows printed" if s["main_expected"]
                                                             else ""),
         f"lines {m.table.first_line}-{m.table.last_line}" if m.table else "no table found"],
        ["targets in prose and boxes (专栏)", str(s["prose"]), f"{pr.sentences_seen} forward-looking sentences read"],
        ["key projects (重点项目表)", f"{s['projects_found']}" + (f" of {s['projects_expected']} stated"
                                                                if s["projects_expected"] is not None else ""),
         (f"lines {p.table.first_line}-{p.table.last_line}; investments sum to {s['investment_sum']}{s['money_unit']}"
          + (f", the table states {s['investment_stated']}{s['money_unit']}" if s["investment_stated"] else ""))
         if p.table else "no table found"],
        ["project capacities (from the content column)", str(len(p.outputs)), f"{len(p.skipped_capacities)} figures "
                                                                                 "skipped (norms, bounds)"],
        ["base facts (十三五 review and its tables)", str(s["base_facts"]), "; ".join(bf.tables_read) or "no review table"],
    ]
    L += _table(rows, ["what", "rows", "where"])
    L += ["", "## Checks", ""]
    checks = list(res.checks) + list(p.checks)
    L += [f"- {c}" for c in checks] or ["- (none applicable)"]
    L += ["", "## Not read, and why", ""]
    probs = [(x.line, x.what) for x in m.problems + p.problems]
    if probs:
        L += [f"- {'line ' + str(line) if line else 'plan'}: {what}" for line, what in probs]
    else:
        L += ["- every row of the tables found was read"]
    if pr.skipped:
        L += ["", "Figures in forward-looking sentences not read as targets:", ""]
        L += [f"- line {line}: {what}" for line, what in pr.skipped]
    if p.skipped_capacities:
        L += ["", "Figures in the project content not read as capacities:", ""]
        L += [f"- line {line}: {what}" for line, what in p.skipped_capacities]
    if bf.skipped:
        L += ["", "Tables of the review not read:", ""]
        L += [f"- line {line}: {what}" for line, what in bf.skipped]
    L += ["", "## The scenario skeleton", "",
          f"`{res.name}.yaml` with the tables above and placeholders for what the plan does not contain. "
          + ("`validate` accepts it as written: the placeholders are marked `assumption:`; replace them before "
             "trusting a verdict." if res.validate_ok else
             "`validate` does not accept it yet:"), ""]
    if not res.validate_ok:
        L += [f"    {ln}" for ln in res.validate_lines[:30]] + [""]
    L += ["What you must fill in (the plan does not say it):", ""]
    L += [f"- {t}" for t in res.todo]
    L += ["", "## Imported rows", "",
          "`targets.csv` (main indicators `M..`, prose and box targets `S...`), `projects.csv`, "
          "`project_outputs.csv`, `base_facts.csv`. Proposed quantities and facility types are proposals "
          "(the row's note says so): check them.", ""]
    L += _table([[t["id"], t["name_zh"], t["comparator"] or "", t["value"] or t["value_text"], t["unit"], t["year"],
                  t["binding"], t.get("quantity") or "tracked", t["source"]] for t in m.targets],
                ["id", "indicator", "cmp", "value", "unit", "year", "attribute", "quantity", "source"])
    if p.projects:
        L += [""]
        L += _table([[x["id"], x["name_zh"], x["site_zh"], x["investment_total"] + x["money_unit"],
                      x["facility_type"] or "(choose)", x["source"]] for x in p.projects],
                    ["id", "project", "site", "investment", "facility type", "source"])
    return "\n".join(L) + "\n"
