"""The parameters of the chain method (DESIGN.md §4) in one validated record.

The web app keeps them as settings: :meth:`Params.as_dict` gives plain values to store and
:meth:`Params.from_mapping` reads them back (unknown keys refused, missing ones defaulted).
Invalid values raise :class:`chains.errors.ParamsError` naming every bad field at once.

Examples
--------
>>> p = Params(k=2, lam=0.5)
>>> p.target_weights["fit"]
0.35
>>> Params(k=0)
Traceback (most recent call last):
...
chains.errors.ParamsError: k: must be at least 1
>>> Params.from_mapping({"lam": 0.7}).lam
0.7
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Mapping

from chains.errors import ParamsError

__all__ = ["Params", "TARGET_PARTS", "IMPORTANCE_PARTS"]

TARGET_PARTS = ("fit", "link", "scale", "source", "momentum")
IMPORTANCE_PARTS = ("dependence", "betweenness", "reach", "policy")


@dataclass(frozen=True)
class Params:
    """Weights, k, λ, thresholds, the recency window and the lost-lead discount.

    Parameters
    ----------
    k, lam : int, float
        Leader dependence counts supply paths of at most ``k`` hops into a local leader's segment,
        each hop multiplying by ``lam`` (λ in (0, 1]).
    min_local_count, min_lq : int, float
        A present segment is 薄弱 when it has fewer local companies than ``min_local_count`` or a
        location quotient below ``min_lq``; otherwise 完备.
    strong_lq : float
        A 完备 segment with a location quotient of at least ``strong_lq`` is strong (强链).
    w_dependence, w_betweenness, w_reach, w_policy : float
        Weights of the importance parts (non-negative, summing to 1).
    w_fit, w_link, w_scale, w_source, w_momentum : float
        Weights of the target parts (non-negative, summing to 1).
    fill_weight, extend_weight, strengthen_weight : float
        How much a segment's importance counts towards the fit of its companies, by the segment's
        action (a segment without action counts 0).
    leader_link_weight, other_link_weight : float
        A known or predicted link to a local chain leader counts ``leader_link_weight``, to another
        local firm ``other_link_weight``.
    predicted_link_cap : float
        The link part of a company with no known link to local firms is the prediction index
        times this cap (a predicted link is worth less than a known one).
    target_clusters, other_source : tuple of str, float
        Source part: 1 for a company in one of ``target_clusters``, ``other_source`` otherwise.
    recency_days : int
        Window for momentum signals and for the lost-lead discount.
    lost_discount : float
        A company whose lead was lost today keeps ``1 - lost_discount`` of its score; the discount
        fades linearly to nothing at the end of the recency window.
    """

    k: int = 3
    lam: float = 0.5
    min_local_count: int = 2
    min_lq: float = 0.5
    strong_lq: float = 1.0
    w_dependence: float = 0.4
    w_betweenness: float = 0.2
    w_reach: float = 0.2
    w_policy: float = 0.2
    w_fit: float = 0.35
    w_link: float = 0.25
    w_scale: float = 0.15
    w_source: float = 0.15
    w_momentum: float = 0.10
    fill_weight: float = 1.0
    extend_weight: float = 0.8
    strengthen_weight: float = 0.6
    leader_link_weight: float = 1.0
    other_link_weight: float = 0.5
    predicted_link_cap: float = 0.5
    target_clusters: tuple[str, ...] = ("京津冀", "长三角", "关中平原城市群")
    other_source: float = 0.25
    recency_days: int = 365
    lost_discount: float = 0.5

    def __post_init__(self) -> None:
        if isinstance(self.target_clusters, (list, set, frozenset)):
            object.__setattr__(self, "target_clusters", tuple(self.target_clusters))
        errors = self._errors()
        if errors:
            raise ParamsError(errors)

    def _errors(self) -> dict[str, str]:
        errors: dict[str, str] = {}
        for name in ("k", "min_local_count", "recency_days"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                errors[name] = "must be at least 1"
        unit = ["lam", "w_dependence", "w_betweenness", "w_reach", "w_policy", *(f"w_{p}" for p in TARGET_PARTS),
                "fill_weight", "extend_weight", "strengthen_weight", "leader_link_weight", "other_link_weight",
                "predicted_link_cap", "other_source", "lost_discount"]
        for name in unit:
            value = getattr(self, name)
            if not _is_number(value) or not 0 <= value <= 1:
                errors[name] = "must be a number between 0 and 1"
        if "lam" not in errors and self.lam == 0:
            errors["lam"] = "must be greater than 0"
        for name in ("min_lq", "strong_lq"):
            value = getattr(self, name)
            if not _is_number(value) or value < 0:
                errors[name] = "must be a non-negative number"
        if not errors and self.strong_lq < self.min_lq:
            errors["strong_lq"] = "must not be below min_lq"
        for group, names in (("importance weights", [f"w_{p}" for p in IMPORTANCE_PARTS]),
                             ("target weights", [f"w_{p}" for p in TARGET_PARTS])):
            if not any(n in errors for n in names) and not math.isclose(sum(getattr(self, n) for n in names), 1.0,
                                                                        abs_tol=1e-9):
                errors[names[0]] = f"the {group} must sum to 1"
        if not all(isinstance(c, str) for c in self.target_clusters):
            errors["target_clusters"] = "must be names"
        return errors

    @property
    def importance_weights(self) -> dict[str, float]:
        return {p: getattr(self, f"w_{p}") for p in IMPORTANCE_PARTS}

    @property
    def target_weights(self) -> dict[str, float]:
        return {p: getattr(self, f"w_{p}") for p in TARGET_PARTS}

    def as_dict(self) -> dict[str, Any]:
        """Plain values (lists for tuples) to keep as settings."""
        out = dataclasses.asdict(self)
        out["target_clusters"] = list(self.target_clusters)
        return out

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> "Params":
        """Build from stored settings; unknown keys are an error, missing keys take their defaults."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ParamsError({key: "unknown parameter" for key in unknown})
        return cls(**dict(values))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
