"""The stationary per-interval staffing answer: Erlang A's service level and the smallest
number of servers for each kind of target."""

from __future__ import annotations

import pytest

from simulator.theory import (
    StationaryTargets,
    erlang_a,
    erlang_a_service_level,
    mmc,
    mmc_service_level,
    servers_for_mean_wait,
    servers_for_service_level,
    stationary_servers,
)


@pytest.mark.parametrize("c", [3, 6, 10])
def test_erlang_a_service_level_limits(c):
    lam, es, patience = 0.9, 6.0, 20.0
    m = erlang_a(lam, es, c, patience)
    # within 0 minutes: served at once = not waiting at all
    assert erlang_a_service_level(lam, es, c, patience, 0.0) == pytest.approx(1 - m.p_wait,
                                                                            abs=1e-12)
    # within a very long time: everyone who does not abandon
    assert erlang_a_service_level(lam, es, c, patience, 1500.0) == pytest.approx(
        1 - m.p_abandon, abs=1e-9)
    values = [erlang_a_service_level(lam, es, c, patience, t) for t in (1, 5, 10, 30)]
    assert values == sorted(values)


def test_erlang_a_service_level_tends_to_erlang_c():
    """Patience far beyond any wait: the Erlang C service level."""
    for c in (7, 9, 12):
        got = erlang_a_service_level(1.0, 6.0, c, 1e9, 15.0)
        assert got == pytest.approx(mmc_service_level(1.0, 6.0, c, 15.0), abs=1e-7)


@pytest.mark.parametrize("lam", [0.3, 1.0, 2.5, 7.0])
def test_stationary_servers_match_the_erlang_c_rules(lam):
    st = StationaryTargets(service_level=(0.8, 15.0))
    assert stationary_servers(lam, 8.0, st, 1000) == servers_for_service_level(lam, 8.0, 0.8, 15)
    st = StationaryTargets(max_mean_wait_min=2.0)
    assert stationary_servers(lam, 8.0, st, 1000) == servers_for_mean_wait(lam, 8.0, 2.0)


def test_stationary_servers_is_the_smallest_with_patience():
    lam, es, patience = 2.0, 8.0, 30.0
    st = StationaryTargets(max_p_wait=0.2, max_abandon=0.02)
    c = stationary_servers(lam, es, st, 100, patience)
    assert c is not None
    ok = [erlang_a(lam, es, k, patience) for k in (c - 1, c)]
    assert not (ok[0].p_wait <= 0.2 and ok[0].p_abandon <= 0.02)
    assert ok[1].p_wait <= 0.2 and ok[1].p_abandon <= 0.02


def test_stationary_servers_cap_and_no_demand():
    st = StationaryTargets(max_p_wait=0.1)
    assert stationary_servers(0.0, 5.0, st, 3) == 0
    assert stationary_servers(5.0, 5.0, st, 10) is None  # 25 Erlangs on 10 servers
    assert mmc(1.0, 5.0, 6).p_wait > 0.1
