"""Differential privacy for the open data (optional): OpenDP's Laplace mechanism on each count.

With an epsilon E, every count of the package (figures and breakdown cells, zeros included)
gets integer noise from OpenDP 0.16's discrete Laplace mechanism (`make_laplace` on integers)
of scale 1/E, BEFORE suppression: the cells from 1 to 4 are then the noisy ones, so the pattern
of suppression does not give back the true small counts. A noisy count below 0 is published
as 0 (post-processing: it costs no privacy).

What E means. Each count counts items (requests, members, volunteer-requester pairs, alerts)
and one item changes it by at most 1 (sensitivity 1; a request is in one cell of a breakdown,
a member in one age band and one neighbourhood). So one count spends E for one item. A person
counted k times in one count (k requests in `posted`) is protected there with k * E. Over the
whole package the losses add up (sequential composition): the bound is N * E for N noised
values; breakdown cells are disjoint, so that bound is loose.

`hours_given` is the sum of the hours of the tasks done: a task reports at most 24 hours (the
service refuses more, `MAX_HOURS`), so its sensitivity is 24 and its noise (OpenDP's Laplace
on floats) has scale 24/E. `fulfilled_share` is recomputed from the noisy counts. Durations,
poll participation, the intergenerational share and the loneliness mean are withheld (empty,
suppressed): their sensitivity to one person is not bounded by anything this module knows.
Which neighbourhoods are merged is decided on noisy member counts: a neighbourhood is named
when its noisy count reaches the threshold plus a margin of ln(10^6)/E, so that one smaller
than the threshold is named with a chance below one in a million. Every category, age band
and listed neighbourhood gets a cell, so that no key's presence tells a true count.

The noise comes from OpenDP's own sampler, seeded by the operating system: no seed, so it
cannot be drawn again by anyone.
"""

from __future__ import annotations

import math
from typing import Any

MECHANISM = "discrete Laplace (OpenDP 0.16)"
EPSILON_MIN, EPSILON_MAX = 0.01, 10.0
SENSITIVITY = 1
# A neighbourhood below the threshold is named with a chance below this (see naming_margin).
NAMING_RISK = 1e-6
HOURS_PER_TASK = 24.0  # core.services.requests.MAX_HOURS: the most a task can report
RECOMPUTED = ("fulfilled_share",)
WITHHELD = (
    "acceptance_median_s",
    "acceptance_p90_s",
    "first_help_median_s",
    "poll_participation",
    "handling_median_s",
    "handling_p90_s",
    "intergenerational_share",
    "loneliness_mean",
)


def available() -> bool:
    """Whether OpenDP is installed (the `privacy` extra)."""
    import importlib.util

    return importlib.util.find_spec("opendp") is not None


def valid_epsilon(epsilon: float) -> bool:
    """A usable budget per count: finite, from 0.01 (noise drowning every figure) to 10
    (noise that almost never moves a count, so protects nobody)."""
    return math.isfinite(epsilon) and EPSILON_MIN <= epsilon <= EPSILON_MAX


class Noise:
    """The noise of one package: draws, and counts what it has drawn (for the statement)."""

    def __init__(self, epsilon: float) -> None:
        if not valid_epsilon(epsilon):
            raise ValueError(f"epsilon must be from {EPSILON_MIN} to {EPSILON_MAX}")
        import opendp.prelude as dp

        dp.enable_features("contrib")
        self.epsilon = epsilon
        self.used = 0
        self._count = dp.m.make_laplace(
            dp.atom_domain(T=int), dp.absolute_distance(T=int), scale=SENSITIVITY / epsilon
        )
        self._hours = dp.m.make_laplace(
            dp.atom_domain(T=float, nan=False),
            dp.absolute_distance(T=float),
            scale=HOURS_PER_TASK / epsilon,
        )
        # OpenDP's own privacy maps: what one item costs each release (a float's rounding).
        assert self._count.map(SENSITIVITY) <= epsilon * (1 + 1e-9)
        assert self._hours.map(HOURS_PER_TASK) <= epsilon * (1 + 1e-9)

    def naming_margin(self) -> int:
        """What a neighbourhood's noisy member count must exceed the threshold by to be named:
        the discrete Laplace's tail P(noise >= m) < exp(-E m), below NAMING_RISK for this m."""
        return math.ceil(math.log(1 / NAMING_RISK) / self.epsilon)

    def count(self, true: int) -> int:
        """A count with noise, at least 0."""
        self.used += 1
        return max(0, int(self._count(int(true))))

    def hours(self, per_task: list[float]) -> float:
        """The sum of the tasks' hours (each clipped to 0..24) with noise, at least 0."""
        self.used += 1
        clipped = sum(min(max(float(h), 0.0), HOURS_PER_TASK) for h in per_task)
        return max(0.0, round(float(self._hours(clipped)), 1))

    def statement(self) -> dict[str, Any]:
        """What the descriptor says of the noise (`entraide:privacy`)."""
        return {
            "mechanism": MECHANISM,
            "epsilon_per_count": self.epsilon,
            "sensitivity": SENSITIVITY,
            "scale": SENSITIVITY / self.epsilon,
            "unit_of_privacy": (
                "one counted item: a request, a member, a volunteer-requester pair or an alert;"
                " a person counted k times in one count is protected there with k times epsilon"
            ),
            "counts": self.used,
            "total_epsilon": round(self.used * self.epsilon, 6),
            "composition": "sequential: the sum over every noised value, an upper bound",
            "noised_before_suppression": True,
            "clamped_at_zero": True,
            "hours_given": {
                "mechanism": "Laplace (OpenDP 0.16, floats)",
                "hours_per_task_at_most": HOURS_PER_TASK,
                "sensitivity": HOURS_PER_TASK,
                "epsilon": self.epsilon,
            },
            "recomputed_from_noisy_counts": list(RECOMPUTED),
            "withheld": list(WITHHELD),
            "neighbourhoods_merged_on_noisy_member_counts": True,
            "neighbourhood_naming_margin": self.naming_margin(),
            "neighbourhood_naming_risk": NAMING_RISK,
        }

    def sentence(self) -> str:
        """The descriptor's sentence on the noise."""
        return (
            f" Every count has discrete Laplace noise (OpenDP) with epsilon {self.epsilon} per"
            " count (sensitivity 1), added before suppression; the budgets of the package's"
            f" {self.used} noised values add up to at most {self.used * self.epsilon:g}."
            " Durations and other shares are withheld; see entraide:privacy."
        )
