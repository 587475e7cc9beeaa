"""The engine: one replication of a compiled plan in SimPy.

This layer owns the SimPy model of a replication (:mod:`.model`): stations with counters and
lines (:mod:`.station`), skill-based routing (:mod:`.routing`), held tables and rooms
(:mod:`.holdings`), the customer's journey (:mod:`.journey`), arrival and roster processes
(:mod:`.processes`, :mod:`.arrivals`), the named random streams (:mod:`.rng`) and the
recorder with its frozen tables (:mod:`.records`). It may import the scenario layer only
(the plan it runs and the distributions it samples); it knows nothing of files, pandas or
KPIs.
"""
