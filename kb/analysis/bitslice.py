"""Scores of all cases at once, as bit planes: plane ``j`` holds bit ``j`` of every case's score.

Comparable cases (:mod:`kb.analysis.compare`) add each component's points to every case on its posting list
with a few whole-integer operations, then pick the best cases from the planes without sorting them all.

>>> planes = []
>>> add_to_lanes(planes, 0b0110, 3)   # cases 1 and 2 get 3 points
>>> add_to_lanes(planes, 0b0011, 2)   # cases 0 and 1 get 2
>>> set_bits(best_lanes(planes, 0b0111, 1)), set_bits(best_lanes(planes, 0b0111, 2))
([1], [1, 2])
"""

from __future__ import annotations

__all__ = ["add_to_lanes", "best_lanes", "set_bits"]


def add_to_lanes(planes: list[int], mask: int, value: int) -> None:
    """Add ``value`` to the score of every case in ``mask``; ``planes[j]`` holds bit j of every score.

    A ripple-carry adder run on all cases at once: each step is a few operations on whole integers.
    """
    carry, j = 0, 0
    while value or carry:
        if j == len(planes):
            planes.append(0)
        addend = mask if value & 1 else 0
        plane = planes[j]
        planes[j] = plane ^ addend ^ carry
        carry = (plane & addend) | (carry & (plane ^ addend))
        value >>= 1
        j += 1


def best_lanes(planes: list[int], candidates: int, limit: int) -> int:
    """The ``limit`` candidates with the highest scores (ties: lowest bits, i.e. by name) as a bitmask.

    From the highest bit plane down: if at least ``needed`` candidates have this bit set, the best
    are among them; otherwise all of those are in, and the rest are sought among the others.  What
    is left at the end are candidates with equal scores, of which the first ``needed`` are taken.
    """
    if candidates.bit_count() <= limit:
        return candidates
    chosen, needed = 0, limit
    for plane in reversed(planes):
        ones = candidates & plane
        count = ones.bit_count()
        if count >= needed:
            candidates = ones
        else:
            chosen, needed, candidates = chosen | ones, needed - count, candidates & ~plane
    for _ in range(needed):
        lowest = candidates & -candidates
        chosen, candidates = chosen | lowest, candidates ^ lowest
    return chosen


def set_bits(mask: int) -> list[int]:
    """Positions of the set bits of ``mask``, lowest first."""
    positions = []
    while mask:
        lowest = mask & -mask
        positions.append(lowest.bit_length() - 1)
        mask ^= lowest
    return positions
