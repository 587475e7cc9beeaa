"""Per-person staff use: busy and on-duty minutes of each staff slot, across stations.

Functions of one replication's :class:`~simulator.engine.records.Records`, over the whole run
(like the other staff KPIs, not windowed), computed by the streaming measures
(:class:`simulator.measures.acc_staff.StaffMeasures`):

* **busy minutes** of a slot at a station: Σ (``end_min`` − ``start_min``) of the visits it
  served there (``staff_id`` = the slot; a service still running when the run stopped counts up
  to ``end_min`` of the run). A redo by the same server is part of the visit.
* **on-duty minutes** of a slot: Σ (``off_min`` − ``on_min``) of its on-duty spells
  (``records.duty``; a spell still open when the run stopped counts up to ``end_min``).
  Overtime and late breaks are included, breaks are not.
* **utilisation** of a slot = busy / on-duty minutes.

Under skill-based routing a slot is one person all day (departures are per person), so these
are per-person figures that span shift changes, breaks and the stations the person helped at.
For a group serving one station alone, a slot is a roster position: when an idle person goes
off duty in place of a busy one the two swap slots (see :mod:`simulator.engine.station`), and a
service running across the swap stays credited to the slot that started it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.engine.records import Records
from simulator.measures.acc_staff import StaffMeasures
from simulator.measures.accumulate import records_chunk

__all__ = ["busy_min_by_slot", "on_duty_min_by_slot", "routing_kpis", "staff_use_rows"]


def _measured(records: Records) -> StaffMeasures:
    """The staff measures of a finished replication."""
    m = StaffMeasures(records.meta, None)
    chunk = records_chunk(records)
    m.consume(chunk.visits, chunk.staff, chunk.duty)
    m.finish(records.end_min)
    return m


def busy_min_by_slot(records: Records) -> dict[int, np.ndarray]:
    """Busy minutes of each staff slot at each station.

    Parameters
    ----------
    records : Records
        One replication's tables.

    Returns
    -------
    dict[int, numpy.ndarray]
        Slot id -> array of busy minutes indexed by station, for every slot in
        ``records.slot_group`` and every slot that served a visit.
    """
    m = _measured(records)
    return {slot: m.busy_min(slot) for slot in m.slots()}


def on_duty_min_by_slot(records: Records) -> dict[int, float]:
    """On-duty minutes of each staff slot (Σ of its spells in ``records.duty``).

    Returns
    -------
    dict[int, float]
        Slot id -> minutes, for every slot in ``records.slot_group`` (0 if never on duty).
    """
    m = _measured(records)
    return {slot: m.on_duty_min(slot) for slot in records.slot_group}


def staff_use_rows(records: Records) -> list[dict[str, Any]]:
    """One row per staff slot: group, on-duty and busy minutes, utilisation, busy by station.

    Returns
    -------
    list of dict
        Keys ``slot_id``, ``staff_group``, ``on_duty_min``, ``busy_min``, ``utilisation``
        (busy / on duty, NaN if never on duty) and ``busy_min__{station}`` per station, in
        slot order.

    Examples
    --------
    >>> staff_use_rows(records)[0]["utilisation"]  # doctest: +SKIP
    0.81
    """
    return _measured(records).use_rows()


def routing_kpis(records: Records) -> dict[str, float]:
    """KPIs of skill-based routing (only for models with a routed group).

    For each routed group ``g`` (``records.routed_serves``): ``staff__{g}__on_duty_min``,
    ``staff__{g}__busy_min`` and ``staff__{g}__utilisation`` (Σ busy / Σ on-duty minutes of
    its people, across every station they served). Then for each station ``s`` a routed group
    serves, for every group serving it (in group order): ``{s}__busy_min__{g}``, the minutes
    of service given at ``s`` by people of ``g``. Empty when no group is routed.
    """
    return _measured(records).routing_kpis()
