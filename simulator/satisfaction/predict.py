"""The satisfaction model end to end: ``predict(stages, customers, params, config)``.

A pure, vectorised post-processing of one replication's records (satisfaction.md §2.1):
perceived waits → stage scores on the five SERVQUAL dimensions → per-customer aggregation →
halo, loss transform and Q → CSAT distribution, complaint and return probabilities. Nothing
here draws random numbers (see :func:`~.outputs.sample_responses`).

Interpretation choices (all reproduce the golden values of §2.11)
-----------------------------------------------------------------
* **Observed dimensions.** Reliability is observed at every stage the customer was served or
  abandoned (0 when right first time and on time), not at a balking stage. Responsiveness is
  observed at every stage with a wait standard (``adequate_min`` not NaN). Assurance and
  empathy are observed where a server served the customer (``staff_skill`` not NaN; never at
  a balking or abandoning stage). Tangibles' crowding item is observed at every stage. A
  dimension observed nowhere aggregates to 0 ("as expected").
* **Visit-level items** -- the facility item T_0 and the KANO attributes -- are *added after*
  stage aggregation (the facility is not a stage), then each dimension is clipped to
  [−1, 1]. The halo is then applied to all four non-responsiveness dimensions, observed or
  not (this is what reproduces the government-window table).
* **Whole-visit standard** (``visit_adequate_min``) and, if enabled, **recovery timeliness**
  enter responsiveness as extra observations through the same curve: the visit item as a
  ``post`` observation after the customer's last stage, perceived with m0 only; the recovery
  item right after the failed stage's wait, on the ratio ``resolution/T_rec`` (no perception
  multiplier) with D = ``desired_ratio·T_rec`` and the one-dimensional cap.
* **Balking customers**: responsiveness from the anticipated wait ``(queue+1)·E[S]/c``
  perceived with m0 only; crowding observed; no reliability, assurance or empathy.
* **Abandoning customers**: reliability ``abandoned_reliability`` (−0.5) at the stage they
  left, *replacing* the broken-promise term there; responsiveness from the wait until they
  left.
* **Expectation scale** of the class multiplies A and D for perception/responsiveness and
  wait-based KANO performance; the broken-promise test uses the published A.
* **Loyalty**: Q_loy is Q recomputed with the paradox bonus removed from the failures. With
  ``outputs.paradox_in_loyalty`` Q_loy = Q and the min(0, ·) cap of the return head is
  lifted for the paradox-eligible failures only (ρ ≥ ρ*, first failure, σ ≤ σ*), which
  gives ≈ 0.93 for TARP's 95 % "satisfied quickly" cell.
* The failure/TARP table of §2.11 isolates the reliability item: it is what a visit whose
  other dimensions are all "as expected" gives (e.g. one stage, on time with no delight
  credit, or without a wait standard), so that Agg_R = F_f. In a multi-stage visit the
  failure is aggregated with the other stages' reliability like any stage score. Its
  "slow resolution" ρ = 0.65 is read as a rounded value: resolving in 27 min against a
  10-min standard (τ = e^−1.7, ρ = 0.6457) reproduces every cell, whereas ρ = 0.65 exactly
  gives 0.59 instead of 0.58 for P(return) at σ = 0.9.
* §2.9's Q table prints top-2-box 0.94 at Q = +0.3; the ordered logit with the spec's β and
  cut-points gives 0.9452 (every other entry of that table reproduces).
"""

from __future__ import annotations

import numpy as np

from simulator.scenario.satisfaction_params import (
    DIMENSIONS,
    ModelParameters,
    SatisfactionConfig,
    resolve_parameters,
)

from ._groups import group_cumsum, group_ends, group_starts
from .aggregate import aggregate_stages
from .dimensions import (
    assurance,
    crowding,
    crowding_item,
    empathy,
    facility_item,
    reliability,
    responsiveness,
    rush,
)
from .kano import kano_contribution
from .outputs import (
    complaint_probability,
    csat_index,
    csat_probabilities,
    expected_csat,
    return_failure_terms,
    return_probability,
    top2_box,
)
from .overall import apply_halo, overall_index
from .perception import anticipated_wait, perceived_wait, perception_multiplier
from .prediction import Prediction
from .recovery import compensation_match, failure_effect, recovery_quality, timeliness
from .tables import OUTCOME_ABANDONED, OUTCOME_BALKED, CustomerTable, StageTable

__all__ = ["Prediction", "predict"]

_REL, _RESP, _ASS, _EMP, _TAN = range(5)


def _check_outcomes(stages: StageTable, customers: CustomerTable) -> None:
    n = customers.n_customers
    if stages.n_customers != n:
        raise ValueError(
            f"StageTable.customer: got {stages.n_customers} customers; expected {n} "
            "(one CustomerTable row per customer, every customer with at least one stage row)"
        )
    for flag, code, name in (
        (stages.abandoned_here, OUTCOME_ABANDONED, "abandoned"),
        (stages.balked_here, OUTCOME_BALKED, "balked"),
    ):
        has = np.zeros(n, dtype=bool)
        has[stages.customer[flag]] = True
        bad = has != (customers.outcome == code)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"CustomerTable.outcome[{i}]: must be {name} exactly when the customer's last "
                f"stage row has {name}_here (got outcome {customers.outcome[i]})"
            )


def _class_scale(customers: CustomerTable, config: SatisfactionConfig) -> np.ndarray:
    names, inverse = np.unique(customers.class_name, return_inverse=True)
    scales = np.array([config.expectation_scale(str(nm)) for nm in names], dtype=float)
    return scales[inverse] if names.size else np.ones(customers.n_customers)


def _reduce(ufunc: np.ufunc, values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    if starts.size == 0:
        return np.zeros(0)
    return ufunc.reduceat(values, starts)


def _last_row_at_stage(mask: np.ndarray, customer: np.ndarray, n: int) -> np.ndarray:
    last = np.full(n, -1, dtype=np.int64)
    rows = np.flatnonzero(mask)
    np.maximum.at(last, customer[rows], rows)
    return last


def _responsiveness_observations(
    st: StageTable,
    cu: CustomerTable,
    cfg: SatisfactionConfig,
    prm: ModelParameters,
    resp: np.ndarray,
    v: np.ndarray,
    t_rec: np.ndarray,
    scale_c: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Stage responsiveness plus the optional recovery-timeliness and whole-visit items.

    Returns (scores, customer, phase weight) in aggregation order, or None when there are
    no extra items (the stage rows alone are then aggregated with the other dimensions).
    """
    c = st.customer
    keys: list[np.ndarray] = []
    custs: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    wts: list[np.ndarray] = []
    g_table = np.asarray(prm.g.as_tuple())
    if cfg.recovery.timeliness_in_responsiveness:
        rows = np.flatnonzero((st.severity > 0) & st.attempted)
        res = np.where(np.isnan(st.resolution_min), np.inf, st.resolution_min)
        with np.errstate(invalid="ignore"):
            x_rec = res[rows] / t_rec[rows]
        keys.append(rows + 0.5)  # right after the failed stage's own wait
        custs.append(c[rows])
        vals.append(
            responsiveness(x_rec, prm.desired_ratio, prm.g.one_dimensional, prm.eps, prm.lam)
        )
        wts.append(v[rows])
    a_vis = cu.visit_adequate_min * scale_c
    has_visit = ~np.isnan(a_vis) & ~np.isnan(cu.time_in_system_min)
    if has_visit.any():
        ids = np.flatnonzero(has_visit)
        d_pub = np.where(
            np.isnan(cu.visit_desired_min),
            prm.desired_ratio * cu.visit_adequate_min,
            cu.visit_desired_min,
        )
        a_i, d_i = a_vis[ids], (d_pub * scale_c)[ids]
        p_vis = perceived_wait(cu.time_in_system_min[ids], a_i, prm.m0, prm.b)
        keys.append(group_ends(c)[ids] + 0.75)  # after the customer's last stage
        custs.append(ids)
        vals.append(
            responsiveness(p_vis / a_i, d_i / a_i, g_table[cu.visit_kano[ids]], prm.eps, prm.lam)
        )
        wts.append(np.full(ids.size, prm.phase_weights.post))
    if not keys:
        return None
    order = np.argsort(np.concatenate([np.arange(st.n_rows, dtype=float), *keys]), kind="stable")
    return (
        np.concatenate([resp, *vals])[order],
        np.concatenate([c, *custs])[order],
        np.concatenate([v, *wts])[order],
    )


def _kano_items(
    st: StageTable,
    cu: CustomerTable,
    cfg: SatisfactionConfig,
    prm: ModelParameters,
    p: np.ndarray,
    a: np.ndarray,
    d: np.ndarray,
) -> np.ndarray:
    """Per-customer KANO contributions (§2.6), shape (n, 5) in DIMENSIONS order."""
    n = cu.n_customers
    out = np.zeros((n, 5))
    if not cfg.kano_attributes:
        return out
    c = st.customer
    names, name_idx = np.unique(cu.class_name, return_inverse=True)
    for attr in cfg.kano_attributes:
        perf = attr.performance
        if perf.source == "constant":
            x = np.full(n, perf.value)
        elif perf.source == "per_class":
            default = np.nan if perf.default is None else perf.default
            table = np.array([perf.values.get(str(nm), default) for nm in names], dtype=float)
            x = table[name_idx] if names.size else np.full(n, np.nan)
        elif perf.source == "stage_flag":
            if perf.flag not in cu.flags:
                raise ValueError(
                    f"kano_attributes[{attr.id}].performance.flag: CustomerTable has no flag "
                    f"{perf.flag!r} (got flags {sorted(cu.flags)})"
                )
            x = np.asarray(cu.flags[perf.flag], dtype=float)
        else:  # wait_based: the customer's last row at that stage
            at_stage = (st.stage == perf.stage) & ~np.isnan(a)
            last = _last_row_at_stage(at_stage, c, n)
            with np.errstate(invalid="ignore", divide="ignore"):
                x_row = 1.0 - np.clip((p - d) / (a - d), 0.0, 1.0)
            x = np.where(last >= 0, x_row[np.maximum(last, 0)], np.nan)
        better, worse = attr.coefficients(prm.kano_defaults)
        out[:, DIMENSIONS.index(attr.dimension)] += kano_contribution(
            x, attr.kano_class, better, worse, prm.kano_a
        )
    return out


def predict(
    stages: StageTable,
    customers: CustomerTable,
    params: ModelParameters | None = None,
    config: SatisfactionConfig | None = None,
) -> Prediction:
    """Predict satisfaction for every customer of one replication (satisfaction.md §2).

    Parameters
    ----------
    stages : StageTable
        One row per (customer, stage visit).
    customers : CustomerTable
        One row per customer.
    params : ModelParameters, optional
        The profile (default: uncalibrated defaults).
    config : SatisfactionConfig, optional
        The scenario's ``satisfaction:`` section (default: empty section); its weight
        overrides are applied with :func:`~.params.resolve_parameters`.

    Returns
    -------
    Prediction
        Per-customer expected values; deterministic.

    Examples
    --------
    >>> st = StageTable.build([0], [15.0], adequate_min=15.0, promise=True)
    >>> round(float(predict(st, CustomerTable.build(["served"])).expected_csat[0]), 2)
    3.45
    """
    cfg = config if config is not None else SatisfactionConfig()
    prm = resolve_parameters(params if params is not None else ModelParameters(), cfg)
    _check_outcomes(stages, customers)
    st, cu = stages, customers
    n = cu.n_customers
    c = st.customer
    starts = group_starts(c)

    # -- §2.3 perception --------------------------------------------------------------
    scale_c = _class_scale(cu, cfg)
    scale = scale_c[c]
    a_pub = st.adequate_min
    a = a_pub * scale
    d = np.where(np.isnan(st.desired_min), prm.desired_ratio * a_pub, st.desired_min) * scale
    balked, abandoned = st.balked_here, st.abandoned_here
    m = perception_multiplier(
        st.occupied,
        st.informed,
        st.overtaken,
        m0=prm.m0,
        a_occ=prm.a_occ,
        a_info=prm.a_info,
        a_fair=prm.a_fair,
        overtaken_cap=prm.overtaken_cap,
    )
    m = np.where(balked, prm.m0, m)
    w_eff = np.where(
        balked,
        anticipated_wait(st.queue_on_arrival, st.nominal_service_min, st.servers_on_arrival),
        st.wait_min,
    )
    p = perceived_wait(w_eff, a, m, prm.b)

    # -- §2.4 responsiveness ----------------------------------------------------------
    g_table = np.asarray(prm.g.as_tuple())
    with np.errstate(invalid="ignore", divide="ignore"):
        resp = responsiveness(p / a, d / a, g_table[st.kano], prm.eps, prm.lam)

    # -- §2.5 failures and recovery -> reliability -------------------------------------
    sev = st.severity
    has_f = sev > 0
    t_rec = np.where(
        np.isnan(st.recovery_standard_min),
        cfg.recovery.urgent_fix_standard_min,
        st.recovery_standard_min,
    )
    tau = timeliness(st.resolution_min, t_rec)
    rho = recovery_quality(
        st.fix,
        tau,
        st.apology,
        compensation_match(st.compensation_value, sev),
        st.follow_up,
        prm.recovery_weights.as_tuple(),
    )
    first = has_f & (group_cumsum(has_f.astype(np.int64), c) == 1)
    gates = {"pi": prm.pi, "rho_star": prm.rho_star, "sigma_star": prm.sigma_star, "dd": prm.dd}
    f_eff = failure_effect(sev, rho, st.attempted, first, paradox=True, **gates)
    f_loy = failure_effect(sev, rho, st.attempted, first, paradox=False, **gates)
    rel_kw = {"promise_pen": prm.promise_pen, "abandoned_reliability": prm.abandoned_reliability}
    rel = reliability(st.wait_min, a_pub, st.promise, f_eff, abandoned, **rel_kw)
    rel_loy = reliability(st.wait_min, a_pub, st.promise, f_loy, abandoned, **rel_kw)
    rel = np.where(balked, np.nan, rel)
    rel_loy = np.where(balked, np.nan, rel_loy)

    # -- §2.4 assurance, empathy, tangibles ---------------------------------------------
    skill = np.where(balked | abandoned, np.nan, st.staff_skill)
    ass = assurance(skill, prm.k_a)
    emp = empathy(
        skill, rush(st.service_min, st.nominal_service_min, st.others_waiting), prm.k_e, prm.k_rush
    )
    crowd = crowding(
        st.queue_on_arrival, st.area_capacity, st.servers_on_arrival, prm.crowd_per_server
    )
    tan = crowding_item(crowd, prm.k_crowd, prm.c0)
    stage_scores = np.stack([rel, resp, ass, emp, tan], axis=1)

    # -- §2.7 aggregation ----------------------------------------------------------------
    v = np.asarray(prm.phase_weights.as_tuple())[st.phase]
    omega = prm.omega.as_tuple()
    agg = aggregate_stages(stage_scores, c, v, omega, n)
    agg_rel_loy = aggregate_stages(rel_loy, c, v, omega, n)

    resp_obs = _responsiveness_observations(st, cu, cfg, prm, resp, v, t_rec, scale_c)
    if resp_obs is not None:
        agg[:, _RESP] = aggregate_stages(*resp_obs, omega, n)

    agg = np.nan_to_num(agg, nan=0.0)
    agg_rel_loy = np.nan_to_num(agg_rel_loy, nan=0.0)

    # -- visit items: facility (§2.4) and KANO attributes (§2.6) --------------------------
    visit = np.zeros((n, 5))
    fac = np.where(np.isnan(cu.facility_level), cfg.facility_level, cu.facility_level)
    visit[:, _TAN] += facility_item(fac, prm.k_t)
    visit += _kano_items(st, cu, cfg, prm, p, a, d)

    dims = np.clip(agg + visit, -1.0, 1.0)
    dims_loy = dims.copy()
    dims_loy[:, _REL] = np.clip(agg_rel_loy + visit[:, _REL], -1.0, 1.0)

    # -- §2.8 overall index ------------------------------------------------------------
    weights = prm.weights.as_tuple()
    q = overall_index(apply_halo(dims, prm.h), weights, prm.psi, prm.kappa)
    paradox_in_loyalty = cfg.outputs.paradox_in_loyalty
    q_loy = (
        q
        if paradox_in_loyalty
        else overall_index(apply_halo(dims_loy, prm.h), weights, prm.psi, prm.kappa)
    )

    # -- §2.9 outputs ------------------------------------------------------------------
    p_csat = csat_probabilities(q, prm.beta, prm.cutpoints)
    e_csat = expected_csat(p_csat)
    sigma_unrec = _reduce(np.maximum, np.where(has_f, sev * (1.0 - rho), 0.0), starts)
    eligible = has_f & (rho >= prm.rho_star) & first & (sev <= prm.sigma_star)
    terms = return_failure_terms(sev, rho, prm.eta, uncapped=paradox_in_loyalty & eligible)
    p_ret = return_probability(q_loy, _reduce(np.add, terms, starts), prm.eta)

    return Prediction(
        dimensions=dims,
        q=q,
        q_loyalty=q_loy,
        p_csat=p_csat,
        expected_csat=e_csat,
        top2=top2_box(p_csat),
        csat_index=csat_index(e_csat),
        p_complaint=complaint_probability(q, sigma_unrec, prm.gamma),
        p_return=p_ret,
        outcome=np.array(cu.outcome),
        stage_scores=stage_scores,
        perceived_wait_min=p,
        label=prm.label,
    )
