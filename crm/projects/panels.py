"""Panels that other features add to the project page (approvals, 要素, people, …).

The project feature imports none of them: a feature registers a function that takes the project and
answers ``(template, context)`` — or ``None`` to show nothing — for one of two columns, ``"main"`` (the
wide left column) or ``"side"`` (the right column), and the page renders each column's panels in
registration order.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import render_template
from markupsafe import Markup

from crm.models import Project

Panel = Callable[[Project], "tuple[str, dict] | None"]
PANELS: dict[str, list[Panel]] = {"main": [], "side": []}


def register_panel(column: str, panel: Panel) -> Panel:
    if column not in PANELS:
        raise ValueError(f"unknown project page column: {column}")
    if panel not in PANELS[column]:
        PANELS[column].append(panel)
    return panel


def render_panels(project: Project, column: str) -> list[Markup]:
    out = []
    for panel in PANELS[column]:
        answer = panel(project)
        if answer is not None:
            template, context = answer
            out.append(Markup(render_template(template, project=project, **context)))  # nosec B704 - autoescaped
    return out
