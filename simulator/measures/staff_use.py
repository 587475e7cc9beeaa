"""Per-person staff use: busy and on-duty minutes of each staff slot, across stations.

Pure NumPy functions of one replication's :class:`~simulator.engine.records.Records`, over the whole
run (like the other staff KPIs, not windowed):

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

import math
from typing import Any

import numpy as np

from simulator.engine.records import Records

__all__ = ["busy_min_by_slot", "on_duty_min_by_slot", "routing_kpis", "staff_use_rows"]


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
    v = records.visits
    n_st = len(records.station_names)
    slot = v["staff_id"].astype(np.int64)
    start = v["start_min"].astype(np.float64)
    served = (slot >= 0) & np.isfinite(start)
    end = np.where(np.isnan(v["end_min"]), records.end_min, v["end_min"]).astype(np.float64)
    slots = sorted(set(records.slot_group) | set(np.unique(slot[served]).tolist()))
    out = {s: np.zeros(n_st) for s in slots}
    if np.any(served):
        key = slot[served] * n_st + v["station_idx"][served].astype(np.int64)
        keys, inv = np.unique(key, return_inverse=True)
        sums = np.bincount(inv, weights=end[served] - start[served])
        for k, total in zip(keys.tolist(), sums.tolist(), strict=True):
            out[k // n_st][k % n_st] = total
    return out


def on_duty_min_by_slot(records: Records) -> dict[int, float]:
    """On-duty minutes of each staff slot (Σ of its spells in ``records.duty``).

    Returns
    -------
    dict[int, float]
        Slot id -> minutes, for every slot in ``records.slot_group`` (0 if never on duty).
    """
    d = records.duty
    out = {s: 0.0 for s in records.slot_group}
    if d["slot_id"].size:
        off = np.where(np.isnan(d["off_min"]), records.end_min, d["off_min"])
        spell = np.clip(np.minimum(off, records.end_min) - d["on_min"], 0.0, None)
        for s, m in zip(d["slot_id"].tolist(), spell.tolist(), strict=True):
            out[s] = out.get(s, 0.0) + m
    return out


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
    busy = busy_min_by_slot(records)
    duty = on_duty_min_by_slot(records)
    rows = []
    for slot in sorted(set(busy) | set(duty)):
        b = busy.get(slot, np.zeros(len(records.station_names)))
        g = records.slot_group.get(slot, -1)
        on = duty.get(slot, 0.0)
        row: dict[str, Any] = {
            "slot_id": slot,
            "staff_group": records.group_names[g] if g >= 0 else "",
            "on_duty_min": on,
            "busy_min": float(b.sum()),
            "utilisation": float(b.sum()) / on if on > 0 else math.nan,
        }
        for s, name in enumerate(records.station_names):
            row[f"busy_min__{name}"] = float(b[s])
        rows.append(row)
    return rows


def routing_kpis(records: Records) -> dict[str, float]:
    """KPIs of skill-based routing (only for models with a routed group).

    For each routed group ``g`` (``records.routed_serves``): ``staff__{g}__on_duty_min``,
    ``staff__{g}__busy_min`` and ``staff__{g}__utilisation`` (Σ busy / Σ on-duty minutes of
    its people, across every station they served). Then for each station ``s`` a routed group
    serves, for every group serving it (in group order): ``{s}__busy_min__{g}``, the minutes
    of service given at ``s`` by people of ``g``. Empty when no group is routed.
    """
    if not records.routed_serves:
        return {}
    busy = busy_min_by_slot(records)
    duty = on_duty_min_by_slot(records)
    n_st = len(records.station_names)
    by_group = np.zeros((len(records.group_names), n_st))
    duty_by_group = np.zeros(len(records.group_names))
    for slot, b in busy.items():
        g = records.slot_group.get(slot, -1)
        if g >= 0:
            by_group[g] += b
    for slot, m in duty.items():
        duty_by_group[records.slot_group[slot]] += m
    k: dict[str, float] = {}
    for g in sorted(records.routed_serves):
        name = records.group_names[g]
        b = float(by_group[g].sum())
        k[f"staff__{name}__on_duty_min"] = float(duty_by_group[g])
        k[f"staff__{name}__busy_min"] = b
        on = float(duty_by_group[g])
        k[f"staff__{name}__utilisation"] = b / on if on > 0 else math.nan
    stations = sorted({s for serves in records.routed_serves.values() for s in serves})
    for s in stations:
        servers = [g for g in range(len(records.group_names))
                   if s in records.routed_serves.get(g, ())]
        for g in servers:
            k[f"{records.station_names[s]}__busy_min__{records.group_names[g]}"] = float(
                by_group[g, s])
    return k
