"""The by-hour rows of one replication: per clock hour and station, by hour of arrival.

Tallies (arrivals, waits, balking, abandonment, standards) are grouped by the hour the
customer arrived (the ``all`` rows) or joined the station's line (a station's rows); levels
(queue length, staff on duty, utilisation) are time-weighted over each clock hour, clipped to
the statistics window. Same estimators and windows as the KPI row
(:mod:`simulator.measures.kpis`); computed by the streaming measures
(:mod:`simulator.measures.acc_hours`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from simulator.engine.records import Records
from simulator.measures.accumulate import measure_records
from simulator.measures.standards import standard_slugs

__all__ = [
    "BY_HOUR_COLUMNS",
    "by_hour_columns",
    "by_hour_rows",
]

#: Fixed leading columns of :func:`by_hour_rows`; one ``std__{slug}__compliance`` column per
#: service standard follows, in the order the standards were given.
BY_HOUR_COLUMNS: tuple[str, ...] = (
    "hour",
    "hour_start_min",
    "station",
    "arrivals",
    "served",
    "balked",
    "abandoned",
    "balk_rate",
    "abandon_rate",
    "wait_mean_min",
    "wait_p90_min",
    "queue_len_tw",
    "busy_tw",
    "on_duty_tw",
    "utilisation_tw",
)


def by_hour_columns(standards: Sequence[Any] = ()) -> list[str]:
    """Column names of :func:`by_hour_rows` for these standards, in order.

    Examples
    --------
    >>> by_hour_columns([{"name": "Q 15"}])[-1]
    'std__q_15__compliance'
    """
    return [*BY_HOUR_COLUMNS, *(f"std__{k}__compliance" for k in standard_slugs(standards))]


def by_hour_rows(records: Records, standards: Sequence[Any] = ()) -> list[dict[str, Any]]:
    r"""KPIs by clock hour, one row per (hour, station) plus an overall row per hour.

    Hours are ``h = floor(t / 60)`` of the clock time t (minutes after midnight). Rows cover
    every hour from the hour of ``stats_start_min`` to the latest of the last window arrival's
    hour, the last window visit's joining hour and the last hour that overlaps
    ``[stats_start_min, end_min]``, so closing-time service has rows too (hours without
    arrivals have ``arrivals == 0`` and NaN rates and waits). Within an hour the overall row
    (``station == "all"``) comes first, then stations in ``records.station_names`` order.
    Every row has the keys of :func:`by_hour_columns` in that order:

    - ``hour`` (int), ``hour_start_min`` (= 60·hour), ``station`` (str).
    - Tally columns (window customers/visits only, as in :func:`replication_kpis`), binned by
      the hour of *arrival*: for ``"all"`` the customer's ``arrival_min`` and the customer
      table (``arrivals`` = customers, ``served``/``balked``/``abandoned`` by
      :class:`CustomerOutcome`, ``wait_*`` over ``wait_min`` of served customers); for a
      station the visit's ``join_min`` and the visit table (``arrivals`` = visits,
      ``served`` = SERVED/FAILED/RECOVERED, ``balked`` = BALKED + BLOCKED, ``abandoned``,
      ``wait_*`` over ``start − join`` of visits that started service). ``balk_rate`` =
      balked / arrivals, ``abandon_rate`` = abandoned / arrivals (NaN if no arrivals);
      ``wait_mean_min`` (exact) and ``wait_p90_min`` (numpy's linear percentile of the
      hour's waits, exact: an hour's waits are kept until no customer can add to them).
    - Time-weighted columns over the clock hour clipped to the statistics window,
      :math:`[\max(60h, T_0), \min(60h+60, T_1)]` (all NaN if that is empty):
      ``queue_len_tw``, ``busy_tw``, ``on_duty_tw`` and ``utilisation_tw`` = ∫busy / ∫on_duty
      (NaN if nobody on duty). The ``"all"`` row sums the stations' levels (utilisation =
      Σ∫busy / Σ∫on_duty).
    - ``std__{k}__compliance`` per standard (see :func:`replication_kpis`), over the units
      whose measured wait began in the hour (joining the line for a station standard,
      arrival for a whole-visit standard); filled on the ``"all"`` row and, for a station
      standard, on that station's row; NaN elsewhere and where no unit is relevant.

    Parameters
    ----------
    records : Records
        One replication's tables.
    standards : sequence, default ()
        Service standards as for :func:`replication_kpis`.

    Returns
    -------
    list of dict
        Rows, ready for ``csv.DictWriter(fieldnames=by_hour_columns(standards))``.
    """
    return measure_records(records, standards).by_hour
