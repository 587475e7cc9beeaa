"""The ``servsim`` command line: every command's click code, and nothing else.

Each module parses the options of one command (or group), calls the public API of the layers
below and shows the result: :mod:`.main` (the group, ``validate``, ``schema``, ``run``,
``compare``, ``sweep``, ``merge``), :mod:`.theory`, :mod:`.warmup`, :mod:`.calibrate`,
:mod:`.report`, :mod:`.teach` and :mod:`.errors` (how a bad scenario is printed). This is the
top layer: it may import every other layer; nothing imports it except ``python -m
simulator``.
"""

from simulator.cli.main import main

__all__ = ["main"]
