"""Queueing at the counter: how many counters an hour needs, and how an hour goes.

Erlang C (M/M/N) sizes the counters, as SPEC's ``staff --by hour`` requires;
Erlang A (M/M/N+M, customers who leave after an exponential patience) tells
how many customers an hour would lose. Loads are in Erlangs: arrivals in the
interval times the handling time, divided by the interval length.

Low-level functions raise ``ValueError`` for impossible arguments (a bug in
the caller); ``plan_hours`` raises ``DataError`` naming the bad rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from branchkit.errors import DataError
from branchkit.rules import QueueRules

# Targets are compared with this slack so that a float rounding of an exact
# tie (8.5 Erlangs on 10 counters at an 85% cap) does not add a counter.
TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class HourResult:
    """One interval at a number of open counters.

    ``occupancy`` is the offered load per open counter: above 1 the queue
    grows without bound, and with no counter open for arriving customers it
    is ``inf``. When patience is modelled (``abandon_share`` is not None) and
    the result comes from ``evaluate_roster``, it is the carried load per
    counter instead, since customers who leave keep no counter busy.
    """

    counters: int
    load: float
    service_level: float
    occupancy: float
    average_wait_seconds: float
    abandon_share: float | None = None


@dataclass(frozen=True, slots=True)
class ErlangAResult:
    """Erlang A measures; times are in the unit of the rates' reciprocal."""

    waiting_probability: float
    abandon_probability: float
    average_wait: float
    service_level: float
    occupancy: float


def _check_servers_load(servers: int, load: float) -> None:
    if servers < 0 or int(servers) != servers:
        raise ValueError(f"servers must be a whole number >= 0, not {servers!r}")
    if not (load >= 0 and math.isfinite(load)):
        raise ValueError(f"load must be a finite number of Erlangs >= 0, not {load!r}")


def _check_handling(handling_seconds: float) -> None:
    if not (handling_seconds > 0 and math.isfinite(handling_seconds)):
        raise ValueError(f"handling time must be positive seconds, not {handling_seconds!r}")


def _next_b(b_prev: float, n: int, load: float) -> float:
    """One step of the Erlang B recurrence, from n - 1 servers to n."""
    return load * b_prev / (n + load * b_prev)


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of an M/M/N/N loss system (Erlang B).

    Uses the recurrence B(0) = 1, B(n) = A·B(n-1) / (n + A·B(n-1)), whose
    terms stay in [0, 1]: no factorials, no overflow at hundreds of servers.
    """
    _check_servers_load(servers, load)
    b = 1.0
    for n in range(1, int(servers) + 1):
        b = _next_b(b, n, load)
    return b


def _c_from_b(servers: int, load: float, b: float) -> float:
    if load == 0:
        return 0.0
    if servers <= load:
        return 1.0
    return servers * b / (servers - load * (1 - b))


def erlang_c(servers: int, load: float) -> float:
    """Probability that an arriving customer waits (Erlang C), from Erlang B.

    C = N·B / (N − A(1 − B)). Defined as 1.0 when servers <= load (the queue
    is unstable), and 0.0 when the load is 0 (nobody arrives, nobody waits).
    """
    return _c_from_b(servers, load, erlang_b(servers, load))


def _measures(servers: int, load: float, c: float, handling: float,
              target: float) -> tuple[float, float]:
    """Service level and average wait at ``servers`` given P(wait) = c."""
    if load == 0:
        return 1.0, 0.0
    if servers <= load:
        return 0.0, math.inf
    spare = servers - load
    return 1 - c * math.exp(-spare * target / handling), c * handling / spare


def service_level(servers: int, load: float, handling_seconds: float,
                  target_wait_seconds: float) -> float:
    """Share of customers served within the target wait: 1 − C·exp(−(N−A)·t/h).

    0 when servers <= load (the queue grows without bound); 1 when the load
    is 0.
    """
    _check_handling(handling_seconds)
    c = erlang_c(servers, load)
    return _measures(servers, load, c, handling_seconds, target_wait_seconds)[0]


def average_wait(servers: int, load: float, handling_seconds: float) -> float:
    """Average wait in seconds over all customers (ASA): C·h / (N − A).

    ``inf`` when servers <= load; 0 when the load is 0.
    """
    _check_handling(handling_seconds)
    return _measures(servers, load, erlang_c(servers, load), handling_seconds, 0.0)[1]


def occupancy(servers: int, load: float) -> float:
    """Offered load per counter, A / N: 0 with no load, ``inf`` with load and no counter."""
    _check_servers_load(servers, load)
    if servers == 0:
        return 0.0 if load == 0 else math.inf
    return load / servers


def _interval_load(arrivals: float, handling_seconds: float, interval_seconds: float) -> float:
    if not (arrivals >= 0 and math.isfinite(arrivals)):
        raise ValueError(f"arrivals must be a finite number >= 0, not {arrivals!r}")
    _check_handling(handling_seconds)
    if not interval_seconds > 0:
        raise ValueError(f"interval must be a positive number of seconds, not {interval_seconds!r}")
    return arrivals * handling_seconds / interval_seconds


def _abandon_share(counters: int, arrivals: float, handling: float, patience: float,
                   interval: float) -> float | None:
    if patience <= 0:
        return None
    if arrivals == 0:
        return 0.0
    return erlang_a(counters, arrivals / interval, 1 / handling, 1 / patience).abandon_probability


def counters_needed(
    arrivals: float,
    handling_seconds: float,
    *,
    service_level: float,
    target_wait_seconds: float,
    max_occupancy: float,
    asa_target_seconds: float = 0.0,
    patience_seconds: float = 0.0,
    interval_seconds: float = 3600.0,
) -> HourResult:
    """The least number of counters for an interval, by Erlang C.

    ``arrivals`` is the number of customers arriving in the interval (an hour
    by default). Every N > A is tried from floor(A) + 1 upwards (starting at
    round(A + 1), as some libraries do, over-staffs quiet hours) until the
    service level reaches its target, occupancy is at most ``max_occupancy``
    and, when ``asa_target_seconds`` > 0, the average wait is at most that.
    Erlang B is computed once up to the first candidate, then extended one
    counter at a time, so a 500-Erlang hour costs a few hundred steps.

    Sizing stays Erlang C even when ``patience_seconds`` > 0 (it is the
    contract, and ignoring customers who leave errs on the safe side);
    ``abandon_share`` then reports the Erlang A share who would still leave.
    No arrivals: 0 counters, service level 1, occupancy 0.
    """
    load = _interval_load(arrivals, handling_seconds, interval_seconds)
    _check_targets(service_level, target_wait_seconds, max_occupancy, asa_target_seconds)
    if load == 0:
        return HourResult(0, 0.0, 1.0, 0.0, 0.0, 0.0 if patience_seconds > 0 else None)
    n = math.floor(load) + 1
    b = erlang_b(n, load)
    while True:
        c = _c_from_b(n, load, b)
        level, wait = _measures(n, load, c, handling_seconds, target_wait_seconds)
        if _meets(level, load / n, wait, service_level, max_occupancy, asa_target_seconds):
            break
        n += 1
        b = _next_b(b, n, load)
    abandon = _abandon_share(n, arrivals, handling_seconds, patience_seconds, interval_seconds)
    return HourResult(n, load, level, load / n, wait, abandon)


def _check_targets(level: float, wait: float, cap: float, asa: float) -> None:
    if not 0 <= level <= 1:
        raise ValueError(f"service level must be a share in [0, 1], not {level!r}")
    if not (0 < cap <= 1):
        raise ValueError(f"maximum occupancy must be in (0, 1], not {cap!r}")
    if not (wait >= 0 and asa >= 0):
        raise ValueError("target wait and average-wait target must be >= 0 seconds")


def _meets(level: float, occ: float, wait: float, target: float, cap: float, asa: float) -> bool:
    """Whether an interval's measures meet the targets (with ``TOLERANCE``)."""
    return (level >= target - TOLERANCE and occ <= cap + TOLERANCE
            and (asa == 0 or wait <= asa + TOLERANCE))


def staff_after_shrinkage(counters: int, shrinkage: float) -> int:
    """People to roster so that ``counters`` are open: ceil(counters / (1 − shrinkage)).

    A relative epsilon keeps float noise from adding a person:
    8 / (1 − 0.2) = 10.000000000000002 gives 10, not 11.
    """
    if not 0 <= shrinkage < 1:
        raise ValueError(f"shrinkage must be in [0, 1), not {shrinkage!r}")
    raw = counters / (1 - shrinkage)
    return math.ceil(raw - TOLERANCE * max(1.0, raw))


def evaluate_roster(
    arrivals: float,
    handling_seconds: float,
    counters_open: int,
    *,
    target_wait_seconds: float,
    patience_seconds: float = 0.0,
    interval_seconds: float = 3600.0,
) -> HourResult:
    """How an interval goes with the counters actually open.

    Without patience this is Erlang C: with counters_open <= load the service
    level is 0 and the average wait ``inf``. With ``patience_seconds`` > 0 it
    is Erlang A, which stays finite when understaffed because customers
    leave: service level counts those who leave as not served in time, the
    average wait includes their time before leaving, and occupancy is the
    carried load per counter. No counter open with arrivals: service level
    0, occupancy ``inf`` (nothing can carry the load), every patient-modelled
    customer leaves. No arrivals: service level 1, occupancy 0.
    """
    load = _interval_load(arrivals, handling_seconds, interval_seconds)
    _check_servers_load(counters_open, load)
    n = int(counters_open)
    if patience_seconds <= 0 or load == 0:
        level, wait = _measures(n, load, erlang_c(n, load), handling_seconds, target_wait_seconds)
        return HourResult(n, load, level, occupancy(n, load), wait,
                          _abandon_share(n, arrivals, handling_seconds, patience_seconds,
                                         interval_seconds))
    result = erlang_a(n, arrivals / interval_seconds, 1 / handling_seconds, 1 / patience_seconds,
                      target_wait=target_wait_seconds)
    return HourResult(n, load, result.service_level, result.occupancy, result.average_wait,
                      result.abandon_probability)


def _queue_log_weights(servers: int, arrival_rate: float, service_rate: float,
                       patience_rate: float) -> np.ndarray:
    """Log of unnormalised state probabilities of M/M/N+M, truncated.

    Past the mode the log weights fall at least quadratically, by 50 within
    sqrt(200·λ/θ) states, so the tail dropped is below 1e-20 of the total.
    """
    load = arrival_rate / service_rate
    j = np.arange(servers + 1)
    below = j * math.log(load) - np.array([math.lgamma(k + 1) for k in j])
    busy = servers * service_rate
    mode = max(0.0, (arrival_rate - busy) / patience_rate)
    extra = math.ceil(mode + math.sqrt(200 * arrival_rate / patience_rate)) + 10
    if extra > 10_000_000:
        raise ValueError("patience too long for this overload: use Erlang C (patience 0)")
    k = np.arange(1, extra + 1)
    steps = math.log(arrival_rate) - np.log(busy + k * patience_rate)
    return np.concatenate([below, below[-1] + np.cumsum(steps)])


def _log_lower_gamma(a: float, x: float) -> float:
    """ln γ(a, x) = ln ∫₀ˣ y^(a−1) e^(−y) dy; series below a + 1, continued fraction above."""
    if x <= 0:
        return -math.inf
    if x < a + 1:
        term = total = 1 / a
        n = 0
        while term > total * 1e-16:
            n += 1
            term *= x / (a + n)
            total += term
        return a * math.log(x) - x + math.log(total)
    tiny = 1e-300  # Lentz's method for the upper incomplete gamma
    b, c, d = x + 1 - a, 1 / tiny, 1 / (x + 1 - a)
    h = d
    for i in range(1, 1_000_000):
        an, b = -i * (i - a), b + 2
        d = an * d + b
        d = 1 / (d if abs(d) > tiny else tiny)
        c = b + an / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        if abs(d * c - 1) < 1e-15:
            break
    upper_share = math.exp(a * math.log(x) - x + math.log(h) - math.lgamma(a))
    return math.lgamma(a) + math.log1p(-upper_share)


def _served_in_time_after_waiting(servers: int, log_p_last_free: float, arrival_rate: float,
                                  service_rate: float, patience_rate: float, t: float) -> float:
    """P(0 < offered wait V <= t and patience > V), by Mandelbaum–Zeltyn's density of V.

    f_V(x) = λ·π(N−1)·exp(λ(1 − e^(−θx))/θ − Nμx) for x > 0; with patience
    survival e^(−θx) and y = (λ/θ)e^(−θx) the integral is an incomplete gamma.
    """
    a = servers * service_rate / patience_rate + 1
    c = arrival_rate / patience_rate
    scale = math.log(arrival_rate / patience_rate) + log_p_last_free + c - a * math.log(c)
    high = scale + _log_lower_gamma(a, c)
    low = scale + _log_lower_gamma(a, c * math.exp(-patience_rate * t))
    return math.exp(high) * -math.expm1(low - high)


def erlang_a(
    servers: int,
    arrival_rate: float,
    service_rate: float,
    patience_rate: float,
    *,
    target_wait: float = 0.0,
) -> ErlangAResult:
    """Erlang A measures of an M/M/N+M queue (waiting customers leave at rate θ).

    The model is Palm's (1943) queue with impatient customers, as used for
    staffing by Garnett, Mandelbaum and Reiman (2002, "Designing a call
    center with impatient customers"); the offered-wait density is from
    Zeltyn and Mandelbaum, "The M/M/n+G queue: summary of performance
    measures".

    Rates share one time unit (per second, say). From the state probabilities,
    computed in log space and truncated where the tail is below 1e-20:
    P(wait) = P(N or more present), average wait over all arrivals
    (abandoners' time before leaving included) = E[queue] / λ by Little,
    P(abandon) = θ·average wait. The service level, the share of arrivals
    whose service starts within ``target_wait``, integrates the offered-wait
    density in closed form (incomplete gamma). Occupancy is the carried load
    λ(1 − P(abandon))/μ per server; ``inf`` with no server and arrivals.
    """
    _check_servers_load(servers, 0.0)
    if not all(r > 0 and math.isfinite(r) for r in (arrival_rate, service_rate, patience_rate)):
        raise ValueError("arrival, service and patience rates must be positive and finite")
    log_w = _queue_log_weights(int(servers), arrival_rate, service_rate, patience_rate)
    p = np.exp(log_w - log_w.max())
    total = p.sum()
    queue = np.arange(len(p) - servers)
    # Head and tail summed apart, so each stays accurate when it is tiny.
    no_wait = float(p[:servers].sum() / total)
    waiting = min(1.0, float(p[servers:].sum() / total))
    mean_wait = float((queue * p[servers:]).sum() / total) / arrival_rate
    abandon = min(1.0, patience_rate * mean_wait)  # min: rounding only
    level = 0.0
    if servers > 0:
        log_last_free = float(log_w[servers - 1] - log_w.max() - math.log(total))
        level = no_wait + _served_in_time_after_waiting(
            servers, log_last_free, arrival_rate, service_rate, patience_rate, target_wait)
    carried = arrival_rate * (1 - abandon) / service_rate
    occ = min(1.0, carried / servers) if servers else math.inf  # min: rounding only
    return ErlangAResult(waiting, abandon, mean_wait, min(1.0, level), occ)


def plan_hours(frame: pd.DataFrame, *, rules: QueueRules,
               interval_seconds: float = 3600.0) -> pd.DataFrame:
    """Counters and staff for every hour of a frame with ``arrivals`` and ``handling_seconds``.

    Returns a copy with ``handling_seconds`` filled (missing column or NaN →
    ``rules.handling_seconds``) and columns counters, staff, service_level,
    occupancy, average_wait_seconds, plus abandon_share when
    ``rules.patience_seconds`` > 0. Identical (arrivals, handling) hours are
    computed once. Negative or missing arrivals and non-positive handling
    times raise ``DataError`` naming the rows (by index label).
    """
    out = frame.copy()
    arrivals, out["handling_seconds"] = _hour_inputs(out, rules.handling_seconds)
    cache: dict[tuple[float, float], HourResult] = {}
    results = [_cached_hour(cache, float(a), float(h), rules, interval_seconds)
               for a, h in zip(arrivals, out["handling_seconds"])]
    counters = np.array([r.counters for r in results], dtype="int64")
    out["counters"] = counters
    out["staff"] = np.array([staff_after_shrinkage(int(n), rules.shrinkage) for n in counters],
                            dtype="int64")
    fields = ["service_level", "occupancy", "average_wait_seconds"]
    if rules.patience_seconds > 0:
        fields.append("abandon_share")
    for field in fields:
        out[field] = np.array([getattr(r, field) for r in results], dtype="float64")
    return out


def _hour_inputs(frame: pd.DataFrame, default_handling: float) -> tuple[pd.Series, pd.Series]:
    """Arrivals and handling times as numbers, the default filled in; bad rows raise."""
    handling = frame.get("handling_seconds", pd.Series(np.nan, index=frame.index))
    handling = pd.to_numeric(handling, errors="coerce").fillna(default_handling)
    arrivals = pd.to_numeric(frame["arrivals"], errors="coerce")
    good = arrivals.ge(0) & np.isfinite(arrivals) & handling.gt(0) & np.isfinite(handling)
    if not good.all():
        rows = ", ".join(str(r) for r in frame.index[~good][:10])
        raise DataError(f"hourly volumes: arrivals must be >= 0 and handling time > 0 (rows {rows})")
    return arrivals, handling


def _cached_hour(cache: dict[tuple[float, float], HourResult], arrivals: float, handling: float,
                 rules: QueueRules, interval: float) -> HourResult:
    key = (arrivals, handling)
    if key not in cache:
        cache[key] = counters_needed(
            arrivals, handling, service_level=rules.service_level,
            target_wait_seconds=rules.target_wait_seconds, max_occupancy=rules.max_occupancy,
            asa_target_seconds=rules.asa_target_seconds, patience_seconds=rules.patience_seconds,
            interval_seconds=interval)
    return cache[key]
