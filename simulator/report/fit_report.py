"""``fit_report.html``: the fit of a ticket log in the style of ``report.html``.

Verdicts first (are arrivals Poisson, which family fits each service, how patient are
customers, does the scenario reproduce the log), then the evidence: data quality, arrivals,
service times, patience, staff, routing, the back-test and the scenario file itself.
:class:`FitFiguresAndReport` hands the figures and this page to
:func:`simulator.experiments.fitting.fit.write_fit` (the
:class:`~simulator.experiments.fitting.artifacts.FitArtifacts` protocol).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from simulator.report.markup import esc, num, page, pct, table

if TYPE_CHECKING:
    from simulator.experiments.fitting.backtest import BackTest
    from simulator.experiments.fitting.fit import FitResult

__all__ = ["FIT_REPORT_NAME", "FitFiguresAndReport", "build_fit_report"]

#: File name of the report inside a fit folder.
FIT_REPORT_NAME = "fit_report.html"


def _ci(mean: float, low: float, high: float, digits: int = 2) -> str:
    if any(isinstance(x, float) and math.isnan(x) for x in (low, high)):
        return num(mean)
    return f"{num(mean)} [{num(low)}, {num(high)}]"


def _figure(folder: Path, name: str, caption: str) -> str:
    from simulator.report.figures import figure_html

    path = folder / "figures" / name
    return figure_html(path.read_bytes(), caption, caption) if path.exists() else ""


def _verdicts(res: FitResult, bt: BackTest | None) -> str:
    items = [f"<li><strong>Arrivals.</strong> {esc(res.arrivals.check.verdict)}</li>"]
    for station, fit in res.services.items():
        if fit.staff:
            continue
        items.append(f"<li><strong>Service at {esc(station)}.</strong> {esc(fit.note)}.</li>")
    items.append(f"<li><strong>Patience.</strong> {esc(res.patience.note)}.</li>")
    items.append(f"<li><strong>Balking.</strong> {esc(res.balking.note)}.</li>")
    if bt is not None:
        cls = "yes" if bt.credible else "no"
        items.append(f'<li><strong>Back-test.</strong> <span class="{cls}">'
                     f"{esc(bt.verdict)}</span></li>")
    rows_out = res.quality.rows_out()
    items.append(f"<li><strong>Data.</strong> {res.log.rows_read:,} rows read; "
                 f"{rows_out:,} left out ({pct(rows_out / max(res.log.rows_read, 1))}), by "
                 "reason in the data-quality section.</li>")
    return "<ul>" + "".join(items) + "</ul>\n"


def _quality(res: FitResult) -> str:
    frame = res.quality.frame()
    if frame.empty:
        return "<p>Every row was usable.</p>\n"
    return table(["reason", "rows", "first lines", "effect", "detail"],
                 ([esc(r.reason), num(r.rows), esc(r.first_lines), esc(r.effect),
                   esc(r.detail)] for r in frame.itertuples()), [False, True])


def _arrivals(res: FitResult, folder: Path) -> str:
    rows = res.arrivals.rates(res.options.day_type)
    body = _figure(folder, "arrivals.png", "Arrival rate per interval with its 95 % interval "
                   "across days")
    body += table(["interval", "days", "mean count", "rate per hour [95 % interval]"],
                  ([esc(r.interval_start), num(r.days), num(r.mean_count),
                    _ci(r.rate_per_hour, r.ci_low, r.ci_high)] for r in rows.itertuples()),
                  [False, True, True, True])
    body += table(["test", "statistic", "p-value", "note"],
                  ([esc(r["test"]), num(r["statistic"]), num(r["p_value"]), esc(r["note"])]
                   for r in res.arrivals.check.rows()), [False, True, True])
    return body


def _fits_table(frame: Any) -> str:
    return table(["family", "n", "mean, min [95 %]", "cv [95 %]", "ΔAIC", "KS D", "KS p",
                  "AD A²", "chosen"],
                 ([esc(r.family), num(r.n), _ci(r.mean_min, r.mean_low, r.mean_high),
                   _ci(r.cv, r.cv_low, r.cv_high), num(r.delta_aic), num(r.ks_d), num(r.ks_p),
                   num(r.ad_a2), "yes" if r.chosen else ""] for r in frame.itertuples()),
                 [False, True, True, True, True, True, True, True])


def _services(res: FitResult, folder: Path) -> str:
    fits = res.fits
    body = ("<p>Maximum-likelihood fits ranked by AIC; KS and Anderson-Darling statistics "
            "against the fitted distribution (p-values treat the parameters as known, so "
            "they are too high: a rejected family does not fit). The sample row gives the "
            "mean (t interval) and cv (bootstrap interval) without any family.</p>\n")
    for station in res.roster.people:
        body += f"<h3>{esc(station)}</h3>\n<p>{esc(res.services[station].note)}.</p>\n"
        body += _fits_table(fits[fits["scope"] == f"service:{station}"])
        body += _figure(folder, f"service_{station}.png", f"{station}: histogram with fitted "
                        "densities, and the Q-Q plot of the chosen family")
    staff = fits[(fits["quantity"] == "service_min") & (fits["staff"] != "")]
    if not staff.empty:
        body += "<h3>By staff member</h3>\n" + _fits_table(staff)
    return body


def _patience(res: FitResult, folder: Path) -> str:
    fits = res.fits
    rows = fits[fits["quantity"] == "patience"]
    body = (f"<p>{esc(res.patience.note)}. A served customer's wait is a lower bound on its "
            "patience (right-censored); the naive mean of the abandoning customers' waits "
            "ignores that and is shown only as a warning.</p>\n")
    body += table(["estimate", "mean, min [95 %]", "cv", "ΔAIC", "method", "note"],
                  ([esc(r.family), _ci(r.mean_min, r.mean_low, r.mean_high), num(r.cv),
                    num(r.delta_aic), esc(r.method), esc(r.note)] for r in rows.itertuples()),
                  [False, True, True, True])
    return body + _figure(folder, "patience.png", "Kaplan-Meier survival of patience with "
                          "the censored maximum-likelihood fits")


def _staff(res: FitResult, folder: Path) -> str:
    from simulator.experiments.fitting.roster import shift_text

    body = (f"<p>People seen serving per interval ({esc(res.roster.counted)}), the median "
            "over days rounded up, stacked into draft shifts. Someone on duty who served "
            "nobody in an interval is not seen: treat the roster as a lower bound.</p>\n")
    body += table(["station", "draft shifts"],
                  ([esc(s), esc("; ".join(shift_text(x) for x in sh))]
                   for s, sh in res.roster.shifts.items()))
    return body + _figure(folder, "staff.png", "People seen serving and the draft roster")


def _routing(res: FitResult) -> str:
    return table(["class", "pathway", "probability [95 %]", "tickets", "note"],
                 ([esc(r["class"]), esc(r.pathway), _ci(r.probability, r.ci_low, r.ci_high),
                   num(r.tickets), esc(r.note)] for _, r in res.routing.iterrows()),
                 [False, False, True, True])


def _backtest(bt: BackTest, folder: Path) -> str:
    cls = "yes" if bt.credible else "no"
    body = f'<p class="{cls}">{esc(bt.verdict)}</p>\n'
    body += _figure(folder, "backtest.png", "The log (dots; red outside the band) against the "
                    "simulated 95 % band per station, interval and measure")
    flagged = bt.table[bt.table["flag"]]
    if not flagged.empty:
        body += "<h3>Cells outside the band</h3>\n" + table(
            ["station", "interval", "measure", "log", "simulated band"],
            ([esc(r.station), esc(r.interval_start), esc(r.measure), num(r.observed),
              f"[{num(r.band_low)}, {num(r.band_high)}]"] for r in flagged.itertuples()),
            [False, False, False, True, True])
    return body


def build_fit_report(folder: Path, res: FitResult, bt: BackTest | None,
                     manifest: dict[str, Any]) -> str:
    """The fit report as one self-contained HTML document (figures read from ``folder``)."""
    sections = [("verdicts", "Verdicts", _verdicts(res, bt)),
                ("data-quality", "Data quality", _quality(res)),
                ("arrivals", "Arrivals", _arrivals(res, folder)),
                ("service", "Service times", _services(res, folder)),
                ("patience", "Patience and abandonment", _patience(res, folder)),
                ("staff", "Staff on duty", _staff(res, folder)),
                ("routing", "Routing", _routing(res))]
    if bt is not None:
        sections.append(("backtest", "Back-test", _backtest(bt, folder)))
    sections.append(("scenario", "The fitted scenario",
                     "<p>scenario.fitted.yaml, as written beside this report:</p>\n<pre>"
                     + esc(res.scenario_text) + "</pre>\n"))
    log = manifest.get("log", {})
    subtitle = (f"{esc(Path(str(log.get('path', ''))).name)} · {len(res.log.days)} days · "
                f"SHA-256 {esc(str(log.get('sha256', ''))[:16])}… · servsim "
                f"{esc(manifest.get('software', {}).get('servsim', ''))}")
    footer = ("Generated by <code>servsim fit</code>; every number is in fits.csv, "
              "arrivals.csv, arrivals_tests.csv, routing.csv, roster.csv, backtest.csv or "
              "data_quality.csv.")
    return page(f"Fit of {Path(str(log.get('path', 'the log'))).name}", subtitle, sections,
                footer)


@dataclass(frozen=True)
class FitFiguresAndReport:
    """Figures (``figures``) and ``fit_report.html`` (``report``) of a fit folder."""

    figures: bool = True
    report: bool = True

    def fit_figures(self, folder: Path, result: FitResult, backtest: BackTest | None
                    ) -> list[str]:
        """:func:`simulator.figures.fit.write_fit_figures`."""
        from simulator.figures.fit import write_fit_figures

        return write_fit_figures(folder, result, backtest)

    def write_fit_report(self, folder: Path, result: FitResult, backtest: BackTest | None,
                         manifest: dict[str, Any]) -> None:
        """Write ``fit_report.html`` through a temporary name."""
        text = build_fit_report(folder, result, backtest, manifest)
        target = folder / FIT_REPORT_NAME
        tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
        tmp.write_text(text, encoding="utf-8", newline="\n")
        os.replace(tmp, target)
