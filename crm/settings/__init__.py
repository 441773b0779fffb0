"""Typed settings: a registry of keys that features register, stored in the database."""
from crm.settings.registry import REGISTRY, SettingDef, get, register, set_value  # noqa: F401
