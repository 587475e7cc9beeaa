"""Fit the model to an operator's own survey (satisfaction.md §2.13).

:func:`calibrate` fits the parameters a survey can identify, in tiers by sample size [A]:

* **tier 1** (≥ 100 answers): the ordered-logit slope β and the four cut-points (with the
  complaint/return intercepts γ0, η0 when those answers exist);
* **tier 2** (≥ 300): + the loss slope λ beyond the adequate level and the broken-promise
  penalty (when the data contain late waits), the five dimension weights (when every
  respondent answered the SERVQUAL items), the heads' slopes γ1, γ2, η1;
* **tier 3** (≥ 1,000 with multi-stage visits): + the aggregation weights ω, the phase
  weights and the recovery weights (when ≥ 30 failures).

Independently of the tier, answered perceived waits (≥ 30) fit the perception multiplier m0
and exponent b by a robust (Huber) regression on logs (step 1).

The fit maximises the ordered-logit likelihood of the answers with a ridge pull toward the
defaults, ``Σ ((θ − θ0)/s)²`` with ``s`` half the bound width of §2.10 (β: half its default;
cut-points: 1; weights: on their softmax logits, scale 1), bounded by L-BFGS-B. Because the
search starts at the defaults, where the penalty is 0, a fit never ends with a higher
penalised -- hence never a higher plain -- training loss than the defaults (checked).

Validation (step 6): k-fold cross-validation of E[CSAT]: RMSE, MAE and Spearman ρ out of
sample, against two baselines fitted on the same training folds (the constant mean; a line
in total wait) and against the defaults, plus top-2-box calibration by decile. A tier above 1
that does not beat both baselines out of sample falls back to tier 1 (reported).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import optimize
from scipy import stats as sps
from scipy.special import expit, logit

from simulator.satisfaction.fit_space import (
    ParamBlock,
    PenalisedObjective,
    beta_block,
    cutpoints_block,
    field_bounds,
    ordered_logit_nll,
    phase_weights_block,
    scalar_block,
    simplex_block,
)
from simulator.scenario.satisfaction_params import (
    DIMENSIONS,
    ModelParameters,
    SatisfactionConfig,
    resolve_parameters,
)

from .outputs import expected_csat, top2_box
from .overall import overall_index
from .perception import perception_multiplier
from .predict import predict
from .survey import Survey

__all__ = [
    "TIER_MIN_ANSWERS",
    "Calibration",
    "CalibrationError",
    "calibrate",
    "expected_answers",
    "exponential_patience",
]


#: Answers needed for tiers 1, 2 and 3 (satisfaction.md §2.13 [A]).
TIER_MIN_ANSWERS: tuple[int, int, int] = (100, 300, 1000)


_MIN_PERCEIVED = 30


_MIN_LATE = 20


_MIN_FAILURES = 30


_MIN_EVENTS = 5


class CalibrationError(ValueError):
    """The survey cannot support a fit (e.g. fewer than 100 answers)."""


def _fit_perception(survey: Survey, params: ModelParameters) -> tuple[dict[str, float],
                                                                     dict[str, Any]]:
    """Step 1: ``log(p/A) − log(known factors) = log m0 + b·log(w/A)`` with a Huber loss."""
    st = survey.stages
    a = st.adequate_min
    ok = (~np.isnan(survey.perceived_min) & (survey.perceived_min > 0) & (st.wait_min > 0)
          & ~np.isnan(a))
    n = int(np.count_nonzero(ok))
    if n < _MIN_PERCEIVED:
        return {}, {"n": n, "fitted": False, "reason": f"fewer than {_MIN_PERCEIVED} "
                    "perceived waits with an actual wait > 0 at a stage with a standard"}
    known = perception_multiplier(st.occupied[ok], st.informed[ok], st.overtaken[ok], m0=1.0,
                                  a_occ=params.a_occ, a_info=params.a_info,
                                  a_fair=params.a_fair, overtaken_cap=params.overtaken_cap)
    y = np.log(survey.perceived_min[ok] / a[ok]) - np.log(known)
    xw = np.log(st.wait_min[ok] / a[ok])
    lo_m, hi_m = field_bounds("m0")
    lo_b, hi_b = field_bounds("b")
    res = optimize.least_squares(
        lambda th: th[0] + th[1] * xw - y, x0=[math.log(params.m0), params.b],
        bounds=([math.log(lo_m), lo_b], [math.log(hi_m), hi_b]), loss="huber", f_scale=0.1)
    m0, b = float(math.exp(res.x[0])), float(res.x[1])
    return {"m0": m0, "b": b}, {"n": n, "fitted": True, "m0": m0, "b": b,
                                "rmse_log": float(np.sqrt(np.mean(res.fun ** 2)))}


def _fit_item_weights(survey: Survey, params: ModelParameters) -> dict[str, Any] | None:
    """Dimension weights from the SERVQUAL items: ordered logit of CSAT on
    Q(items) = (1 − ψ)·Σ w_d v(s_d) + ψ·min v(s_d), weights through a softmax."""
    blocks = [simplex_block("weights", params), beta_block(params), cutpoints_block(params)]
    items = np.clip(survey.items, -1.0, 1.0)

    def f(x: np.ndarray) -> float:
        upd: dict[str, Any] = {}
        i = 0
        for b in blocks:
            upd.update(b.update(x[i:i + b.x0.size]))
            i += b.x0.size
        p = params.model_copy(update=upd)
        q = overall_index(items, p.weights.as_tuple(), p.psi, p.kappa)
        pen = 0.0
        i = 0
        for b in blocks:
            pen += b.penalty(x[i:i + b.x0.size])
            i += b.x0.size
        return ordered_logit_nll(survey.csat, q, p.beta, p.cutpoints) + pen

    x0 = np.concatenate([b.x0 for b in blocks])
    bounds = list(zip(np.concatenate([b.lower for b in blocks]),
                      np.concatenate([b.upper for b in blocks]), strict=True))
    res = optimize.minimize(f, x0, method="L-BFGS-B", bounds=bounds)
    x = res.x if res.fun <= f(x0) else x0
    return blocks[0].update(x[:5])


def _fit_head(y: np.ndarray, base_logit: np.ndarray, regressors: list[np.ndarray],
              coef0: list[float], lower: list[float], scales: list[float]) -> list[float]:
    """Penalised logistic regression ``y ~ Λ(offset + Σ (c_j − c0_j)·x_j)``: the regressors'
    coefficients move from their defaults, the offset holds the defaults' linear predictor."""
    ok = ~np.isnan(y)
    y, off = y[ok], base_logit[ok]
    xs = [r[ok] for r in regressors]
    c0 = np.asarray(coef0, dtype=float)

    def f(c: np.ndarray) -> float:
        eta = off + sum((c[j] - c0[j]) * xs[j] for j in range(len(xs)))
        p = np.clip(expit(eta), 1e-12, 1 - 1e-12)
        nll = -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p))
        return float(nll + np.sum(((c - c0) / np.asarray(scales)) ** 2))

    res = optimize.minimize(f, c0, method="L-BFGS-B",
                            bounds=[(lo, None) for lo in lower])
    return [float(v) for v in (res.x if res.fun <= f(c0) else c0)]


def _fit_heads(survey: Survey, config: SatisfactionConfig, params: ModelParameters,
               tier: int, provenance: dict[str, str]) -> ModelParameters:
    """Step 5: complaint and return heads, defaults' linear predictor as the offset."""
    pred = predict(survey.stages, survey.customers, params, config)
    g0, g1, g2 = params.gamma
    e0, e1, e2, e3 = params.eta
    update: dict[str, Any] = {}
    ans = ~np.isnan(survey.complaint)
    if ans.sum() >= TIER_MIN_ANSWERS[0] and np.nansum(survey.complaint) >= _MIN_EVENTS:
        lin = logit(np.clip(pred.p_complaint, 1e-12, 1 - 1e-12))
        neg_q = np.maximum(0.0, -pred.q)
        sig = (lin - g0 - g1 * neg_q) / g2 if g2 > 0 else np.zeros_like(lin)
        if tier >= 2:
            c = _fit_head(survey.complaint, lin, [np.ones_like(lin), neg_q, sig],
                          [g0, g1, g2], [-20.0, 0.0, 0.0], [2.0, 1.5, 1.5])
            update["gamma"] = (c[0], c[1], c[2])
        else:
            c = _fit_head(survey.complaint, lin, [np.ones_like(lin)], [g0], [-20.0], [2.0])
            update["gamma"] = (c[0], g1, g2)
        provenance["gamma"] = "fitted"
    ans = ~np.isnan(survey.returned)
    n_ret = np.nansum(survey.returned)
    if (ans.sum() >= TIER_MIN_ANSWERS[0] and n_ret >= _MIN_EVENTS
            and ans.sum() - n_ret >= _MIN_EVENTS):
        lin = logit(np.clip(pred.p_return, 1e-12, 1 - 1e-12))
        if tier >= 2:
            c = _fit_head(survey.returned, lin, [np.ones_like(lin), pred.q_loyalty],
                          [e0, e1], [-20.0, 0.0], [2.0, 1.0])
            update["eta"] = (c[0], c[1], e2, e3)
        else:
            c = _fit_head(survey.returned, lin, [np.ones_like(lin)], [e0], [-20.0], [2.0])
            update["eta"] = (c[0], e1, e2, e3)
        provenance["eta"] = "fitted"
    return params.model_copy(update=update) if update else params


def _overridden(config: SatisfactionConfig) -> set[str]:
    """Profile fields the scenario section overrides (fitting them would change nothing)."""
    out: set[str] = set()
    if config.weights is not None:
        out.add("weights")
    if config.aggregation.preset != "blend" or config.aggregation.mean is not None:
        out.add("omega")
    if config.aggregation.phase_weights is not None:
        out.add("phase_weights")
    if config.recovery.weights is not None:
        out.add("recovery_weights")
    return out


def _choose_tier(survey: Survey) -> int:
    n = survey.n
    if n < TIER_MIN_ANSWERS[0]:
        return 0
    if n < TIER_MIN_ANSWERS[1]:
        return 1
    if n < TIER_MIN_ANSWERS[2] or not survey.multi_stage:
        return 2
    return 3


def _blocks_for(tier: int, survey: Survey, config: SatisfactionConfig,
                params: ModelParameters, skip: set[str]) -> tuple[list[ParamBlock], dict[str, str]]:
    """Blocks to fit jointly, and why others were left at their defaults."""
    why: dict[str, str] = {}
    blocks = [beta_block(params), cutpoints_block(params)]
    if tier >= 2:
        p = predict(survey.stages, survey.customers, params, config)
        st = survey.stages
        with np.errstate(invalid="ignore"):
            late = np.count_nonzero(p.perceived_wait_min / st.adequate_min > 1.0)
            broken = np.count_nonzero(st.promise & (st.wait_min > st.adequate_min))
        if late >= _MIN_LATE:
            blocks.append(scalar_block("lam", params))
        else:
            why["lam"] = f"fewer than {_MIN_LATE} perceived waits beyond the adequate level"
        if broken >= _MIN_LATE:
            blocks.append(scalar_block("promise_pen", params))
        else:
            why["promise_pen"] = f"fewer than {_MIN_LATE} broken published standards"
    if tier >= 3:
        if "omega" not in skip:
            blocks.append(simplex_block("omega", params))
        if "phase_weights" not in skip:
            blocks.append(phase_weights_block(params))
        if survey.n_failures >= _MIN_FAILURES and "recovery_weights" not in skip:
            blocks.append(simplex_block("recovery_weights", params))
        elif survey.n_failures < _MIN_FAILURES:
            why["recovery_weights"] = f"fewer than {_MIN_FAILURES} failures"
    return blocks, why


@dataclass
class _Fit:
    params: ModelParameters
    provenance: dict[str, str]
    nll_default: float
    nll_fitted: float
    objective_default: float
    objective_fitted: float
    notes: dict[str, str]
    perception: dict[str, Any]


def _fit(survey: Survey, config: SatisfactionConfig, base: ModelParameters, tier: int) -> _Fit:
    """One fit of the given tier on the whole survey (no validation)."""
    skip = _overridden(config)
    provenance: dict[str, str] = {}
    params = base
    perception_update, perception = _fit_perception(survey, params)
    if perception_update:
        params = params.model_copy(update=perception_update)
        provenance.update({k: "fitted" for k in perception_update})
    candidates = [(params, 0.0, False)]
    if tier >= 2 and survey.has_items and "weights" not in skip:
        upd = _fit_item_weights(survey, params)
        if upd:
            w_block = simplex_block("weights", base)
            logits = np.log(np.maximum(np.asarray(upd["weights"].as_tuple()), 1e-12))
            pen = w_block.penalty(logits - np.mean(logits))
            candidates.append((params.model_copy(update=upd), pen, True))
    best: tuple[float, ModelParameters, list[ParamBlock], dict[str, str], float, bool] | None = None
    for start, extra_pen, with_items in candidates:
        blocks, notes = _blocks_for(tier, survey, config, start, skip)
        obj = PenalisedObjective(survey, config, start, blocks)
        res = optimize.minimize(obj, obj.x0, method="L-BFGS-B", bounds=obj.bounds,
                                options={"maxiter": 500})
        x = res.x if res.fun <= obj(obj.x0) else obj.x0
        total = obj(x) + extra_pen
        if best is None or total < best[0]:
            best = (total, obj.params(x), blocks, notes, obj.nll(x), with_items)
    assert best is not None
    fit_obj, fitted, blocks, notes, nll_fit, with_items = best
    if len(candidates) > 1 and not with_items:
        notes["weights"] = ("weights from the SERVQUAL items did not improve the CSAT "
                            "likelihood; defaults kept")
    elif with_items:
        provenance["weights"] = "fitted"
    # the defaults' loss is measured at the base profile (nothing fitted)
    nll_default = PenalisedObjective(survey, config, base, []).nll(np.zeros(0))
    if nll_fit > nll_default:  # the earlier steps (perception, items) made things worse
        fitted, nll_fit, fit_obj = base, nll_default, nll_default
        provenance = {}
        notes["all"] = "no fit improved the training loss; defaults kept"
    else:
        provenance.update({b.name: "fitted" for b in blocks})
    fitted = _fit_heads(survey, config, fitted, tier, provenance)
    return _Fit(fitted, provenance, nll_default, nll_fit, nll_default, fit_obj, notes,
                perception)


def _errors(y: np.ndarray, yhat: np.ndarray) -> dict[str, float]:
    rho = sps.spearmanr(y, yhat).statistic if np.ptp(yhat) > 0 else float("nan")
    return {"rmse": float(np.sqrt(np.mean((y - yhat) ** 2))),
            "mae": float(np.mean(np.abs(y - yhat))), "spearman": float(rho)}


def _folds(n: int, k: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0xCA11,)))
    fold = np.arange(n) % k
    return rng.permutation(fold)


def _cross_validate(survey: Survey, config: SatisfactionConfig, base: ModelParameters,
                    tier: int, k: int, seed: int) -> dict[str, Any]:
    n = survey.n
    fold = _folds(n, k, seed)
    y = survey.csat.astype(float)
    pred_model = np.empty(n)
    pred_top2 = np.empty(n)
    pred_default = np.empty(n)
    pred_const = np.empty(n)
    pred_lin = np.empty(n)
    for f in range(k):
        test = np.flatnonzero(fold == f)
        train = np.flatnonzero(fold != f)
        tr, te = survey.subset(train), survey.subset(test)
        fit = _fit(tr, config, base, tier)
        p = predict(te.stages, te.customers, fit.params, config)
        pred_model[test] = p.expected_csat
        pred_top2[test] = p.top2
        pred_default[test] = predict(te.stages, te.customers, base, config).expected_csat
        pred_const[test] = tr.csat.mean()
        xw, yt = tr.total_wait_min, tr.csat.astype(float)
        if np.ptp(xw) > 0:
            slope, icpt = np.polyfit(xw, yt, 1)
        else:
            slope, icpt = 0.0, float(yt.mean())
        pred_lin[test] = icpt + slope * te.total_wait_min
    model = _errors(y, pred_model)
    const = _errors(y, pred_const)
    lin = _errors(y, pred_lin)
    order = np.argsort(pred_top2, kind="stable")
    deciles = []
    for part in np.array_split(order, 10):
        if part.size:
            deciles.append({"n": int(part.size),
                            "predicted_top2": round(float(pred_top2[part].mean()), 4),
                            "observed_top2": round(float((y[part] >= 4).mean()), 4)})
    return {
        "folds": k,
        "model": model,
        "defaults": _errors(y, pred_default),
        "baseline_constant_mean": const,
        "baseline_linear_total_wait": lin,
        "beats_baselines": bool(model["rmse"] < const["rmse"] and model["rmse"] < lin["rmse"]),
        "top2_calibration_by_decile": deciles,
    }


def _expectations_report(survey: Survey) -> dict[str, Any]:
    """Step 2: median acceptable and ideal waits per stage vs the published level (gap 1/2)."""
    st = survey.stages
    out: dict[str, Any] = {}
    for s in np.unique(st.stage).tolist():
        at = st.stage == s
        acc = survey.acceptable_min[at]
        ide = survey.ideal_min[at]
        if np.isnan(acc).all() and np.isnan(ide).all():
            continue
        pub = float(np.nanmax(st.adequate_min[at])) if not np.isnan(st.adequate_min[at]).all() \
            else None
        a_med = float(np.nanmedian(acc)) if not np.isnan(acc).all() else None
        out[s] = {
            "published_adequate_min": pub,
            "acceptable_median_min": a_med,
            "ideal_median_min": float(np.nanmedian(ide)) if not np.isnan(ide).all() else None,
            "n": int(np.count_nonzero(~np.isnan(acc) | ~np.isnan(ide))),
            "gap_published_minus_acceptable_min": (pub - a_med)
            if pub is not None and a_med is not None else None,
        }
    return out


@dataclass
class Calibration:
    """What :func:`calibrate` found.

    Attributes
    ----------
    params : ModelParameters
        The fitted profile (``calibrated=True``); unfitted constants keep their defaults.
    provenance : dict
        ``default``, ``fitted`` or ``set by scenario`` for every parameter of the profile.
    tier : int
        The tier used (after any fall-back); ``requested_tier`` the one the data allowed.
    fit : dict
        Training losses, cross-validation (model vs defaults vs baselines), perception
        step, expectations (gap 1/2) and notes on what was not identified.
    """

    params: ModelParameters
    provenance: dict[str, str]
    tier: int
    requested_tier: int
    fit: dict[str, Any] = field(default_factory=dict)


def _provenance(fitted: dict[str, str], skip: set[str]) -> dict[str, str]:
    out = {}
    for name in ModelParameters.model_fields:
        if name == "calibrated":
            continue
        out[name] = fitted.get(name, "set by scenario" if name in skip else "default")
    return out


def calibrate(
    survey: Survey,
    config: SatisfactionConfig | None = None,
    base: ModelParameters | None = None,
    *,
    tier: int | None = None,
    folds: int = 5,
    seed: int = 0,
    bootstrap: int = 0,
) -> Calibration:
    """Fit a profile to survey answers (satisfaction.md §2.13).

    Parameters
    ----------
    survey : Survey
        From :func:`~.survey.read_survey`.
    config : SatisfactionConfig, optional
        The scenario's section (standards, environment, overrides).
    base : ModelParameters, optional
        Starting profile and ridge target (default: the uncalibrated defaults).
    tier : int, optional
        Force a tier (1-3) instead of choosing by sample size; never above what the sample
        size allows.
    folds : int
        k of the k-fold cross-validation (0 skips it).
    seed : int
        Seed of the fold assignment and the bootstrap.
    bootstrap : int
        Bootstrap resamples of respondents for parameter intervals (0: none).

    Raises
    ------
    CalibrationError
        With fewer than 100 answers.
    """
    cfg = config if config is not None else SatisfactionConfig()
    prm0 = base if base is not None else ModelParameters()
    # overrides of the section are part of the model being fitted, not of the profile
    allowed = _choose_tier(survey)
    if allowed == 0:
        raise CalibrationError(
            f"{survey.source}: {survey.n} answers (got {survey.n}; expected at least "
            f"{TIER_MIN_ANSWERS[0]} for tier 1: β and cut-points)")
    chosen = allowed if tier is None else max(1, min(tier, allowed))
    fit = _fit(survey, cfg, prm0, chosen)
    cv = _cross_validate(survey, cfg, prm0, chosen, folds, seed) if folds >= 2 else None
    used, fell_back = chosen, False
    if cv is not None and chosen > 1 and not cv["beats_baselines"]:
        fit_1 = _fit(survey, cfg, prm0, 1)
        cv_1 = _cross_validate(survey, cfg, prm0, 1, folds, seed)
        fit, cv, used, fell_back = fit_1, cv_1, 1, True
    params = fit.params.model_copy(update={"calibrated": bool(fit.provenance)})
    resolve_parameters(params, cfg)  # raises if the section and profile cannot combine
    skip = _overridden(cfg)
    report: dict[str, Any] = {
        "n_answers": survey.n,
        "n_stage_rows": survey.stages.n_rows,
        "training": {
            "loss": "ordered-logit negative log-likelihood of the CSAT answers",
            "nll_defaults": round(fit.nll_default, 6),
            "nll_fitted": round(fit.nll_fitted, 6),
            "nll_per_answer_defaults": round(fit.nll_default / survey.n, 6),
            "nll_per_answer_fitted": round(fit.nll_fitted / survey.n, 6),
            "penalised_objective_fitted": round(fit.objective_fitted, 6),
        },
        "perception": fit.perception,
        "not_identified": fit.notes,
        "fell_back_to_tier_1": fell_back,
        "expectations": _expectations_report(survey),
        "dimensions": list(DIMENSIONS),
    }
    if cv is not None:
        report["cross_validation"] = cv
    if bootstrap > 0:
        report["bootstrap"] = _bootstrap(survey, cfg, prm0, used, bootstrap, seed)
    return Calibration(params, _provenance(fit.provenance, skip), used, chosen, report)


def _bootstrap(survey: Survey, config: SatisfactionConfig, base: ModelParameters, tier: int,
               b: int, seed: int) -> dict[str, Any]:
    """Percentile 95 % intervals of the fitted scalars over ``b`` resamples of respondents."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(0xB007,)))
    samples: dict[str, list[float]] = {}
    for _ in range(b):
        idx = np.sort(rng.integers(0, survey.n, survey.n))
        fit = _fit(survey.subset(idx), config, base, tier)
        flat = _flat(fit.params)
        for key in _flat_keys(fit.provenance):
            samples.setdefault(key, []).append(flat[key])
    return {k: {"low": float(np.percentile(v, 2.5)), "high": float(np.percentile(v, 97.5)),
                "n": len(v)} for k, v in samples.items()}


def _flat(p: ModelParameters) -> dict[str, float]:
    """Every number of the parameters by dotted name (``g.attractive``,
    ``kano_defaults.attractive.better``, ``cutpoints.0``), at any depth."""
    out: dict[str, float] = {}

    def walk(name: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{name}.{k}", v)
        elif isinstance(value, (list, tuple)):
            for i, v in enumerate(value):
                walk(f"{name}.{i}", v)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out[name] = float(value)

    for name, value in p.model_dump().items():
        walk(name, value)
    return out


def _flat_keys(provenance: dict[str, str]) -> list[str]:
    keys: list[str] = []
    flat = _flat(ModelParameters())
    for name, how in provenance.items():
        if how == "fitted":
            keys.extend(k for k in flat if k == name or k.startswith(name + "."))
    return keys


def expected_answers(survey: Survey, params: ModelParameters,
                     config: SatisfactionConfig | None = None) -> tuple[np.ndarray, np.ndarray]:
    """E[CSAT] and top-2-box predicted for each respondent."""
    p = predict(survey.stages, survey.customers, params, config)
    return expected_csat(p.p_csat), top2_box(p.p_csat)


def exponential_patience(wait_min: np.ndarray, abandoned: np.ndarray) -> tuple[float, float]:
    """Censored MLE of an exponential patience rate θ (step 7, feeds the simulator).

    Every customer who queued contributes their time in the line: abandoning customers as an
    event, customers reaching service as censored at their wait. Then

    ``θ̂ = (number abandoned) / (sum of all waits)``,  ``SE ≈ θ̂ / sqrt(number abandoned)``

    (the exponential likelihood with right-censoring), and for any group of customers
    P(abandon) ≈ θ̂·E[W] (Erlang-A: the abandonment rate is θ times the mean wait).

    Parameters
    ----------
    wait_min : array_like
        Time each customer spent in the line (to service start or to abandoning), minutes.
    abandoned : array_like of bool
        The customer abandoned.

    Returns
    -------
    (float, float)
        θ̂ per minute (mean patience 1/θ̂) and its standard error (NaN without abandonments).

    Examples
    --------
    >>> exponential_patience(np.array([2.0, 3.0, 5.0]), np.array([False, True, False]))
    (0.1, 0.1)
    """
    w = np.asarray(wait_min, dtype=float)
    a = np.asarray(abandoned, dtype=bool)
    total = float(np.sum(w))
    d = int(np.count_nonzero(a))
    if total <= 0:
        return math.nan, math.nan
    theta = d / total
    return theta, (theta / math.sqrt(d) if d else math.nan)
