"""What the day costs: staff pay rates, overtime premiums and compensation per failure.

:class:`CostRates` carries everything the cost KPIs need, compiled from a scenario's plan by
:func:`cost_rates`: each staff group's ``cost_per_hour`` and ``overtime_premium``, each
station's ``failure.actions.compensation_cost`` and the scheduled paid spells of every roster
slot (for cost by hour of day). The measures themselves are accumulated in
:mod:`.acc_staff` (staff cost) and :mod:`.accumulate` (``recovery_cost``); their definitions
are in :func:`simulator.measures.kpis.replication_kpis`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simulator.scenario.plan import Plan

__all__ = ["CostRates", "as_cost_rates", "cost_rates", "paid_spells"]


@dataclass(frozen=True)
class CostRates:
    """Pay and compensation rates of one scenario.

    Attributes
    ----------
    per_hour_by_group : tuple of float
        Money per paid hour of a person of each staff group.
    overtime_premium_by_group : tuple of float
        Overtime pay multiplier of each group (1 = the normal rate); empty: 1 for every group.
    compensation_by_station : tuple of float
        Money paid out per failed service at each station; empty: none anywhere.
    paid_spells : tuple of (start_min, end_min, group)
        Scheduled paid time of every roster slot (breaks excluded), for cost by hour; empty:
        no cost by hour.
    """

    per_hour_by_group: tuple[float, ...]
    overtime_premium_by_group: tuple[float, ...] = ()
    compensation_by_station: tuple[float, ...] = ()
    paid_spells: tuple[tuple[float, float, int], ...] = ()

    def premium(self) -> np.ndarray:
        """Overtime premium of each group (ones when not given)."""
        if not self.overtime_premium_by_group:
            return np.ones(len(self.per_hour_by_group))
        return np.asarray(self.overtime_premium_by_group, dtype=np.float64)


def paid_spells(plan: Plan) -> tuple[tuple[float, float, int], ...]:
    """Scheduled paid spells ``(start_min, end_min, group)`` of every roster slot.

    A slot's on-duty intervals in order, cut once they add up to its paid minutes (so an
    always-on-duty group of a steady-state run is paid for its ``paid_min`` only, as in
    ``staff_paid_min``).

    Examples
    --------
    >>> from simulator.scenario.loader import load_scenario_text
    >>> from simulator.scenario.plan import compile_plan
    >>> text = ('clock: {open: "08:00", close: "10:00"}\\n'
    ...         'arrivals: {walk_in: {rate_per_hour: 10}}\\n'
    ...         'customer_classes: {c: {pathway: p}}\\n'
    ...         'stations: {desk: {counters: 1, staff: s, '
    ...         'service: {dist: exponential, mean: 5}}}\\n'
    ...         'staff: {s: {shifts: [{start: "08:00", end: "10:00", count: 1, '
    ...         'breaks: [{start: "09:00", minutes: 15}]}]}}\\n'
    ...         'pathways: {p: [desk]}\\n')
    >>> paid_spells(compile_plan(load_scenario_text(text).scenario))
    ((480.0, 540.0, 0), (555.0, 600.0, 0))
    """
    out: list[tuple[float, float, int]] = []
    for slot in plan.slots:
        left = float(slot.paid_min)
        for on, off, _kind, _gap in slot.intervals:
            if left <= 0:
                break
            end = min(float(off), float(on) + left)
            if end > on:
                out.append((float(on), end, slot.group))
                left -= end - on
    return tuple(out)


def cost_rates(plan: Plan) -> CostRates:
    """The :class:`CostRates` of a compiled scenario."""
    sc = plan.scenario
    premiums = tuple(float(g.overtime_premium) for g in sc.staff.values())
    comp = tuple(
        float(sc.stations[sp.name].failure.actions.compensation_cost)  # type: ignore[union-attr]
        if sp.name in sc.stations and sc.stations[sp.name].failure is not None else 0.0
        for sp in plan.stations)
    return CostRates(
        per_hour_by_group=tuple(float(c) for c in plan.group_cost_per_hour),
        overtime_premium_by_group=premiums if any(p != 1.0 for p in premiums) else (),
        compensation_by_station=comp if any(c != 0.0 for c in comp) else (),
        paid_spells=paid_spells(plan))


def as_cost_rates(costs: Sequence[float] | CostRates | None) -> CostRates | None:
    """``costs`` as :class:`CostRates` (a plain sequence is the rates per group)."""
    if costs is None or isinstance(costs, CostRates):
        return costs
    return CostRates(per_hour_by_group=tuple(float(c) for c in costs))

