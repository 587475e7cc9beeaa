"""Predicted satisfaction KPIs of one replication: a flat KPI row plus hourly values.

:func:`replication_satisfaction` compiles the section (:mod:`.compiled`), builds the input
tables from the records (:mod:`.from_records`), predicts, and reduces the prediction to KPIs
(:class:`~.stream.SatisfactionMeasures`, the same code that scores customers as they finish
in a streaming run): a pure function of the records, the plan and, for the sampled survey
answers, the dedicated stream ``satisfaction_rng(seed, replication)``.
:func:`survey_frame` gives simulated survey answers per customer.

Which customers
---------------
Customers arriving inside the statistics window (as for every tally KPI) who have left
(served, balked or abandoned); customers still inside when the run stopped are not scored.
CSAT "served" is over customers who completed their pathway; "all" over every scored arrival.

Hourly values are added to the ``station == "all"`` rows of ``by_hour`` (hour of arrival).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.measures.accumulate import records_chunk
from simulator.satisfaction.compiled import SatisfactionModel, satisfaction_model
from simulator.satisfaction.from_records import build_tables
from simulator.satisfaction.outputs import sample_responses
from simulator.satisfaction.overall import apply_halo
from simulator.satisfaction.predict import predict
from simulator.satisfaction.stream import SatisfactionMeasures, SatisfactionOutputs, gain_if_met
from simulator.satisfaction.tables import (
    OUTCOME_ABANDONED,
    OUTCOME_BALKED,
)
from simulator.scenario.satisfaction_params import (
    DIMENSIONS,
    ModelParameters,
    resolve_parameters,
)

if TYPE_CHECKING:
    from simulator.engine.records import Records
    from simulator.scenario.plan import Plan

__all__ = [
    "BY_HOUR_KEYS",
    "SatisfactionOutputs",
    "add_by_hour",
    "gain_if_met",
    "replication_satisfaction",
    "survey_frame",
]

_NAN = math.nan


def replication_satisfaction(
    plan: Plan,
    records: Records,
    seed: int | None = None,
    replication: int = 0,
    *,
    model: SatisfactionModel | None = None,
    keep: bool = False,
) -> SatisfactionOutputs:
    """Satisfaction KPIs of one replication (empty when the section says ``model: off``).

    Parameters
    ----------
    plan, records : Plan, Records
        The compiled scenario and one replication's records.
    seed : int, optional
        The run's seed; with it (and ``outputs.sample_responses``) survey answers,
        complaints and returns are sampled from ``satisfaction_rng(seed, replication)``.
    replication : int
        Replication index.
    model : SatisfactionModel, optional
        Precompiled :func:`satisfaction_model` of ``plan``.
    keep : bool
        Keep the prediction and tables on the result (for tests and reports).

    Returns
    -------
    SatisfactionOutputs
        KPI keys (all prefixed ``sat__``): ``calibrated`` (1 = fitted profile, 0 =
        uncalibrated defaults), ``n_served``, ``n_all``; expected values ``csat_mean`` /
        ``csat_mean__all`` (E[CSAT], served / all arrivals), ``top2_share`` /
        ``top2_share__all`` (share satisfied, CSAT 4-5), ``csat_index`` (0-100, served),
        ``complaint_rate``, ``return_rate`` (all arrivals); gap 5: ``dim__{dimension}``
        (mean dimension score, served); drivers: ``gain__{dimension}`` (mean E[CSAT]
        gained if that dimension met expectations, served); gap 3:
        ``gap3__{standard}__share`` (share of the stage's queued visits within its adequate
        level); by class: ``csat_mean__class__{c}``, ``complaint_rate__class__{c}``,
        ``return_rate__class__{c}``; sampled answers: ``sampled__csat_mean``,
        ``sampled__top2_share`` (served), ``sampled__complaint_rate``,
        ``sampled__return_rate`` (all arrivals).
    """
    sat = SatisfactionMeasures(plan, records.meta, seed, replication, model=model, keep=keep)
    sat.consume(records_chunk(records))
    sat.finish(records.end_min)
    return sat.outputs  # type: ignore[return-value]


#: Columns added to the ``station == "all"`` rows of the by-hour table (hour of arrival).
BY_HOUR_KEYS: tuple[str, ...] = (
    "sat__n_all", "sat__csat_mean", "sat__csat_mean__all", "sat__top2_share",
    "sat__complaint_rate", "sat__return_rate",
)


def add_by_hour(rows: list[dict[str, Any]], hourly: Mapping[int, Mapping[str, float]]) -> None:
    """Add the hourly satisfaction values to the ``station == "all"`` by-hour rows in place
    (NaN on station rows and in hours without scored arrivals)."""
    for row in rows:
        values = hourly.get(int(row["hour"])) if row.get("station") == "all" else None
        for key in BY_HOUR_KEYS:
            row[key] = float(values[key]) if values is not None else _NAN


def survey_frame(
    plan: Plan,
    records: Records,
    rng: np.random.Generator,
    params: ModelParameters | None = None,
    *,
    perceived_sd: float | None = 0.15,
    items_sd: float | None = None,
) -> Any:
    """A survey table (the columns of :mod:`simulator.satisfaction.survey`) answered by the
    simulated customers of one replication who did not balk.

    Answers (CSAT, complaint, returned) are drawn from the model with ``params`` (default:
    the plan's profile); with ``perceived_sd`` a perceived wait per stage (the model's
    perceived wait × a lognormal error, rounded to the minute); with ``items_sd`` SERVQUAL
    items ``round(3 + 2·s_d + N(0, sd))`` clipped to 1..5. A station visited twice keeps
    its first visit. Draws come from ``rng`` only.
    """
    import pandas as pd

    m = satisfaction_model(plan)
    prm = params if params is not None else m.params
    t = build_tables(plan, records, m)
    pred = predict(t.stages, t.customers, prm, m.config)
    n = pred.n_customers
    ans = sample_responses(pred, rng)
    st = t.stages
    keep = pred.outcome != OUTCOME_BALKED
    cols: dict[str, Any] = {
        "respondent": t.customer_id,
        "class": t.customers.class_name,
        "outcome": np.where(pred.outcome == OUTCOME_ABANDONED, "abandoned", "served"),
        "csat": ans.csat.astype(np.int64),
        "complaint": ans.complaint.astype(np.int64),
        "returned": ans.returned.astype(np.int64),
        "time_in_system_min": np.round(t.customers.time_in_system_min, 3),
    }
    first = np.ones(st.n_rows, dtype=bool)
    seen: set[tuple[int, int]] = set()
    for i, (cu, s) in enumerate(zip(st.customer.tolist(), t.row_station.tolist(),
                                    strict=True)):
        first[i] = (cu, s) not in seen
        seen.add((cu, s))
    perceived = pred.perceived_wait_min
    if perceived_sd is not None:
        noise = np.exp(rng.normal(0.0, perceived_sd, st.n_rows))
        perceived = np.round(perceived * noise)
    for s, name in enumerate(m.station_names):
        rows = np.flatnonzero(first & (t.row_station == s) & ~st.balked_here)
        if rows.size == 0:
            continue
        who = st.customer[rows]

        def col(values: np.ndarray, rows: np.ndarray = rows,
                who: np.ndarray = who) -> np.ndarray:
            out = np.full(n, np.nan)
            out[who] = np.asarray(values, dtype=float)[rows]
            return out

        cols[f"wait_min__{name}"] = np.round(col(st.wait_min), 3)
        if perceived_sd is not None and not np.isnan(m.adequate[s]):
            cols[f"perceived_min__{name}"] = col(perceived)
        cols[f"queue__{name}"] = col(st.queue_on_arrival)
        cols[f"servers__{name}"] = col(st.servers_on_arrival)
        cols[f"overtaken__{name}"] = col(st.overtaken)
        if not np.isnan(m.station_skill[s]):
            cols[f"skill__{name}"] = col(np.round(st.staff_skill * 4 + 1))
        if m.severity[s] > 0:
            cols[f"failure__{name}"] = col(st.severity)
            cols[f"fixed__{name}"] = col(st.fix)
            res = np.where(np.isfinite(st.resolution_min), st.resolution_min, np.nan)
            cols[f"resolution_min__{name}"] = np.round(col(res), 3)
    if items_sd is not None:
        dims = apply_halo(pred.dimensions, resolve_parameters(prm, m.config).h)
        raw = np.round(3.0 + 2.0 * dims + rng.normal(0.0, items_sd, dims.shape))
        for j, d in enumerate(DIMENSIONS):
            cols[f"servqual__{d}"] = np.clip(raw[:, j], 1, 5)
    frame = pd.DataFrame(cols)[keep]
    for c in frame.columns:
        if c.startswith(("queue__", "servers__", "overtaken__", "skill__", "fixed__",
                         "servqual__")):
            frame[c] = frame[c].astype("Int64")
    return frame.reset_index(drop=True)
