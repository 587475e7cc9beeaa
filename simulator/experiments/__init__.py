"""Experiments: replications, and the results folders of run, compare, sweep and selfcheck.

This layer owns running replications in-process or on joblib/Dask workers (:mod:`.runner`,
:mod:`.tasks`), one scenario's results folder (:mod:`.run`), variants of a scenario and the
resumable experiment folder that compare and sweep share (:mod:`.variants`), paired
comparisons (:mod:`.compare`), sweeps (:mod:`.sweep`), replicating to a precision
(:mod:`.precision`), the files of a results folder written atomically (:mod:`.storage`) and
the self-check against queueing theory (:mod:`.selfcheck`). It may import satisfaction,
measures, theory, the engine and the scenario layer. Figures and the HTML report belong to
the layers above: a results folder gets them through the :class:`~.artifacts.Artifacts`
protocol its caller passes in.
"""
