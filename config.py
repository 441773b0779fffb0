"""Configuration classes for ChainCRM, chosen from the environment.

``CHAINCRM_ENV`` selects ``development`` (default), ``testing`` or ``production``.
Production refuses to start without ``SECRET_KEY`` and ``DATABASE_URL``: a
government server must never run on a throwaway key or an accidental SQLite
file. Development keeps its database and a generated secret key in
``instance/`` so ``make run`` is idempotent.
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("CHAINCRM_INSTANCE", BASE_DIR / "instance"))


class ConfigError(RuntimeError):
    """Raised when the environment does not allow the selected configuration."""


def _instance_secret() -> str:
    """Return a per-installation secret kept in ``instance/secret_key`` (mode 0600)."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text().strip()


class BaseConfig:
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    # Long forms (monthly grids) must not expire while an officer types.
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    # HTTP intranets exist: Secure cookies only when the deployment says it is HTTPS.
    SESSION_COOKIE_SECURE = os.environ.get("CHAINCRM_HTTPS", "") == "1"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = {"zh": "中文", "en": "English"}
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024
    JSON_AS_ASCII = False


class DevelopmentConfig(BaseConfig):
    DEBUG = False

    def __init__(self) -> None:
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or _instance_secret()
        self.SQLALCHEMY_DATABASE_URI = os.environ.get(
            "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'chaincrm.sqlite'}")


class TestingConfig(BaseConfig):
    TESTING = True
    # Test hook: seconds an import-apply job waits after writing and before committing, so a
    # test can kill the worker at the worst moment. Only the testing configuration reads it.
    IMPORT_APPLY_PAUSE = float(os.environ.get("CHAINCRM_TEST_APPLY_PAUSE", "0") or 0)

    def __init__(self) -> None:
        self.SECRET_KEY = "testing-" + secrets.token_hex(8)
        self.SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite://")


class ProductionConfig(BaseConfig):
    def __init__(self) -> None:
        missing = [k for k in ("SECRET_KEY", "DATABASE_URL") if not os.environ.get(k)]
        if missing:
            raise ConfigError("production needs " + " and ".join(missing) + " in the environment")
        self.SECRET_KEY = os.environ["SECRET_KEY"]
        self.SQLALCHEMY_DATABASE_URI = os.environ["DATABASE_URL"]


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name: str | None = None) -> BaseConfig:
    """Build the configuration object for ``name`` (or ``CHAINCRM_ENV``)."""
    name = name or os.environ.get("CHAINCRM_ENV", "development")
    try:
        cls = CONFIGS[name]
    except KeyError:
        raise ConfigError(f"unknown CHAINCRM_ENV {name!r}; use one of {', '.join(CONFIGS)}") from None
    return cls()
