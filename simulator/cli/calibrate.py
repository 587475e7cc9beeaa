"""``servsim calibrate``: fit the satisfaction model to an operator's survey (satisfaction.md
§2.13) and write a profile that scenarios can use (``satisfaction: {profile: FILE}``).

The command only parses, calls :func:`simulator.satisfaction.calibrate.calibrate` and shows
the result; register it with ``main.add_command(calibrate)``.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

__all__ = ["calibrate", "calibration_report"]


def calibration_report(cal: object) -> str:
    """A short text report of a :class:`~simulator.satisfaction.calibrate.Calibration`."""
    from simulator.satisfaction.calibrate import Calibration

    assert isinstance(cal, Calibration)
    fit = cal.fit
    lines = [f"answers: {fit['n_answers']}; tier {cal.tier}"
             + (f" (fell back from tier {cal.requested_tier}: it did not beat both baselines "
                "out of sample)" if fit.get("fell_back_to_tier_1") else "")]
    fitted = [k for k, v in cal.provenance.items() if v == "fitted"]
    lines.append("fitted: " + (", ".join(fitted) if fitted else "nothing (defaults kept)"))
    p = cal.params
    shown = {"beta": p.beta, "cutpoints": p.cutpoints, "lam": p.lam, "promise_pen": p.promise_pen,
             "m0": p.m0, "b": p.b, "weights": p.weights.as_tuple(), "omega": p.omega.as_tuple(),
             "phase_weights": p.phase_weights.as_tuple(),
             "recovery_weights": p.recovery_weights.as_tuple(), "gamma": p.gamma, "eta": p.eta}
    for key in fitted:
        if key in shown:
            val = shown[key]
            text = (", ".join(f"{v:.3g}" for v in val) if isinstance(val, tuple)
                    else f"{val:.3g}")
            lines.append(f"  {key:16s} {text}")
    tr = fit["training"]
    lines.append(f"training loss per answer: defaults {tr['nll_per_answer_defaults']:.4f}, "
                 f"fitted {tr['nll_per_answer_fitted']:.4f}")
    cv = fit.get("cross_validation")
    if cv:
        lines.append(f"{cv['folds']}-fold out-of-sample error of E[CSAT]:")
        lines.append(f"  {'':28s} {'RMSE':>7s} {'MAE':>7s} {'Spearman':>9s}")
        for label, key in (("fitted profile", "model"), ("uncalibrated defaults", "defaults"),
                           ("baseline: constant mean", "baseline_constant_mean"),
                           ("baseline: linear in wait", "baseline_linear_total_wait")):
            e = cv[key]
            lines.append(f"  {label:28s} {e['rmse']:7.3f} {e['mae']:7.3f} {e['spearman']:9.3f}")
        lines.append("  beats both baselines: " + ("yes" if cv["beats_baselines"] else "NO"))
    for key, why in fit.get("not_identified", {}).items():
        lines.append(f"kept default {key}: {why}")
    return "\n".join(lines)


@click.command()
@click.argument("survey", type=click.Path(path_type=Path))
@click.option("--scenario", "scenario_path", type=click.Path(path_type=Path), required=True,
              help="the scenario whose stations, standards and satisfaction section the "
              "survey answers refer to")
@click.option("-o", "--out", type=click.Path(path_type=Path), required=True,
              help="profile file to write (YAML)")
@click.option("--name", default=None, help="profile name [default: the output file's stem]")
@click.option("--tier", type=click.IntRange(1, 3), default=None,
              help="fit at most this tier [default: by sample size: 100 / 300 / 1000 answers]")
@click.option("--folds", type=click.IntRange(min=0), default=5,
              help="k-fold cross-validation against the baselines (0: none)")
@click.option("--seed", type=click.IntRange(min=0), default=0,
              help="seed of the fold assignment and bootstrap")
@click.option("--bootstrap", type=click.IntRange(min=0), default=0,
              help="bootstrap resamples for parameter intervals (0: none)")
@click.option("--force", is_flag=True, help="replace an existing profile file")
@click.option("-q", "--quiet", is_flag=True, help="no report on stderr")
def calibrate(survey: Path, scenario_path: Path, out: Path, name: str | None, tier: int | None,
              folds: int, seed: int, bootstrap: int, force: bool, quiet: bool) -> None:
    """Fit the satisfaction model to SURVEY.csv and write a profile (see docs/satisfaction.md).

    The fitted parameters, their provenance (default / fitted), the survey's SHA-256 and the
    out-of-sample errors against two baselines are written to the profile. Use it with
    ``satisfaction: {profile: FILE}`` in a scenario (relative to the scenario file).
    """
    from simulator.cli.errors import fail_scenario
    from simulator.satisfaction.calibrate import CalibrationError
    from simulator.satisfaction.calibrate import calibrate as fit_profile
    from simulator.satisfaction.compiled import satisfaction_model
    from simulator.satisfaction.survey import SurveyError, read_survey
    from simulator.scenario.loader import ScenarioError, load_scenario
    from simulator.scenario.plan import compile_plan
    from simulator.scenario.profile import Profile, dump_profile

    if out.exists() and not force:
        raise click.ClickException(f"{out} exists (got an existing file; expected --force to "
                                   "replace it)")
    try:
        loaded = load_scenario(scenario_path)
    except ScenarioError as exc:
        fail_scenario(exc)
    try:
        plan = compile_plan(loaded.scenario, loaded.base_dir)
        context = satisfaction_model(plan)
        data = read_survey(survey, context)
        cal = fit_profile(data, context.config, tier=tier, folds=folds, seed=seed,
                          bootstrap=bootstrap)
    except (SurveyError, CalibrationError) as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    except ValueError as exc:  # a file named by the scenario could not be read
        click.echo(f"{scenario_path}: {exc}", err=True)
        sys.exit(1)
    profile = Profile(
        name=name or out.stem,
        parameters=cal.params,
        provenance=cal.provenance,
        data={"file": survey.name, "sha256": data.sha256, "n": data.n,
              "scenario": str(scenario_path), "scenario_sha256": loaded.raw_sha256,
              "seed": seed},
        fit=cal.fit,
        tier=cal.tier,
        created_utc=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(dump_profile(profile), encoding="utf-8")
    tmp.replace(out)
    if not quiet:
        click.echo(calibration_report(cal), err=True)
        click.echo(f"profile: {out} (use: satisfaction: {{profile: {out.name}}})", err=True)
