"""Which varied value moves a KPI most: sensitivity of a Latin-hypercube sweep.

For each KPI, the design points' means (one per variant, from ``sweep.csv``) are explained
by the numeric varied values (``variants.csv``) in two ways, each with a 95 % interval:

- **SRC**, the standardised regression coefficient: the slope of the KPI on each value when
  both are scaled to unit standard deviation, from one least-squares fit of all values
  together. With uncorrelated inputs (a Latin hypercube) SRC² is the share of the KPI's
  variance the value explains, and R² says how much of it a straight-line model explains
  at all (Saltelli et al. 2008, sec. 1.2.5). Interval: Student t with n − k − 1 degrees of
  freedom from the fit's standard errors.
- **PRCC**, the partial rank correlation coefficient: the correlation between the ranks of
  the value and of the KPI after the linear effect of the other values' ranks is removed
  from both; it catches any monotone effect, linear or not (Blower & Dowlatabadi 1994;
  Marino et al. 2008). Interval: Fisher's z, ``tanh(atanh(r) ± z₀.₉₇₅ / sqrt(n − 3 − (k − 1)))``.

Values that are not numbers (clock times, names) are left out; so is a value that does not
vary. Too few points for the intervals (n ≤ k + 2) give NaN intervals.

References
----------
Saltelli, A. et al. (2008). *Global Sensitivity Analysis: The Primer*. Wiley.
Blower, S. M. & Dowlatabadi, H. (1994). Sensitivity and uncertainty analysis of complex models
    of disease transmission. *International Statistical Review* 62(2), 229-243.
Marino, S., Hogue, I. B., Ray, C. J. & Kirschner, D. E. (2008). A methodology for performing
    global uncertainty and sensitivity analysis in systems biology. *Journal of Theoretical
    Biology* 254(1), 178-196.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

__all__ = ["SENSITIVITY_COLUMNS", "numeric_parameters", "sensitivity_table"]

#: Columns of ``sensitivity.csv``.
SENSITIVITY_COLUMNS: tuple[str, ...] = (
    "kpi", "parameter", "src", "src_ci_low", "src_ci_high", "prcc", "prcc_ci_low",
    "prcc_ci_high", "r2", "points",
)


def numeric_parameters(variants: pd.DataFrame) -> list[str]:
    """Varied values that are numbers and take at least two values."""
    out = []
    for col in variants.columns:
        if col == "variant_id":
            continue
        x = pd.to_numeric(variants[col], errors="coerce")
        if x.notna().all() and x.nunique() > 1:
            out.append(str(col))
    return out


def _residuals(y: np.ndarray, others: np.ndarray) -> np.ndarray:
    design = np.column_stack([np.ones(len(y)), others])
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    return y - design @ coef


def _ranks(x: np.ndarray) -> np.ndarray:
    from scipy.stats import rankdata

    return rankdata(x, method="average")


def _src(x: np.ndarray, y: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray,
                                                                     float]:
    """SRCs, their half-widths and R² of the standardised least-squares fit."""
    from scipy.stats import t as student_t

    n, k = x.shape
    xs = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)
    sd_y = y.std(ddof=1)
    if not sd_y > 0:
        return np.full(k, math.nan), np.full(k, math.nan), math.nan
    ys = (y - y.mean()) / sd_y
    design = np.column_stack([np.ones(n), xs])
    coef, *_ = np.linalg.lstsq(design, ys, rcond=None)
    resid = ys - design @ coef
    r2 = 1.0 - float(resid @ resid) / float(ys @ ys)
    df = n - k - 1
    if df < 1:
        return coef[1:], np.full(k, math.nan), r2
    sigma2 = float(resid @ resid) / df
    cov = sigma2 * np.linalg.pinv(design.T @ design)
    half = student_t.ppf(0.5 + confidence / 2, df) * np.sqrt(np.diag(cov)[1:])
    return coef[1:], half, r2


def _prcc(x: np.ndarray, y: np.ndarray, j: int) -> float:
    rx = _ranks(x[:, j])
    ry = _ranks(y)
    others = np.column_stack([_ranks(x[:, i]) for i in range(x.shape[1]) if i != j]) \
        if x.shape[1] > 1 else np.zeros((len(y), 0))
    ex, ey = _residuals(rx, others), _residuals(ry, others)
    den = math.sqrt(float(ex @ ex) * float(ey @ ey))
    return float(ex @ ey) / den if den > 0 else math.nan


def sensitivity_table(tidy: pd.DataFrame, variants: pd.DataFrame, kpis: Sequence[str],
                      confidence: float = 0.95) -> pd.DataFrame:
    """SRC and PRCC of every numeric varied value for each KPI, with intervals.

    Parameters
    ----------
    tidy : pandas.DataFrame
        ``sweep.csv``: variant_id, kpi, mean (one row per variant and KPI).
    variants : pandas.DataFrame
        ``variants.csv``: variant_id and one column per varied value.
    kpis : sequence of str
        KPIs to explain (those absent or constant are skipped).
    confidence : float
        Two-sided level of the intervals.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SENSITIVITY_COLUMNS`, one row per (KPI, varied value).

    Examples
    --------
    >>> v = pd.DataFrame({"variant_id": list("abcdef"), "x": [1, 2, 3, 4, 5, 6]})
    >>> t = pd.DataFrame({"variant_id": list("abcdef"), "kpi": "y",
    ...                   "mean": [2.0, 4.1, 5.9, 8.0, 10.1, 11.9]})
    >>> round(float(sensitivity_table(t, v, ["y"])["prcc"].iloc[0]), 3)
    1.0
    """
    from scipy.stats import norm

    params = numeric_parameters(variants)
    rows: list[dict[str, object]] = []
    if not params:
        return pd.DataFrame(rows, columns=list(SENSITIVITY_COLUMNS))
    z0 = float(norm.ppf(0.5 + confidence / 2))
    for kpi in kpis:
        part = tidy[tidy["kpi"] == kpi][["variant_id", "mean"]]
        data = variants.merge(part, on="variant_id").dropna(subset=["mean"])
        n, k = len(data), len(params)
        if n < 3:
            continue
        x = np.column_stack([pd.to_numeric(data[p]).to_numpy(float) for p in params])
        y = data["mean"].to_numpy(float)
        if not np.ptp(y) > 0:
            continue
        src, half, r2 = _src(x, y, confidence)
        for j, p in enumerate(params):
            r = _prcc(x, y, j)
            df_z = n - 3 - (k - 1)
            if df_z > 0 and abs(r) < 1:
                z = math.atanh(r)
                lo, hi = math.tanh(z - z0 / math.sqrt(df_z)), math.tanh(z + z0 / math.sqrt(df_z))
            elif abs(r) == 1:
                lo = hi = r
            else:
                lo = hi = math.nan
            rows.append({"kpi": kpi, "parameter": p, "src": float(src[j]),
                         "src_ci_low": float(src[j] - half[j]),
                         "src_ci_high": float(src[j] + half[j]), "prcc": r,
                         "prcc_ci_low": lo, "prcc_ci_high": hi, "r2": r2, "points": n})
    return pd.DataFrame(rows, columns=list(SENSITIVITY_COLUMNS))
