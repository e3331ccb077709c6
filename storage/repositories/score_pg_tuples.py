"""PostgreSQL's orders for scoring as stored: a binary ``COPY`` stream parsed by numpy.

The columns leave the server as stored — ``timestamptz`` as microseconds since 2000-01-01,
``numeric`` in its own base-10000 form — so the server converts nothing per row (casting
``numeric`` to ``float8`` goes through text, and ``extract(epoch …)`` builds a ``numeric``:
together they cost the server more than the scan). Tuples are then of variable length, so
this finds them without a Python loop: every tuple starts with the same words (4 fields; a
4-byte client id; an 8-byte timestamp), the candidates are the places where those words
appear, and the parse is accepted only when the candidates form one unbroken chain, each
tuple's length leading exactly to the next candidate. Anything else — a chance match inside
a value, a NaN, more than two decimals — makes ``parse`` return None, and the caller
(``score_orders_pg``) reads the same orders the slow way (casts in SQL). The values equal
those casts: cents over 100 and microseconds over 10⁶ are correctly rounded divisions, like
the server's own.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from domain.scores.arrays import OrderArrays

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]
Words = NDArray[np.uint16]

RAW_ORDERS = "SELECT client_id, ordered_at, amount, cost FROM orders WHERE ordered_at <= $1"
PG_EPOCH_US = 946_684_800_000_000  # 2000-01-01 in microseconds since the Unix epoch
HEAD = np.array([4, 0, 4], dtype=np.uint16)  # 4 fields; the client id's length is 4
TS_LENGTH = (0, 8)  # words 5–6 of a tuple
NULL = 0xFFFF
MARGIN = 64  # words: longer than any tuple (2 numerics of at most 1000 digits won't fit a
# numeric(14, 2); its values have at most 5 base-10000 digits)
MAX_DIGITS = 8
TEN_THOUSANDS = 10_000 ** np.arange(5, dtype=np.int64)


def parse(data: bytes, *, final: bool) -> tuple[OrderArrays, int] | None:
    """The complete tuples at the start of ``data`` (which starts at a tuple) and how many
    bytes they take; with ``final`` all of it, the trailer included. None: not parseable."""
    words = np.frombuffer(data, dtype=">u2", count=len(data) // 2).astype(np.uint16)
    padded = np.concatenate([words, np.zeros(2 * MARGIN, dtype=np.uint16)])
    limit = words.size if final else max(words.size - MARGIN, 0)
    starts = _candidates(padded, limit)
    if starts.size == 0:
        return _empty_parse(words, final)
    ends = _ends(padded, starts)
    if ends is None or starts[0] != 0 or not np.array_equal(ends[:-1], starts[1:]):
        return None
    stop = int(ends[-1])
    if final and (stop != words.size - 1 or words[-1] != NULL):
        return None
    found = _fields(padded, starts)
    return None if found is None else (found, 2 * stop)


def _empty_parse(words: Words, final: bool) -> tuple[OrderArrays, int] | None:
    if final and not (words.size == 1 and words[0] == NULL):
        return None
    none = np.zeros(0)
    return OrderArrays(np.zeros(0, dtype=np.int64), none, none, none), 0


def _candidates(w: Words, limit: int) -> Ints:
    first = np.flatnonzero(w[:limit] == HEAD[0])
    keep = (w[first + 1] == HEAD[1]) & (w[first + 2] == HEAD[2])
    keep &= (w[first + 5] == TS_LENGTH[0]) & (w[first + 6] == TS_LENGTH[1])
    found: Ints = first[keep].astype(np.int64)
    return found


def _ends(w: Words, s: Ints) -> Ints | None:
    """Where each candidate's tuple ends (in words), checking every length word on the way."""
    na = w[s + 13].astype(np.int64)
    if np.any(na > MAX_DIGITS) or np.any(w[s + 11] != 0) or np.any(w[s + 12] != 8 + 2 * na):
        return None
    at = s + 17 + na  # the cost's length
    null = (w[at] == NULL) & (w[at + 1] == NULL)
    nc = np.where(null, 0, w[at + 2]).astype(np.int64)
    if np.any(nc > MAX_DIGITS) or np.any(~null & ((w[at] != 0) | (w[at + 1] != 8 + 2 * nc))):
        return None
    return np.where(null, at + 2, at + 6 + nc)


def _fields(w: Words, s: Ints) -> OrderArrays | None:
    client = (w[s + 3].astype(np.int64) << 16) | w[s + 4]
    stamp = np.zeros(s.size, dtype=np.uint64)
    for k in range(7, 11):
        stamp = (stamp << np.uint64(16)) | w[s + k]
    at = s + 17 + w[s + 13]  # the cost's length
    has_cost = w[at] != NULL
    amount = _numeric(w, s + 13)
    cost = _numeric(w, at[has_cost] + 2)
    if amount is None or cost is None:
        return None
    costs = np.full(s.size, np.nan)
    costs[has_cost] = cost
    day = (stamp.view(np.int64) + PG_EPOCH_US) / 1e6 / 86_400.0
    return OrderArrays(client, day, amount, costs)


def _numeric(w: Words, at: Ints) -> Floats | None:
    """The ``numeric`` values at words ``at`` (ndigits, weight, sign, dscale, digits…) as
    floats, through exact whole cents; None for NaN/infinities or finer than cents.

    A value is Σ digit_k·10000^(weight − k); in units of 10⁻⁴ (cents·100) each digit's
    multiplier is 10000^(weight − k + 1), looked up by (ndigits, weight) in ``MULTIPLIERS``.
    """
    sign = w[at + 2]
    shape = w[at] * WEIGHTS + np.clip(w[at + 1].view(np.int16) + 1, 0, WEIGHTS - 1)
    if np.any(~VALID[shape]) or np.any((sign != 0) & (sign != 0x4000)) or np.any(w[at + 3] > 2):
        return None
    units = np.zeros(at.size, dtype=np.int64)
    for k in range(int(w[at].max(initial=0))):
        units += MULTIPLIERS[k][shape] * w[at + 4 + k]
    cents = units // 100
    return np.where(sign == 0x4000, -cents, cents) / 100.0


def _multipliers() -> tuple[NDArray[np.bool_], list[Ints]]:
    """Per (ndigits, weight + 1) — weight −1 … 6, anything else reads as invalid — whether a
    numeric(14, 2) can have that shape, and each digit's multiplier in units of 10⁻⁴."""
    valid = np.zeros((MAX_DIGITS + 1) * WEIGHTS, dtype=bool)
    table = [np.zeros(valid.size, dtype=np.int64) for _ in range(MAX_DIGITS)]
    for digits in range(MAX_DIGITS + 1):
        for weight in range(-1, WEIGHTS - 1):
            code = digits * WEIGHTS + weight + 1
            valid[code] = digits == 0 or (weight <= 3 and weight - digits + 2 >= 0)
            for k in range(digits):
                table[k][code] = 10_000 ** max(weight - k + 1, 0) if valid[code] else 0
    valid[0 * WEIGHTS] = True  # zero: no digits (its weight is 0, but be lenient)
    return valid, table


WEIGHTS = 8
VALID, MULTIPLIERS = _multipliers()
