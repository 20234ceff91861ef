"""The `compare` command end to end: run a base and its variants with common random numbers, add the
schedule-slack and tornado analyses of the base, write one results folder whole or not at all.

Folder layout (CSV in UTF-8 with BOM, as every results folder):

    compare_targets.csv    per scenario, target and year: P(met), shortfall, paired difference from the base
    compare_projects.csv   per scenario and project: completion quantiles and their difference
    slack.csv              per computed target of the base and shift: P(met) in the target's year
    slack_summary.csv      per target: feeding projects, latest shift and planned completion with P(met) >= level
    tornado.csv            per binding target: change in P(met) per project delayed a year / source cut 30%
    budget.csv             per scenario, funding source and year: envelope, available, spend (yuan)
    indicators.csv, projects.csv, capacity.csv   every scenario's run tables, stacked (``scenario`` column)
    assumptions.csv        every parameter of the base with its source
    summary.json           the base's targets in their years; comparison.json: methods, options, timings
    report.html, report.xlsx, manifest.json
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path

from .compare import Comparison, compare
from .experiment import Experiment
from .loader import Scenario
from .outputs import MANIFEST, atomic_folder, list_files, write_csv, write_json
from .paired import METHOD_MEAN, METHOD_PAIRED, METHOD_UNPAIRED
from .run import RunOptions, manifest


@dataclass
class StudyOptions:
    level: float = 0.95              # confidence level of the paired intervals
    slack: bool = True
    slack_level: float = 0.8         # P(met) a safe schedule must reach
    slack_min: int = -24             # months
    slack_max: int = 12
    slack_step: int = 6
    tornado: bool = True
    tornado_delay_months: int = 12
    tornado_cut: float = 0.3
    reports: bool = True
    seconds: dict = field(default_factory=dict)


def run_study(base_path: Path, variant_paths: list[Path], opt: RunOptions, sopt: StudyOptions, out: Path,
              overwrite: bool = False, argv: list[str] | None = None) -> Comparison:
    t0 = time.perf_counter()
    from .domains import validate_scenario
    from .outputs import check_destination

    check_destination(out, overwrite)  # refuse before computing, not after
    base = validate_scenario(base_path)  # the complete check of `validate` and `run`
    variants = [validate_scenario(p) for p in variant_paths]
    exp = Experiment(opt)
    comp = compare(base, variants, exp, sopt.level)
    sopt.seconds["compare"] = time.perf_counter() - t0
    slack = tornado = None
    if sopt.slack:
        from .slack import slack_analysis
        t = time.perf_counter()
        slack = slack_analysis(exp, base, level=sopt.slack_level, shifts=range(sopt.slack_min, sopt.slack_max + 1, sopt.slack_step),
                               base_result=comp.results[base.id])
        sopt.seconds["slack"] = time.perf_counter() - t
    if sopt.tornado:
        from .tornado import tornado_analysis
        t = time.perf_counter()
        tornado = tornado_analysis(exp, base, delay_months=sopt.tornado_delay_months, cut=sopt.tornado_cut,
                                   base_result=comp.results[base.id])
        sopt.seconds["tornado"] = time.perf_counter() - t
    sopt.seconds["runs"] = exp.runs
    with atomic_folder(out, overwrite=overwrite) as tmp:
        write_comparison(comp, slack, tornado, base, opt, sopt, tmp, argv,
                         [str(base_path)] + [str(p) for p in variant_paths])
    return comp


def write_comparison(comp: Comparison, slack, tornado, base: Scenario, opt: RunOptions, sopt: StudyOptions,
                     folder: Path, argv: list[str] | None, scenario_files: list[str]) -> None:
    """Every table of the comparison, long with a ``scenario`` column, then the reports and the manifest."""
    import pandas as pd

    from .reports.tables import assumptions, report_meta

    write_csv(folder / "compare_targets.csv", comp.targets)
    write_csv(folder / "compare_projects.csv", comp.projects)
    write_csv(folder / "budget.csv", comp.spend)
    if slack is not None:
        write_csv(folder / "slack.csv", slack.curves)
        write_csv(folder / "slack_summary.csv", slack.summary)
    if tornado is not None:
        write_csv(folder / "tornado.csv", tornado)
    results = list(comp.results.values())
    write_csv(folder / "indicators.csv", pd.concat([r.indicators for r in results], ignore_index=True))
    write_csv(folder / "projects.csv", pd.concat([r.projects for r in results], ignore_index=True))
    write_csv(folder / "capacity.csv", pd.concat([r.capacity.assign(scenario=r.scenario.id) if "scenario" not in
                                                  r.capacity.columns else r.capacity for r in results],
                                                 ignore_index=True))
    write_csv(folder / "assumptions.csv", assumptions(base))
    write_json(folder / "report_meta.json", report_meta(base))
    base_result = comp.results[comp.base]
    base_summary = {"scenario": base.id, "name": base.name, "replications": opt.replications, "seed": opt.seed,
                    "targets": base_result.summary}
    write_json(folder / "summary.json", base_summary)
    write_json(folder / "comparison.json", {
        "base": comp.base, "scenarios": comp.scenarios,
        "names": {sid: r.scenario.name for sid, r in comp.results.items()},
        "scenario_files": scenario_files, "seed": opt.seed, "replications": opt.replications, "policy": opt.policy,
        "common_random_numbers": "same seed: replication r of every scenario uses the same draws "
                                 "(named streams, sim.parameters.stream); population draws shared",
        "confidence_level": sopt.level, "method_p_met": METHOD_PAIRED, "method_unpaired": METHOD_UNPAIRED,
        "method_shortfall": METHOD_MEAN,
        "slack": {"level": sopt.slack_level, "shifts_months": [sopt.slack_min, sopt.slack_max, sopt.slack_step]}
        if sopt.slack else None,
        "tornado": {"delay_months": sopt.tornado_delay_months, "cut": sopt.tornado_cut} if sopt.tornado else None,
        "seconds": {k: round(v, 2) if isinstance(v, float) else v for k, v in sopt.seconds.items()},
    })
    if sopt.reports:
        from .reports import build_reports
        build_reports(folder)
    m = manifest(base_result, argv, list_files(folder))
    m.update({"kind": "comparison", "scenarios": comp.scenarios, "scenario_files": scenario_files})
    write_json(folder / MANIFEST, m)
