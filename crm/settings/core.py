"""Settings every deployment has: home city, target clusters, KPI targets, sign-in rules."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from crm.settings.registry import Column, SettingDef, register

GROUP_CITY = _l("Home city")
GROUP_KPI = _l("KPI targets")
GROUP_SECURITY = _l("Sign-in and passwords")

KPI_INDICATORS = (
    ("new_start_rate", _l("New-start rate")),
    ("resume_rate", _l("Resumption rate")),
    ("start_resume_rate", _l("Start and resumption rate")),
    ("investment_completion_rate", _l("Investment completion rate")),
    ("completion_rate", _l("Completion rate")),
    ("production_rate", _l("Production rate")),
    ("contract_performance_rate", _l("Contract performance rate")),
    ("funds_arrival_rate", _l("Funds arrival rate")),
    ("same_year_start_rate", _l("Same-year signing and start rate")),
)
PLAN_LIST_CHOICES = (("new", _l("New starts")), ("continuing", _l("Continuing")), ("preparing", _l("In preparation")),
                     ("all", _l("All lists")))

HOME_CITY_CODE = register(SettingDef(
    "home_city_code", "str", "1410", _l("Home city division code"), GROUP_CITY,
    help=_l("Division code of the home city (4 digits), e.g. 1410 for 临汾市. "
            "Companies located inside it are local.")))
HOME_CITY_NAME = register(SettingDef("home_city_name", "str", "临汾市", _l("Home city name"), GROUP_CITY))
TARGET_CLUSTERS = register(SettingDef(
    "target_clusters", "choices", ["jjj", "yrd", "gzpc"], _l("Target regions"), GROUP_CITY,
    choices=(("jjj", "京津冀"), ("yrd", "长三角"), ("gzpc", "关中平原城市群")),
    help=_l("Regions whose companies count as target-region investors.")))
DEMO_YEAR = register(SettingDef("plan_year", "int", 2022, _l("Current plan year"), GROUP_CITY,
                                minimum=2000, maximum=2100))

KPI_TARGETS = register(SettingDef(
    "kpi_targets", "table",
    [
        {"indicator": "new_start_rate", "list": "new", "checkpoint": "2022-03-31", "value": 35.0},
        {"indicator": "new_start_rate", "list": "new", "checkpoint": "2022-06-30", "value": 75.0},
        {"indicator": "new_start_rate", "list": "new", "checkpoint": "2022-12-31", "value": 90.0},
        {"indicator": "resume_rate", "list": "continuing", "checkpoint": "2022-03-31", "value": 70.0},
        {"indicator": "resume_rate", "list": "continuing", "checkpoint": "2022-06-30", "value": 100.0},
    ],
    _l("Staged KPI targets"), GROUP_KPI,
    help=_l("Each row: indicator, plan list, checkpoint date and target value in percent."),
    columns=(
        Column("indicator", _l("Indicator"), "choice", KPI_INDICATORS),
        Column("list", _l("Plan list"), "choice", PLAN_LIST_CHOICES),
        Column("checkpoint", _l("Checkpoint date"), "date"),
        Column("value", _l("Target (%)"), "float"),
    )))

LOGIN_MAX_FAILURES = register(SettingDef(
    "login_max_failures", "int", 5, _l("Failed sign-ins before a pause"), GROUP_SECURITY, minimum=3, maximum=50))
LOGIN_WINDOW_MINUTES = register(SettingDef(
    "login_window_minutes", "int", 15, _l("Sign-in pause (minutes)"), GROUP_SECURITY, minimum=1, maximum=1440))
PASSWORD_MIN_LENGTH = register(SettingDef(
    "password_min_length", "int", 10, _l("Minimum password length"), GROUP_SECURITY, minimum=8, maximum=64))
