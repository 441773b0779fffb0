"""Panels that other features add to the company page (the contact-log timeline, later projects).

The company feature sits below those features and imports none of them: a feature registers a
function that takes the company and answers ``(template, context)`` — or ``None`` to show
nothing — and the company page renders each panel in registration order.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import render_template
from markupsafe import Markup

from crm.models import Company

Panel = Callable[[Company], "tuple[str, dict] | None"]
PANELS: list[Panel] = []


def register_panel(panel: Panel) -> Panel:
    if panel not in PANELS:
        PANELS.append(panel)
    return panel


def render_panels(company: Company) -> list[Markup]:
    out = []
    for panel in PANELS:
        answer = panel(company)
        if answer is not None:
            template, context = answer
            out.append(Markup(render_template(template, **context)))  # nosec B704 - autoescaped template output
    return out
