"""``servsim warmup``: suggest a steady-state warm-up by Welch's method and MSER-5, with a figure.

The command only parses, runs the pilot study (:mod:`simulator.experiments.warmup`), calls the
rules of :mod:`simulator.measures.warmup`, draws :mod:`simulator.figures.warmup` and shows the
result. It is registered on the ``servsim`` group by :mod:`simulator.cli.main`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from simulator.cli.errors import fail_scenario
from simulator.cli.params import FiniteFloatRange
from simulator.experiments.warmup import pilot_series, steady_state_variant
from simulator.figures.warmup import warmup_figure
from simulator.measures.warmup import SERIES, SERIES_LABELS, suggest_warmup
from simulator.scenario.loader import ScenarioError, load_scenario

__all__ = ["warmup"]


@click.command(context_settings={"show_default": True, "help_option_names": ["-h", "--help"]})
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("-n", "--replications", type=click.IntRange(min=1), default=None,
              help="pilot replications [default: the scenario's run.replications]")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="seed [default: the scenario's run.seed]")
@click.option("--length-min", type=FiniteFloatRange(min=0, min_open=True), default=None,
              help="pilot run length, minutes [default: the scenario's run.length_min]")
@click.option("--interval-min", type=FiniteFloatRange(min=0, min_open=True), default=10.0,
              help="observation interval, minutes")
@click.option("--series", "kind", type=click.Choice([s.replace("_", "-") for s in SERIES]),
              default="in-system",
              help="observation per interval: time-average customers in system, time-average "
              "customers waiting in lines, or mean wait of customers arriving in it")
@click.option("--window", type=click.IntRange(min=0), default=None,
              help="Welch half-width w in intervals [default: intervals // 30, at least 1]")
@click.option("--tolerance", type=FiniteFloatRange(min=0, min_open=True), default=0.05,
              help="Welch band around the long-run level, relative (never narrower than the "
              "curve's steady-state standard deviation)")
@click.option("-o", "--out", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="figure file [default: results/<scenario>-warmup.png]")
@click.option("--json", "as_json", is_flag=True, help="print the results as JSON on stdout")
@click.option("-j", "--jobs", type=int, default=1,
              help="worker processes (1: in-process, -1: all cores); results do not depend "
              "on it")
@click.option("-q", "--quiet", is_flag=True, help="no progress bar")
def warmup(
    scenario: Path,
    replications: int | None,
    seed: int | None,
    length_min: float | None,
    interval_min: float,
    kind: str,
    window: int | None,
    tolerance: float,
    out: Path | None,
    as_json: bool,
    jobs: int,
    quiet: bool,
) -> None:
    """Suggest a warm-up for the steady-state study SCENARIO.

    Runs the study with no warm-up, observes one value per interval and replication, and
    applies Welch's moving-average method and MSER-5 (see docs/warmup.md). Prints both
    suggestions in minutes and draws the Welch curve and the MSER statistic. Service days
    (clock.close) are refused: they open empty, end when they drain, and need no warm-up.
    """
    try:
        loaded = load_scenario(scenario)
    except ScenarioError as exc:
        fail_scenario(exc)
        return
    sc = loaded.scenario
    if sc.terminating:
        raise click.ClickException(
            f"{scenario}: a service day (clock.close, no run.length_min) is a terminating "
            "simulation: it opens empty and ends when the day drains, so it needs no warm-up. "
            "`servsim warmup` is for steady-state studies (clock without close, "
            "run.length_min).")
    try:
        variant = steady_state_variant(sc, length_min=length_min)
    except ScenarioError as exc:
        fail_scenario(exc)
        return
    n = replications or sc.run.replications
    used_seed = seed if seed is not None else sc.run.seed
    length = float(variant.run.length_min or 0.0)
    intervals = int(length // interval_min + 1e-9)
    if intervals < 20:
        raise click.UsageError(f"the run has {intervals} intervals of {interval_min:g} min; "
                               "MSER-5 needs at least 20: shorten --interval-min or lengthen "
                               "--length-min")
    series = kind.replace("-", "_")
    if not quiet:
        click.echo(f"{sc.name}: {n} replications x {length:g} min, seed={used_seed}, no "
                   f"warm-up; series: {SERIES_LABELS[series]}", err=True)
    try:
        if quiet:
            y = pilot_series(sc, replications=n, seed=used_seed, interval_min=interval_min,
                             kind=series, length_min=length_min,  # type: ignore[arg-type]
                             base_dir=loaded.base_dir, jobs=jobs)
        else:
            with click.progressbar(length=n, label="replications", file=sys.stderr,
                                   show_pos=True, show_eta=True) as bar:
                y = pilot_series(sc, replications=n, seed=used_seed,
                                 interval_min=interval_min, kind=series,  # type: ignore[arg-type]
                                 length_min=length_min, base_dir=loaded.base_dir, jobs=jobs,
                                 on_replication=lambda: bar.update(1))
        s = suggest_warmup(y, interval_min, window=window, tolerance=tolerance,
                           series_name=series)
    except ValueError as exc:
        raise click.ClickException(f"{scenario}: {exc}") from None

    figure = out if out is not None else Path("results") / f"{scenario.stem}-warmup.png"
    figure.parent.mkdir(parents=True, exist_ok=True)
    fig = warmup_figure(s, title=f"Warm-up for {sc.name}: {n} replications, seed {used_seed}")
    fig.savefig(figure, dpi=110, metadata={"Software": None})
    import matplotlib.pyplot as plt

    plt.close(fig)

    if as_json:
        doc = {"scenario": str(scenario), "name": sc.name, "seed": used_seed,
               "length_min": length, **s.to_dict(), "figure": str(figure)}
        click.echo(json.dumps(doc, indent=2))
        return
    dt = interval_min
    click.echo(f"series:  {SERIES_LABELS[series]}, {s.n_intervals} intervals of {dt:g} min, "
               f"{s.n_replications} replications")
    click.echo(f"Welch:   {s.welch_min:g} min  (moving average, w = {s.window} intervals = "
               f"{(2 * s.window + 1) * dt:g}-min window, first within "
               f"{s.welch_reference:.3g} ± {s.welch_band:.2g})")
    deleted = s.mser_index // s.batch
    click.echo(f"MSER-{s.batch}: {s.mser_min:g} min  (batches of {s.batch} intervals; minimum "
               f"at {deleted} batch{'' if deleted == 1 else 'es'} deleted)")
    click.echo(f"suggested warm-up: {s.recommended_min:g} min (the larger)  ->  "
               f"run: {{warm_up_min: {s.recommended_min:g}}}")
    if not s.welch_settled:
        click.echo("warning: Welch's curve did not reach its long-run level before the final "
                   "half of the run; lengthen the run (--length-min) or add replications",
                   err=True)
    if not s.mser_settled:
        click.echo("warning: the MSER minimum is at the end of its search range (half the "
                   "run): the run is too short to show steady state; lengthen it", err=True)
    gap = abs(s.welch_min - s.mser_min)
    if gap > length / 10:
        click.echo(f"note: Welch and MSER-{s.batch} differ by {gap:g} min; look at the figure. A "
                   "flat MSER curve with a late minimum usually marks the end of a slow random "
                   "swing, not a transient: lengthen the run (--length-min)", err=True)
    if s.recommended_min > length / 4:
        click.echo(f"note: the warm-up is more than a quarter of the {length:g}-min run; "
                   "use a longer run for the study", err=True)
    click.echo(f"figure:  {figure}")
