"""Locale selection: Chinese by default, English on request (a cookie or the user's choice)."""
from __future__ import annotations

from flask import current_app, has_request_context, request
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    choice = request.cookies.get("lang")
    if choice in languages:
        return choice
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]
