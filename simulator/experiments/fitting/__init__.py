"""``servsim fit``: from a queue system's ticket log to a validated scenario, and back-tests.

Modules, one concept each: :mod:`.columns` (which column is what), :mod:`.log` (reading and
checking a log), :mod:`.quality` (rows left out, by reason), :mod:`.families` (maximum-
likelihood fits), :mod:`.poisson` (tests of the Poisson assumption), :mod:`.arrivals`,
:mod:`.service`, :mod:`.patience` (and balking), :mod:`.roster`, :mod:`.routing`,
:mod:`.scenario_writer` (``scenario.fitted.yaml``), :mod:`.backtest`, :mod:`.fit` (the
whole fit and its folder) and :mod:`.artifacts` (the protocol for figures and the report).

Public names load on first use::

    from simulator.experiments.fitting import fit_log, validate_log
    result = fit_log("scenarios/examples/hall_ticket_log.csv")
    result.fits, result.arrivals_table, result.routing, result.scenario_text
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulator.lazy import lazy_exports

_EXPORTS: dict[str, str] = {
    "BackTest": "simulator.experiments.fitting.backtest",
    "FitOptions": "simulator.experiments.fitting.fit",
    "FitResult": "simulator.experiments.fitting.fit",
    "LogError": "simulator.experiments.fitting.quality",
    "LogSettings": "simulator.experiments.fitting.log",
    "backtest": "simulator.experiments.fitting.backtest",
    "fit_log": "simulator.experiments.fitting.fit",
    "read_log": "simulator.experiments.fitting.log",
    "validate_log": "simulator.experiments.fitting.validate",
    "write_fit": "simulator.experiments.fitting.fit",
}

__all__ = ["BackTest", "FitOptions", "FitResult", "LogError", "LogSettings", "backtest",
           "fit_log", "read_log", "validate_log", "write_fit"]

__getattr__, __dir__ = lazy_exports("simulator.experiments.fitting", _EXPORTS, globals())

if TYPE_CHECKING:
    from simulator.experiments.fitting.backtest import BackTest, backtest
    from simulator.experiments.fitting.fit import FitOptions, FitResult, fit_log, write_fit
    from simulator.experiments.fitting.log import LogSettings, read_log
    from simulator.experiments.fitting.quality import LogError
    from simulator.experiments.fitting.validate import validate_log
