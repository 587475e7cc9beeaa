"""Branch steps against queueing theory (tolerance: 3 standard errors across replications).

- ``choose`` splits a Poisson stream into independent Poisson streams (Poisson splitting,
  e.g. Ross, *Introduction to Probability Models*, §5.3.4), so each chosen M/M/c station
  has Erlang C's mean wait at its own share of the arrival rate.
- ``shortest_of`` two M/M/1 stations (join the shortest queue) waits less than two separate
  lines at half the rate each and no less than one pooled M/M/2 line (the pooled line never
  leaves a server idle while someone waits; Winston 1977 shows joining the shortest queue is
  optimal among arrival-time choices, and for two servers it comes within a few per cent of
  pooling, so the lower bound is checked one-sided).
"""

from __future__ import annotations

import textwrap

from simulator import theory
from tests.theory.test_simulation_vs_theory import assert_close, kpi_samples


def _two_stations(pathway: str, rate_per_hour: float, a: tuple[int, float],
                  b: tuple[int, float]) -> str:
    return textwrap.dedent(f"""
        name: branch theory
        clock: {{open: "00:00"}}
        run: {{length_min: 3000, warm_up_min: 200}}
        customer_classes: {{c: {{pathway: p}}}}
        arrivals: {{poisson: {{rate_per_hour: {{"00:00": {rate_per_hour}}}}}}}
        stations:
          a: {{counters: {a[0]}, staffed: false, service: {{dist: exponential, mean: {a[1]}}}}}
          b: {{counters: {b[0]}, staffed: false, service: {{dist: exponential, mean: {b[1]}}}}}
        pathways: {{p: [{pathway}]}}
    """)


def test_choose_split_matches_erlang_c_at_each_station():
    lam, share = 2.4, 0.6
    k = kpi_samples(_two_stations("{choose: {a: 0.6, b: 0.4}}", lam * 60, (2, 1.0), (2, 1.5)),
                    reps=15)
    th_a = theory.mmc(lam * share, 1.0, 2)
    th_b = theory.mmc(lam * (1 - share), 1.5, 2)
    assert_close(k["a__wait_mean_min"], th_a.mean_wait_min)
    assert_close(k["b__wait_mean_min"], th_b.mean_wait_min)
    assert_close(k["a__utilisation_tw"], th_a.utilisation)
    assert_close(k["b__utilisation_tw"], th_b.utilisation)


def test_shortest_of_two_mm1_lies_between_separate_and_pooled_lines():
    lam = 1.6
    k = kpi_samples(_two_stations("{shortest_of: [a, b]}", lam * 60, (1, 1.0), (1, 1.0)),
                    reps=15)
    separate = theory.mm1(lam / 2, 1.0).mean_wait_min  # 4.0 min
    pooled = theory.mmc(lam, 1.0, 2).mean_wait_min  # 1.78 min
    wait = k["wait_mean_min"]
    se = wait.std(ddof=1) / len(wait) ** 0.5
    # joining the shorter of two lines is close to pooling them (the pooled line is the
    # bound a choice made on arrival cannot beat), far from keeping them separate
    assert pooled - 3 * se <= wait.mean() < separate - 3 * se, (wait.mean(), se, pooled,
                                                                separate)


def _counters(jockey: str, rate_per_hour: float, counters: int) -> str:
    return textwrap.dedent(f"""
        name: jockey theory
        clock: {{open: "00:00"}}
        run: {{length_min: 2000, warm_up_min: 200}}
        customer_classes: {{c: {{pathway: p}}}}
        arrivals: {{poisson: {{rate_per_hour: {{"00:00": {rate_per_hour}}}}}}}
        stations:
          s: {{counters: {counters}, staffed: false, line: per_counter{jockey},
              service: {{dist: exponential, mean: 1.0}}}}
        pathways: {{p: [s]}}
    """)


def test_jockeying_lies_between_separate_lines_and_one_shared_line():
    """Koenigsberg's rule with threshold 2 never leaves a counter idle while someone waits
    (an idle line is 0, a line with someone waiting at least 2), so its mean wait is one
    shared line's, Erlang C; threshold 3 lies between that and no jockeying."""
    lam, c = 2.4, 3
    pooled = theory.mmc(lam, 1.0, c).mean_wait_min
    separate = theory.mm1(lam / c, 1.0).mean_wait_min
    by2 = kpi_samples(_counters(", jockey: {when_shorter_by: 2}", lam * 60, c), reps=10)
    assert_close(by2["s__wait_mean_min"], pooled)
    by3 = kpi_samples(_counters(", jockey: {when_shorter_by: 3}", lam * 60, c), reps=10)
    none = kpi_samples(_counters("", lam * 60, c), reps=10)
    w3, w0 = by3["s__wait_mean_min"], none["s__wait_mean_min"]
    se3 = w3.std(ddof=1) / len(w3) ** 0.5
    assert pooled - 3 * se3 <= w3.mean() < separate
    # same seeds, same customers (common random numbers): moving never makes waits longer
    diff = w0 - w3
    assert diff.mean() > 3 * diff.std(ddof=1) / len(diff) ** 0.5


def test_parties_queueing_member_by_member_match_mx_m1():
    """Parties of 1, 2 or 4 at one exponential server (Gross et al. 2008, §3.2.1)."""
    lam, sizes = 0.25, (1, 2, 4)
    yaml = textwrap.dedent(f"""
        name: batch theory
        clock: {{open: "00:00"}}
        run: {{length_min: 4000, warm_up_min: 200}}
        customer_classes: {{c: {{pathway: p}}}}
        arrivals:
          parties:
            rate_per_hour: {{"00:00": {lam * 60}}}
            group_size: {{dist: empirical, values: {list(sizes)}}}
            members_queue: individually
        stations:
          s: {{counters: 1, staffed: false, service: {{dist: exponential, mean: 1.0}}}}
        pathways: {{p: [s]}}
    """)
    k = kpi_samples(yaml, reps=12)
    ex, ex2 = sum(sizes) / 3, sum(x * x for x in sizes) / 3
    th = theory.mxm1(lam, 1.0, ex, ex2)
    assert_close(k["s__wait_mean_min"], th.mean_party_wait_min)
    assert_close(k["s__queue_len_tw"], th.members.mean_queue_len)
    assert_close(k["s__utilisation_tw"], th.members.utilisation)
