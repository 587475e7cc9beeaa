"""The public API: the layers composed into the calls a user (and every command) makes.

The experiments layer writes a results folder's tables and records; figures and the HTML
report belong to the layers above it. The functions here join them, with the options a
user knows (``figures``, ``html_report``), and hand everything else to the experiments
function of the same name:

* :func:`run_scenario` - :func:`simulator.experiments.run.run_scenario`
* :func:`compare` - :func:`simulator.experiments.compare.compare`
* :func:`run_sweep`, :func:`merge_sweeps` - :mod:`simulator.experiments.sweep`
* :func:`staff_scenario` - :func:`simulator.experiments.staffing.plan_staffing` and its folder

``from simulator import run_scenario`` is this module's :func:`run_scenario`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.experiments import run as _run
from simulator.report.artifacts import FiguresAndReport
from simulator.report.fit_report import FitFiguresAndReport

if TYPE_CHECKING:
    from simulator.experiments.compare import CompareOutput
    from simulator.experiments.fitting.backtest import BackTest
    from simulator.experiments.fitting.fit import FitResult
    from simulator.experiments.run import RunOutput
    from simulator.experiments.staffing import StaffingOutput
    from simulator.experiments.sweep import SweepOutput
    from simulator.scenario.loader import LoadedScenario

__all__ = ["compare", "fit_folder", "merge_sweeps", "run_scenario", "run_sweep",
           "staff_scenario"]


def run_scenario(loaded: LoadedScenario, out_dir: Path, *, figures: bool = True,
                 html_report: bool = False, **options: Any) -> RunOutput:
    """Simulate a scenario and write its results folder, figures and (optionally) report.

    Parameters
    ----------
    loaded : LoadedScenario
        From :func:`simulator.load_scenario`.
    out_dir : Path
        Results folder to create (must not exist or be empty unless ``force=True``).
    figures : bool
        Draw the figures into ``figures/``.
    html_report : bool
        Write ``report.html`` (without its by-hour figures when ``figures`` is false).
    **options
        Every other option of :func:`simulator.experiments.run.run_scenario`
        (``replications``, ``seed``, ``jobs``, ``records``, ``records_format``, ``force``,
        ``on_result``, ``precision``, ...).

    Examples
    --------
    >>> from simulator import load_scenario, run_scenario
    >>> out = run_scenario(load_scenario("scenarios/classroom_bank.yaml"),
    ...                    "results/bank", replications=5)  # doctest: +SKIP
    """
    return _run.run_scenario(loaded, out_dir, artifacts=FiguresAndReport(figures, html_report),
                             **options)


def compare(*args: Any, figures: bool = True, html_report: bool = False,
            **options: Any) -> CompareOutput:
    """Compare a baseline with variants on common random numbers
    (:func:`simulator.experiments.compare.compare`), with the differences figure and
    (optionally) ``report.html``."""
    from simulator.experiments import compare as _compare  # SciPy's stats, only when used

    return _compare.compare(*args, artifacts=FiguresAndReport(figures, html_report), **options)


def run_sweep(*args: Any, figures: bool = True, html_report: bool = False,
              **options: Any) -> SweepOutput:
    """Run (or resume) a sweep (:func:`simulator.experiments.sweep.run_sweep`), with its
    figures and (optionally) ``report.html``."""
    from simulator.experiments import sweep as _sweep

    return _sweep.run_sweep(*args, artifacts=FiguresAndReport(figures, html_report), **options)


def merge_sweeps(*args: Any, figures: bool = True, html_report: bool = False,
                 **options: Any) -> SweepOutput:
    """Join shard folders of one sweep (:func:`simulator.experiments.sweep.merge_sweeps`),
    with its figures and (optionally) ``report.html``."""
    from simulator.experiments import sweep as _sweep

    return _sweep.merge_sweeps(*args, artifacts=FiguresAndReport(figures, html_report),
                               **options)


def staff_scenario(loaded: LoadedScenario, groups: list[str], out_dir: Path | None = None, *,
                   figures: bool = True, html_report: bool = True, force: bool = False,
                   **options: Any) -> StaffingOutput:
    """Staff groups per interval, plan shifts, verify, and (with ``out_dir``) write the folder.

    Parameters
    ----------
    loaded : LoadedScenario
        From :func:`simulator.load_scenario`.
    groups : list of str
        Staff groups to staff.
    out_dir : Path, optional
        Write ``servsim staff``'s folder there (atomically); None returns the tables only.
    figures, html_report : bool
        Draw the figures and write ``report.html`` into the folder.
    force : bool
        Replace a non-empty ``out_dir``.
    **options
        Every option of :func:`simulator.experiments.staffing.plan_staffing`
        (``targets``, ``interval_min``, ``replications``, ``jobs``, ``frontier``, ...).

    Examples
    --------
    >>> from simulator import load_scenario, staff_scenario
    >>> out = staff_scenario(load_scenario("scenarios/government_hall.yaml"), ["clerks"],
    ...                      "results/hall-staff", jobs=2)  # doctest: +SKIP
    >>> out.shifts  # doctest: +SKIP
    """
    import time

    from simulator.experiments.staffing import plan_staffing
    from simulator.experiments.staffing.folder import write_folder

    t0 = time.perf_counter()
    if out_dir is not None and Path(out_dir).exists() and any(Path(out_dir).iterdir()) \
            and not force:
        raise FileExistsError(f"{out_dir} exists and is not empty (use force=True to replace it)")
    output = plan_staffing(loaded, groups, **options)
    if out_dir is not None:
        write_folder(output, Path(out_dir), force=force,
                     artifacts=FiguresAndReport(figures, html_report),
                     backend=options.get("backend", "inprocess"), jobs=options.get("jobs", 1),
                     started_s=t0)
    return output


def fit_folder(result: FitResult, out_dir: Path, *, figures: bool = True,
               html_report: bool = True, **options: Any) -> BackTest | None:
    """Write a fit's folder (:func:`simulator.experiments.fitting.fit.write_fit`) with its
    figures and ``fit_report.html``; ``validate=True`` adds the back-test.

    Examples
    --------
    >>> from simulator import fit_log
    >>> res = fit_log("scenarios/examples/hall_ticket_log.csv")  # doctest: +SKIP
    >>> fit_folder(res, "results/hall-fit", validate=True)  # doctest: +SKIP
    """
    from simulator.experiments.fitting.fit import write_fit

    return write_fit(result, Path(out_dir),
                     artifacts=FitFiguresAndReport(figures, html_report), **options)
