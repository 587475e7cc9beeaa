"""Named random streams.

Every random quantity in servsim comes from a stream derived as::

    numpy.random.SeedSequence(seed, spawn_key=(replication, crc32(name)))

so a stream depends only on the run seed, the replication index and the stream's name: never
on the worker, the order of tasks or on which other streams exist. Two variants of a scenario
run with the same seed therefore share their arrival, patience and service streams (common
random numbers), and adding a new random element never shifts an existing stream.

Day ``d`` > 1 of a calendar (docs/week.md) appends ``d - 1`` to the key,
``spawn_key=(replication, crc32(name), d - 1)``: day 1 keeps the key above, so a one-day
calendar is today's scenario, and day ``d`` draws the same numbers whatever the horizon.
"""

from __future__ import annotations

import zlib

import numpy as np

STREAM_SCHEME = "SeedSequence(seed, spawn_key=(replication, crc32(name))) -> PCG64"

_BUFFER = 256


def stream_key(name: str) -> int:
    """Return the CRC-32 of a stream name, the second element of its spawn key."""
    return zlib.crc32(name.encode("utf-8"))


def spawn_key(replication: int, name: str, day: int = 0) -> tuple[int, ...]:
    """The spawn key of stream ``name``: ``(replication, crc32(name))``, with ``day`` (the
    0-based day of a calendar) appended after the first day."""
    key = (replication, stream_key(name))
    return key if day == 0 else (*key, day)


def make_generator(seed: int, replication: int, name: str,
                   day: int = 0) -> np.random.Generator:
    """Return the generator of stream ``name`` in replication ``replication``.

    Parameters
    ----------
    seed : int
        The run's seed (non-negative).
    replication : int
        Replication index, from 0.
    name : str
        Stream name, e.g. ``"arrivals:walk_in"``.
    day : int, default 0
        Day of a calendar, from 0 (:func:`spawn_key`).

    Examples
    --------
    >>> make_generator(1, 0, "a").random() == make_generator(1, 0, "a").random()
    True
    """
    sequence = np.random.SeedSequence(seed, spawn_key=spawn_key(replication, name, day))
    return np.random.Generator(np.random.PCG64(sequence))


class UniformStream:
    """Uniform(0, 1) numbers from one named stream, drawn in blocks for speed.

    The block size is fixed, so the sequence of values handed out is the same in every run.
    The generator is created at the first draw: a replication names some eighty streams, many
    of which a given day never draws from (a station without failures, a class without
    patience), and creating a PCG64 generator from a seed sequence costs tens of
    microseconds.
    """

    __slots__ = ("_buf", "_gen", "_i", "_key", "name")

    def __init__(self, seed: int, replication: int, name: str, day: int = 0) -> None:
        self.name = name
        self._key = (seed, replication, day)
        self._gen: np.random.Generator | None = None
        self._buf: list[float] = []
        self._i = 0

    def _generator(self) -> np.random.Generator:
        gen = self._gen
        if gen is None:
            gen = self._gen = make_generator(self._key[0], self._key[1], self.name,
                                             self._key[2])
        return gen

    def block(self, size: int) -> np.ndarray:
        """Return the next ``size`` uniforms as an array (bypassing the scalar buffer)."""
        return self._generator().random(size)

    def __call__(self) -> float:
        """Return the next uniform number in [0, 1)."""
        i = self._i
        if i >= len(self._buf):
            self._buf = self._generator().random(_BUFFER).tolist()
            i = 0
        self._i = i + 1
        return self._buf[i]


class Streams:
    """Factory and cache of the named streams of one replication (of one day of it)."""

    def __init__(self, seed: int, replication: int, day: int = 0) -> None:
        self.seed = seed
        self.replication = replication
        self.day = day
        self._uniform: dict[str, UniformStream] = {}

    def uniform(self, name: str) -> UniformStream:
        """Return (creating once) the uniform stream called ``name``."""
        stream = self._uniform.get(name)
        if stream is None:
            stream = self._uniform[name] = UniformStream(self.seed, self.replication, name,
                                                         self.day)
        return stream

    def generator(self, name: str) -> np.random.Generator:
        """Return a fresh generator for stream ``name`` (for whole-array draws)."""
        return make_generator(self.seed, self.replication, name, self.day)
