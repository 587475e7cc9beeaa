"""The warm-up figure: Welch's curve and the MSER statistic of a pilot study."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from simulator.measures.warmup import SERIES_LABELS, WarmupSuggestion

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["warmup_figure"]




def warmup_figure(s: WarmupSuggestion, title: str = "") -> Figure:
    """Welch's curve and the MSER statistic, with both truncation points marked.

    Top: the replication means per interval (thin) and Welch's moving average (thick) against
    minutes after opening (interval midpoints), the reference level with its band, and
    vertical lines at the Welch and MSER-5 warm-ups. Bottom: MSER(d) against the warm-up it
    implies, its minimum marked.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(9, 6.5), constrained_layout=True,
                                  height_ratios=(3, 2))
    dt = s.interval_min
    x = (np.arange(s.n_intervals) + 0.5) * dt
    ax.plot(x, s.averaged, color="0.65", lw=0.7,
            label=f"mean of {s.n_replications} replications")
    ax.plot(x[: s.moving_average.size], s.moving_average, color="tab:blue", lw=1.8,
            label=f"Welch moving average (w = {s.window}, {(2 * s.window + 1) * dt:g} min)")
    ref, band = s.welch_reference, s.welch_band
    ax.axhspan(ref - band, ref + band, color="tab:blue", alpha=0.12,
               label=f"long-run level ± {band:.3g} (Welch band)")
    ax.axhline(ref, color="tab:blue", lw=0.8, ls=":")
    ax.axvline(s.welch_min, color="tab:red", ls="--", lw=1.4,
               label=f"Welch: {s.welch_min:g} min")
    ax.axvline(s.mser_min, color="tab:green", ls="-.", lw=1.4,
               label=f"MSER-{s.batch}: {s.mser_min:g} min")
    ax.set_ylabel(SERIES_LABELS.get(s.series, s.series), fontsize=9)
    ax.set_xlim(0, s.n_intervals * dt)
    ax.set_ylim(bottom=min(0.0, float(np.nanmin(s.averaged))))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    d_min = np.arange(s.mser_values.size) * s.batch * dt
    ax2.plot(d_min, s.mser_values, color="tab:green", lw=1.4)
    ax2.plot([s.mser_min], [s.mser_values[s.mser_index // s.batch]], "o", color="tab:green",
             label=f"minimum: delete {s.mser_min:g} min")
    ax2.set_xlim(0, s.n_intervals * dt)
    ax2.set_xlabel("minutes after opening (warm-up deleted)")
    ax2.set_ylabel(f"MSER-{s.batch} statistic", fontsize=9)
    ax2.grid(alpha=0.3)
    ax2.legend(fontsize=8, loc="upper right")
    fig.suptitle(title or "Warm-up: Welch's method and MSER-5", fontsize=12)
    return fig
