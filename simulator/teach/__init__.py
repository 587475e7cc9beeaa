"""``servsim teach``: the classroom app (Streamlit, the ``teach`` extra).

* :mod:`simulator.teach.lessons` -- the six lessons as pure functions of their sliders;
* :mod:`simulator.teach.workshop` -- any bundled or uploaded scenario with staffing sliders;
* :mod:`simulator.teach.animation` -- a replication's records as a replay (HTML canvas);
* :mod:`simulator.teach.app` -- the Streamlit script that draws them;
* :mod:`simulator.cli.teach` -- the ``servsim teach`` command that serves the app.

Only ``app`` and ``cli`` need Streamlit; the rest runs (and is tested) without it.
"""
