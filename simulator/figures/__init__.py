"""Figures: Matplotlib (Agg) pictures of results; they never run a model.

This layer owns the figures of a run (:mod:`.run`), of comparisons and sweeps
(:mod:`.experiments`) and of predicted satisfaction (:mod:`.satisfaction`). It may import
experiments, satisfaction, measures, theory, the engine and the scenario layer, and sits
beside the HTML report (which may use it).
"""
