"""Measures: KPIs of one replication and statistics across replications.

This layer owns the KPI row, the by-hour rows, level grids and wait histograms of a
replication computed from its records (:mod:`.metrics`), per-person staff use
(:mod:`.staff_use`), across-replication statistics with Student-t and paired (CRN) intervals
(:mod:`.stats`) and the warm-up analysis of steady-state studies (:mod:`.warmup`). It may
import the engine (records) and the scenario layer; never satisfaction, theory or anything
above.
"""
