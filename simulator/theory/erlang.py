"""Erlang B and Erlang C.

Erlang B is computed by the stable recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)), and
Erlang C from Erlang B, so thousands of servers are fine.

References
----------
Gross, D., Shortle, J. F., Thompson, J. M. & Harris, C. M. (2008). *Fundamentals of Queueing
    Theory*, 4th ed. Wiley, sections 2.3 and 2.5.
"""

from __future__ import annotations

from simulator.theory.arguments import check_integer, check_nonneg, unstable_error

__all__ = [
    "erlang_b",
    "erlang_b_recursion",
    "erlang_c",
    "erlang_c_from_b",
]


def erlang_b_recursion(a: float, c: int) -> float:
    """Erlang B by the stable recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)),
    without argument checks (``a`` Erlangs offered to ``c`` servers)."""
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c_from_b(a: float, c: int, b: float) -> float:
    """Erlang C from Erlang B ``b``: C = c B / (c - a (1 - B)), valid for a < c."""
    return c * b / (c - a * (1.0 - b))


def erlang_b(offered_load: float, servers: int) -> float:
    """Erlang B blocking probability of the M/M/c/c loss system.

    Parameters
    ----------
    offered_load : float
        Offered load a = arrival rate x mean service time, in Erlangs (>= 0).
    servers : int
        Number of servers c (>= 0; B(a, 0) = 1).

    Returns
    -------
    float
        Probability that an arriving customer finds all c servers busy and is
        lost. Insensitive to the service-time distribution (M/G/c/c).

    Notes
    -----
    Uses the numerically stable recursion B(0) = 1,
    B(k) = a B(k-1) / (k + a B(k-1)), which is fine for thousands of servers.

    References
    ----------
    Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing Theory*,
    4th ed. (2008), Ch. 2 (Erlang's loss formula).
    """
    a = check_nonneg("offered_load", offered_load)
    c = check_integer("servers", servers, 0)
    return erlang_b_recursion(a, c)


def erlang_c(offered_load: float, servers: int) -> float:
    """Erlang C probability of waiting in the M/M/c queue.

    Parameters
    ----------
    offered_load : float
        Offered load a = arrival rate x mean service time, in Erlangs (>= 0).
    servers : int
        Number of servers c (>= 1). Requires a < c.

    Returns
    -------
    float
        Probability an arriving customer has to wait, C(c, a).

    Raises
    ------
    ValueError
        If a >= c (no steady state) or arguments are invalid.

    Notes
    -----
    Computed from Erlang B: C = c B / (c - a (1 - B)).

    References
    ----------
    Gross, Shortle, Thompson & Harris, *Fundamentals of Queueing Theory*,
    4th ed. (2008), Ch. 2 (M/M/c; Erlang's loss formula).
    """
    a = check_nonneg("offered_load", offered_load)
    c = check_integer("servers", servers, 1)
    if a >= c:
        raise unstable_error(a / c, offered_load=offered_load, servers=c)
    return erlang_c_from_b(a, c, erlang_b_recursion(a, c))
