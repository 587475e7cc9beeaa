"""Predicted satisfaction of one replication, computed on customers as they finish.

:class:`SatisfactionMeasures` is a :class:`~simulator.engine.records.RecordSink`. It keeps
the rows of customers still inside; whenever every customer with a smaller id has left (the
chunk's ``settled_id``), it builds the model's tables for that run of finished customers
(:func:`~.from_records.build_tables`), predicts (:func:`~.predict.predict`), samples their
survey answers from the replication's satisfaction stream, and adds them to running exact
sums and counts (:mod:`simulator.measures.exact`). Customers are scored in id order in
either case, and each customer's prediction and draws depend on that customer alone, so
the KPIs are the same whether the rows come in one chunk (the records of a finished run,
:func:`~.replication.replication_satisfaction`) or in many (a streaming run); memory holds
only the customers inside and one chunk.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from simulator.engine.records import RecordChunk, Records, RecordsMeta
from simulator.measures.exact import ExactSums
from simulator.satisfaction.compiled import PREFIX, SatisfactionModel, satisfaction_model
from simulator.satisfaction.from_records import BridgeTables, build_tables
from simulator.satisfaction.outputs import (
    csat_probabilities,
    expected_csat,
    sample_responses,
    satisfaction_rng,
)
from simulator.satisfaction.overall import apply_halo, overall_index
from simulator.satisfaction.predict import predict
from simulator.satisfaction.prediction import Prediction
from simulator.scenario.satisfaction_params import DIMENSIONS, ModelParameters, resolve_parameters

if TYPE_CHECKING:
    from simulator.scenario.plan import Plan

__all__ = ["SatisfactionMeasures", "SatisfactionOutputs", "gain_if_met"]

#: Hourly values (hour of arrival) added to the ``station == "all"`` by-hour rows.
_HOURLY = ("sat__csat_mean", "sat__csat_mean__all", "sat__top2_share",
           "sat__complaint_rate", "sat__return_rate")


@dataclass
class SatisfactionOutputs:
    """KPIs of one replication (``sat__*``) and the hourly values for the by-hour table."""

    kpis: dict[str, float]
    by_hour: dict[int, dict[str, float]] = field(default_factory=dict)
    prediction: Prediction | None = None
    tables: BridgeTables | None = None


def gain_if_met(prediction: Prediction, params: ModelParameters) -> np.ndarray:
    """Per customer and dimension: E[CSAT] gained if that dimension met expectations.

    The dimension's score is raised to ``max(score, 0)`` (0 = as expected) with the others
    unchanged (the halo of responsiveness goes with it), and E[CSAT] is recomputed. Shape
    (n, 5), non-negative; the dimension with the largest mean gain drives dissatisfaction.
    """
    dims = np.asarray(prediction.dimensions)
    w, psi, kappa, h = params.weights.as_tuple(), params.psi, params.kappa, params.h
    base = prediction.expected_csat
    out = np.zeros(dims.shape)
    for d in range(dims.shape[1]):
        alt = dims.copy()
        alt[:, d] = np.maximum(alt[:, d], 0.0)
        q = overall_index(apply_halo(alt, h), w, psi, kappa)
        out[:, d] = expected_csat(csat_probabilities(q, params.beta, params.cutpoints)) - base
    return np.maximum(out, 0.0)


class _Means:
    """Named means accumulated as exact sums and counts, in first-seen order."""

    def __init__(self) -> None:
        self.sums: dict[str, ExactSums] = {}
        self.counts: dict[str, int] = {}

    def add(self, name: str, x: np.ndarray, mask: np.ndarray | None = None) -> None:
        a = np.asarray(x, dtype=np.float64)
        if mask is not None:
            a = a[mask]
        if name not in self.sums:
            self.sums[name] = ExactSums()
            self.counts[name] = 0
        self.sums[name].add(a)
        self.counts[name] += int(a.size)

    def value(self, name: str) -> float:
        n = self.counts.get(name, 0)
        return self.sums[name].value() / n if n else math.nan


def _concat(parts: list[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """Column dicts joined, leaving out empty ones (whose columns may differ)."""
    full = [p for p in parts if next(iter(p.values())).size] or parts[:1]
    if len(full) == 1:
        return full[0]
    return {k: np.concatenate([p[k] for p in full]) for k in full[0]}


class SatisfactionMeasures:
    """The satisfaction KPIs of one replication, from chunks of rows (a record sink).

    Parameters
    ----------
    plan : Plan
        The compiled scenario.
    seed : int, optional
        The run's seed; with it (and ``outputs.sample_responses``) survey answers are drawn
        from ``satisfaction_rng(seed, replication)``.
    replication : int
        Replication index.
    model : SatisfactionModel, optional
        Precompiled :func:`~.compiled.satisfaction_model` of ``plan``.
    keep : bool
        Keep the prediction and tables (only when every customer was scored at once).
    day : int
        Day of a calendar, from 0: the survey answers' stream is that day's.
    on_scored : callable, optional
        Called with each scored batch: ``(customers, customer_id, p_complaint)``, the batch's
        customer rows (ascending ids), the scored customers' ids and their complaint
        probabilities (the back office's complaint cases, docs/week.md).
    """

    def __init__(self, plan: Plan, meta: RecordsMeta, seed: int | None = None,
                 replication: int = 0, *, model: SatisfactionModel | None = None,
                 keep: bool = False, day: int = 0,
                 on_scored: Callable[[dict[str, np.ndarray], np.ndarray, np.ndarray], None]
                 | None = None) -> None:
        self.plan = plan
        self._meta = {f: getattr(meta, f) for f in RecordsMeta.__dataclass_fields__}
        self.model = m = model if model is not None else satisfaction_model(plan)
        self.keep = keep
        self.enabled = m.enabled
        self.params = resolve_parameters(m.params, m.config) if m.enabled else None
        self.on_scored = on_scored
        self.rng = (satisfaction_rng(seed, replication, day)
                    if seed is not None and m.enabled and m.config.outputs.sample_responses
                    else None)
        self.visits: list[dict[str, np.ndarray]] = []
        self.customers: list[dict[str, np.ndarray]] = []
        self.means = _Means()
        self.hours: dict[int, _Means] = {}
        self.hours_done: dict[int, dict[str, float]] = {}  # settled hours, rounded once
        self.n_served = 0
        self.n_all = 0
        self.batches = 0
        self.kept: tuple[Prediction, BridgeTables] | None = None
        self.outputs: SatisfactionOutputs | None = None

    # ------------------------------------------------------------------ rows
    def consume(self, chunk: RecordChunk) -> None:
        """Take a chunk's visit and customer rows; score the customers now settled."""
        if not self.enabled:
            return
        self.visits.append(chunk.visits)
        self.customers.append(chunk.customers)
        self._score_below(chunk.settled_id)
        if math.isfinite(chunk.settled_min):  # every customer arriving before it is scored
            upto = math.floor(chunk.settled_min / 60.0)
            for h in [h for h in self.hours if h < upto]:
                self.hours_done[h] = self._hour_values(self.hours.pop(h))

    @staticmethod
    def _hour_values(hm: _Means) -> dict[str, float]:
        return {"sat__n_all": float(hm.counts["n_all"]), **{key: hm.value(key)
                                                            for key in _HOURLY}}

    def _score_below(self, settled_id: int) -> None:
        c = _concat(self.customers)
        v = _concat(self.visits)
        ready_c = c["customer_id"] < settled_id
        ready_v = v["customer_id"] < settled_id
        self.customers = [{k: a[~ready_c] for k, a in c.items()}]
        self.visits = [{k: a[~ready_v] for k, a in v.items()}]
        if not np.any(ready_c):
            return
        order = np.argsort(c["customer_id"][ready_c], kind="stable")
        cust = {k: a[ready_c][order] for k, a in c.items()}
        vis = {k: a[ready_v] for k, a in v.items()}
        vo = np.lexsort((vis["step_idx"], vis["customer_id"]))
        vis = {k: a[vo] for k, a in vis.items()}
        self._score(cust, vis)

    def _score(self, customers: dict[str, np.ndarray], visits: dict[str, np.ndarray]) -> None:
        """Predict and accumulate the customers of one settled run of ids."""
        m = self.model
        records = Records(visits=visits, customers=customers, levels={}, staff={},
                          end_min=math.nan, **self._meta)
        tables = build_tables(self.plan, records, m)
        if tables.customers.n_customers == 0:
            return
        pred = predict(tables.stages, tables.customers, m.params, m.config)
        if self.on_scored is not None:
            self.on_scored(customers, tables.customer_id, pred.p_complaint)
        self.batches += 1
        if self.keep:
            self.kept = (pred, tables) if self.batches == 1 else None
        served = pred.served
        self.n_served += int(np.count_nonzero(served))
        self.n_all += int(pred.n_customers)
        add = self.means.add
        add("csat_mean", pred.expected_csat, served)
        add("csat_mean__all", pred.expected_csat)
        add("top2_share", pred.top2, served)
        add("top2_share__all", pred.top2)
        add("csat_index", pred.csat_index, served)
        add("complaint_rate", pred.p_complaint)
        add("return_rate", pred.p_return)
        for j, d in enumerate(DIMENSIONS):
            add(f"dim__{d}", pred.dimensions[:, j], served)
        gains = gain_if_met(pred, self.params)  # type: ignore[arg-type]
        for j, d in enumerate(DIMENSIONS):
            add(f"gain__{d}", gains[:, j], served)
        queued = ~np.isnan(tables.row_wait)
        for std, _src in m.standards:
            if std.stage is None:
                continue
            s = m.station_names.index(std.stage)
            at = queued & (tables.row_station == s)
            add(f"gap3__{std.id}__share", (tables.row_wait[at] <= std.adequate_minutes)
                .astype(float))
        for ci, cname in enumerate(m.class_names):
            of = tables.class_idx == ci
            add(f"csat_mean__class__{cname}", pred.expected_csat, of & served)
            add(f"complaint_rate__class__{cname}", pred.p_complaint, of)
            add(f"return_rate__class__{cname}", pred.p_return, of)
        if self.rng is not None:
            ans = sample_responses(pred, self.rng)
            add("sampled__csat_mean", ans.csat.astype(float), served)
            add("sampled__top2_share", (ans.csat >= 4).astype(float), served)
            add("sampled__complaint_rate", ans.complaint.astype(float))
            add("sampled__return_rate", ans.returned.astype(float))
        hour = np.floor(tables.arrival_min / 60.0).astype(np.int64)
        for h in np.unique(hour).tolist():
            at = hour == h
            hm = self.hours.setdefault(h, _Means())
            hm.add("n_all", np.zeros(int(at.sum())))
            hm.add("sat__csat_mean", pred.expected_csat, at & served)
            hm.add("sat__csat_mean__all", pred.expected_csat, at)
            hm.add("sat__top2_share", pred.top2, at & served)
            hm.add("sat__complaint_rate", pred.p_complaint, at)
            hm.add("sat__return_rate", pred.p_return, at)

    # ------------------------------------------------------------------ results
    def finish(self, end_min: float = math.nan) -> None:
        """Score everyone left and compute the KPIs (kept in :attr:`outputs`)."""
        if not self.enabled:
            self.outputs = SatisfactionOutputs({})
            return
        if self.customers:
            self._score_below(1 << 62)
        m, p = self.model, PREFIX
        k: dict[str, float] = {
            f"{p}calibrated": float(m.params.calibrated),
            f"{p}n_served": float(self.n_served),
            f"{p}n_all": float(self.n_all),
        }
        names = ["csat_mean", "csat_mean__all", "top2_share", "top2_share__all", "csat_index",
                 "complaint_rate", "return_rate",
                 *(f"dim__{d}" for d in DIMENSIONS), *(f"gain__{d}" for d in DIMENSIONS),
                 *(f"gap3__{std.id}__share" for std, _ in m.standards if std.stage is not None)]
        for cname in m.class_names:
            names += [f"csat_mean__class__{cname}", f"complaint_rate__class__{cname}",
                      f"return_rate__class__{cname}"]
        if self.rng is not None:
            names += ["sampled__csat_mean", "sampled__top2_share", "sampled__complaint_rate",
                      "sampled__return_rate"]
        for name in names:
            k[f"{p}{name}"] = self.means.value(name)
        done = {**self.hours_done, **{h: self._hour_values(hm) for h, hm in self.hours.items()}}
        hours = dict(sorted(done.items()))
        pred, tables = self.kept if self.kept is not None else (None, None)
        self.outputs = SatisfactionOutputs(k, hours, pred, tables)
