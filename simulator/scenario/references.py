"""The files a scenario names: arrival traces, empirical CSVs and a satisfaction profile.

A scenario that arrives without a folder of its own (uploaded to the classroom app) must not
name files: they would be looked up on the server. :func:`file_references` lists them, with
their field paths, so such a scenario can be refused before anything is read.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from simulator.scenario.arrivals import TraceArrivals
from simulator.scenario.distributions import Empirical
from simulator.scenario.satisfaction_section import SatisfactionSection
from simulator.scenario.schema import Scenario

__all__ = ["file_references"]


def file_references(scenario: Scenario | BaseModel) -> list[tuple[tuple[str | int, ...], str]]:
    """Every file the scenario names, as (field path, file name), in model order.

    Examples
    --------
    >>> from simulator.scenario.distributions import Exponential
    >>> file_references(Exponential(mean=2.0))  # any section can be searched
    []
    """
    found: list[tuple[tuple[str | int, ...], str]] = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), scenario)]
    while stack:
        loc, value = stack.pop()
        if isinstance(value, TraceArrivals):
            found.append(((*loc, "trace"), value.trace))
        elif isinstance(value, Empirical) and value.file is not None:
            found.append(((*loc, "file"), value.file))
        elif (isinstance(value, SatisfactionSection) and value.profile != "default"
              and value.profile_inline is None):
            found.append(((*loc, "profile"), value.profile))
        if isinstance(value, BaseModel):
            items: list[tuple[str | int, Any]] = [
                (f.alias or name, getattr(value, name))
                for name, f in type(value).model_fields.items()]
        elif isinstance(value, dict):
            items = [(str(k), v) for k, v in value.items()]
        elif isinstance(value, list | tuple):
            items = list(enumerate(value))
        else:
            continue
        stack.extend(((*loc, key), v) for key, v in reversed(items))
    return found
