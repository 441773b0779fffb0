"""The layout rules of DESIGN.md §5 and the configuration rules."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from config import ConfigError, get_config

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("flask", "sqlalchemy", "flask_sqlalchemy", "crm", "werkzeug")


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0]


def test_chains_imports_nothing_of_the_web_app():
    files = list((ROOT / "chains").rglob("*.py"))
    assert files, "chains/ exists"
    for path in files:
        bad = [m for m in _imports(path) if m in FORBIDDEN]
        assert not bad, f"{path} imports {bad}"


def test_models_import_no_service():
    for path in (ROOT / "crm" / "models").glob("*.py"):
        mods = {m for m in _imports(path)}
        assert not mods & {"flask", "flask_login"}, path
        text = path.read_text(encoding="utf-8")
        assert "services" not in text and ".commit(" not in text, path


def test_services_never_commit():
    for path in (ROOT / "crm").rglob("services.py"):
        assert ".commit(" not in path.read_text(encoding="utf-8"), f"{path} commits"


def test_modules_stay_small():
    for path in [*(ROOT / "crm").rglob("*.py"), *(ROOT / "chains").rglob("*.py")]:
        lines = path.read_text(encoding="utf-8").count("\n")
        assert lines <= 400, f"{path} has {lines} lines: split it along a seam"


def test_production_refuses_to_start_without_secret_and_database(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY and DATABASE_URL"):
        get_config("production")
    monkeypatch.setenv("SECRET_KEY", "s" * 32)
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        get_config("production")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@localhost/db")
    assert get_config("production").SQLALCHEMY_DATABASE_URI.startswith("postgresql")
    with pytest.raises(ConfigError):
        get_config("staging")
