"""Figures of the report: existing PNG files embedded as data URIs, and the by-hour figures
drawn here in memory from ``by_hour.csv`` (Matplotlib, Agg, no timestamp in the PNG)."""

from __future__ import annotations

import base64
import io
import struct
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from simulator.measures.labels import humanise
from simulator.report.markup import esc

if TYPE_CHECKING:
    import matplotlib.pyplot as plt
    import pandas as pd
    from matplotlib.figure import Figure


def _pyplot() -> Any:
    """Matplotlib's pyplot on the Agg backend, imported on first use (a report without
    figures needs no Matplotlib)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as pyplot

    return pyplot

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels from a PNG's header.

    Raises
    ------
    ValueError
        If ``data`` is not a PNG.
    """
    if data[:8] != _PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image (got a file without the PNG signature)")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def figure_html(data: bytes, alt: str, caption: str) -> str:
    """A ``<figure>`` holding ``data`` (PNG bytes) as a base64 data URI, with a caption.

    ``alt`` and ``caption`` are plain text (escaped here).
    """
    width, height = png_size(data)
    uri = "data:image/png;base64," + base64.b64encode(data).decode("ascii")
    return (f'<figure class="keep"><img src="{uri}" width="{width}" height="{height}" '
            f'alt="{esc(alt)}"><figcaption>{esc(caption)}</figcaption></figure>\n')


def to_png(fig: Figure, dpi: int = 100) -> bytes:
    """Render ``fig`` to PNG bytes without a software tag or timestamp, and close it."""
    plt = _pyplot()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def hour_means(by_hour: pd.DataFrame, column: str, stations: Sequence[str]) -> pd.DataFrame:
    """Mean over replications of ``column`` per (hour, station): hours as rows, stations as
    columns in the given order (NaN where no replication has a value)."""
    rows = by_hour[by_hour["station"].isin(list(stations))]
    table = rows.groupby(["hour", "station"], sort=True)[column].mean().unstack("station")
    return table.reindex(columns=list(stations))


def _hour_axis(ax: plt.Axes, hours: np.ndarray) -> None:
    if hours.size == 0:
        return
    step = max(1, int(np.ceil(hours.size / 7)))
    ticks = hours[::step]
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{int(h) % 24:02d}:00" for h in ticks], fontsize=8)


def waits_queues_by_hour(by_hour: pd.DataFrame, stations: Sequence[str]) -> Figure:
    """Two panels: mean wait by hour of joining, and time-weighted queue length by clock hour,
    one line per station (means over replications)."""
    plt = _pyplot()
    wait = hour_means(by_hour, "wait_mean_min", stations)
    queue = hour_means(by_hour, "queue_len_tw", stations)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.6))
    fig.subplots_adjust(left=0.07, right=0.98, top=0.84, bottom=0.12, wspace=0.22)
    hours = wait.index.to_numpy(dtype=float)
    q_hours = queue.index.to_numpy(dtype=float)
    edges = np.append(q_hours, q_hours[-1] + 1) if q_hours.size else q_hours
    for i, name in enumerate(stations):
        colour = f"C{i % 10}"
        ax1.plot(hours + 0.5, wait[name].to_numpy(dtype=float), "o-", ms=3, lw=1.3,
                 color=colour, label=humanise(name))
        if q_hours.size:
            ax2.stairs(queue[name].to_numpy(dtype=float), edges, lw=1.3, color=colour,
                       label=humanise(name), baseline=None)
    ax1.set_title("Mean wait by hour of joining the line", fontsize=10)
    ax1.set_ylabel("wait (min)")
    ax2.set_title("Mean queue length by clock hour (time-weighted)", fontsize=10)
    ax2.set_ylabel("customers waiting")
    for ax in (ax1, ax2):
        _hour_axis(ax, hours)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    ax1.legend(fontsize=7, loc="upper left")
    fig.suptitle("Waits and queues by hour (means over replications)", fontsize=11)
    return fig


def staff_against_demand(by_hour: pd.DataFrame, stations: Sequence[str]) -> Figure:
    """Per station: customers joining per hour (bars, right axis) against the mean staff on
    duty and counters busy in that hour (steps, left axis)."""
    plt = _pyplot()
    arrivals = hour_means(by_hour, "arrivals", stations)
    duty = hour_means(by_hour, "on_duty_tw", stations)
    busy = hour_means(by_hour, "busy_tw", stations)
    n = max(1, len(stations))
    cols = 1 if n <= 2 else 2
    rows = int(np.ceil(n / cols))
    height = 2.6 * rows + 1.0
    fig, axes = plt.subplots(rows, cols, figsize=(10 if cols == 2 else 8, height),
                             squeeze=False)
    fig.subplots_adjust(left=0.08, right=0.92, top=1 - 0.55 / height, bottom=0.55 / height,
                        wspace=0.38, hspace=0.45)
    flat = list(axes.ravel())
    for ax in flat[n:]:
        ax.set_visible(False)
    hours = arrivals.index.to_numpy(dtype=float)
    for ax, name in zip(flat, stations, strict=False):
        ax2 = ax.twinx()
        ax2.bar(hours + 0.5, arrivals[name].to_numpy(dtype=float), width=0.8,
                color="tab:blue", alpha=0.25)
        ax2.set_ylabel("joining / hour", fontsize=8, color="tab:blue")
        ax2.set_ylim(bottom=0)
        edges = np.append(hours, hours[-1] + 1) if hours.size else hours
        for values, colour, label in ((duty, "black", "staff on duty"),
                                      (busy, "tab:red", "counters busy")):
            v = values[name].to_numpy(dtype=float)
            ax.stairs(v, edges, color=colour, lw=1.4, label=label, baseline=None)
        ax.set_zorder(ax2.get_zorder() + 1)
        ax.patch.set_visible(False)
        ax.set_ylim(bottom=0)
        ax.set_ylabel("people / counters", fontsize=8)
        ax.set_title(humanise(name), fontsize=10)
        _hour_axis(ax, hours)
        ax.grid(alpha=0.3)
    handles, labels = flat[0].get_legend_handles_labels()
    handles.append(plt.Rectangle((0, 0), 1, 1, color="tab:blue", alpha=0.25))
    labels.append("customers joining per hour")
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=8, frameon=False)
    fig.suptitle("Staff on duty against demand (means over replications)", fontsize=11)
    return fig
