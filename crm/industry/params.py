"""The chain method's parameters (:class:`chains.Params`) kept as one setting.

The weights of a group must sum to 1, so the parameters are edited together on one page and stored
as one mapping; the target regions come from the core ``target_clusters`` setting rather than twice.
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

import chains
from crm.core.errors import DomainError
from crm.refdata.lookup import CLUSTERS
from crm.settings import get as get_setting
from crm.settings.registry import SettingDef, register

#: Every parameter but the target regions (a core setting), with its label; order of the form.
FIELDS: tuple[tuple[str, Any], ...] = (
    ("k", _l("Dependence hops (k)")),
    ("lam", _l("Decay per hop (λ)")),
    ("min_local_count", _l("Local companies for a complete segment")),
    ("min_lq", _l("Location quotient for a complete segment")),
    ("strong_lq", _l("Location quotient of a strong segment")),
    ("w_dependence", _l("Importance weight: leader dependence")),
    ("w_betweenness", _l("Importance weight: betweenness")),
    ("w_reach", _l("Importance weight: downstream reach")),
    ("w_policy", _l("Importance weight: policy")),
    ("w_fit", _l("Target weight: fit")),
    ("w_link", _l("Target weight: link")),
    ("w_scale", _l("Target weight: scale")),
    ("w_source", _l("Target weight: source")),
    ("w_momentum", _l("Target weight: momentum")),
    ("fill_weight", _l("Action weight: fill (补链)")),
    ("extend_weight", _l("Action weight: extend (延链)")),
    ("strengthen_weight", _l("Action weight: strengthen (强链)")),
    ("leader_link_weight", _l("Link weight to a chain leader")),
    ("other_link_weight", _l("Link weight to another local firm")),
    ("predicted_link_cap", _l("Cap of a predicted link")),
    ("other_source", _l("Source part outside the target regions")),
    ("recency_days", _l("Recency window (days)")),
    ("lost_discount", _l("Lost-lead discount")),
)
INT_FIELDS = frozenset({"k", "min_local_count", "recency_days"})
DEFAULTS = {key: value for key, value in chains.Params().as_dict().items() if key != "target_clusters"}


def validate(raw: Any) -> dict[str, Any]:
    """Submitted values (text or numbers) → the stored mapping; every bad field named at once."""
    labels = dict(FIELDS)
    values: dict[str, Any] = {}
    errors: list[str] = []
    for key, default in DEFAULTS.items():
        text = str((raw or {}).get(key, default)).strip()
        try:
            values[key] = int(text) if key in INT_FIELDS else float(text)
        except ValueError:
            errors.append(str(_l("%(label)s: %(value)s is not a number", label=labels[key], value=text[:20])))
    if not errors:
        try:
            chains.Params.from_mapping(values)
        except chains.ParamsError as err:
            errors = [f"{labels.get(k, k)}: {_message(m)}" for k, m in err.errors.items()]
    if errors:
        raise DomainError("；".join(errors))
    return values


def _message(text: str) -> str:
    messages = {
        "must be at least 1": _l("must be at least 1"),
        "must be a number between 0 and 1": _l("must be a number between 0 and 1"),
        "must be greater than 0": _l("must be greater than 0"),
        "must be a non-negative number": _l("must be a non-negative number"),
        "must not be below min_lq": _l("must not be below the location quotient of a complete segment"),
        "the importance weights must sum to 1": _l("the importance weights must sum to 1"),
        "the target weights must sum to 1": _l("the target weights must sum to 1"),
    }
    return str(messages.get(text, text))


CHAIN_PARAMS = register(SettingDef(
    "chain_params", "mapping", dict(DEFAULTS), _l("Chain analysis parameters"), _l("Industrial chains"),
    help=_l("Weights, hops, thresholds, the recency window and the lost-lead discount of the gap analysis."),
    validator=validate, edit_endpoint="industry.params"))


def load(session: Session) -> chains.Params:
    """The current parameters (stored values over the defaults; regions from ``target_clusters``)."""
    stored = {k: v for k, v in (get_setting(session, "chain_params") or {}).items() if k in DEFAULTS}
    clusters = tuple(CLUSTERS[c] for c in get_setting(session, "target_clusters") if c in CLUSTERS)
    return chains.Params.from_mapping({**DEFAULTS, **stored, "target_clusters": clusters})
