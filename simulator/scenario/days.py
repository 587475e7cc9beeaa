"""The days of a calendar, compiled: each open day's plan and the back office's plan.

:func:`with_days` is called by :func:`simulator.scenario.plan.compile_plan` (passed in, so
this module needs nothing from the plan module) for a scenario with a ``calendar:`` or a
``back_office:``; it compiles each day type once (:func:`~.calendar.apply_day_type`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from simulator.scenario.back_office import compile_back_office
from simulator.scenario.calendar import CLOSED, Calendar, apply_day_type, day_labels

__all__ = ["DayPlan", "with_days"]


@dataclass(frozen=True)
class DayPlan:
    """A day of a calendar: number (from 1), label, day type and its
    :class:`~simulator.scenario.plan.Plan` (``None``: closed)."""

    day: int
    label: str
    day_type: str
    plan: Any


def with_days(plan: Any, base: Path, compile_plan: Callable[[Any, Path], Any]) -> Any:
    """``plan`` with the plan of every day of its calendar (a back office without a calendar
    has one day) and its back office's plan."""
    sc = plan.scenario
    cal = sc.calendar or Calendar()
    by_type: dict[str, Any] = {}
    days = []
    for d, label in enumerate(day_labels(cal), start=1):
        name = cal.day_type(d)
        if name not in by_type:
            by_type[name] = (None if name == CLOSED else
                             compile_plan(apply_day_type(sc, name), base))
        days.append(DayPlan(d, label, name, by_type[name]))
    bo = (compile_back_office(sc, cal, [(dp.day, dp.plan.close_min) for dp in days if dp.plan])
          if sc.back_office is not None else None)
    return replace(plan, days=tuple(days), back_office=bo)
