"""What the KPI page calls each indicator, 口径, exception reason and 序时 basis (msgids in English)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

INDICATOR_LABELS = {
    "new_start_rate": _l("New-start rate (新开工率)"),
    "resume_rate": _l("Resumption rate (复工率)"),
    "start_resume_rate": _l("Start and resumption rate (开复工率)"),
    "investment_completion_rate": _l("Investment completion rate (投资完成率)"),
    "completion_rate": _l("Completion rate (竣工率)"),
    "production_rate": _l("Production rate (投产率)"),
    "contract_performance_rate": _l("Contract performance rate (履约率)"),
    "funds_arrival_rate": _l("Funds arrival rate (资金到位率)"),
    "same_year_start_rate": _l("Signed and started this year (当年签约当年开工率)"),
}
MONEY_INDICATORS = frozenset({"investment_completion_rate", "funds_arrival_rate"})
# What the numerator and denominator count.
UNITS = {
    "investment_completion_rate": _l("10k yuan"), "funds_arrival_rate": _l("10k yuan"),
    "contract_performance_rate": _l("obligations"), "same_year_start_rate": _l("contracts"),
}
REASON_LABELS = {
    "not_started": _l("Not started"),
    "unconfirmed_start": _l("Start awaiting confirmation (认定)"),
    "no_investment": _l("No completed investment reported this year"),
    "behind_schedule": _l("Behind its own schedule (序时)"),
    "not_completion": _l("Not completed"),
    "unconfirmed_completion": _l("Completion awaiting confirmation"),
    "not_production": _l("Not in production"),
    "unconfirmed_production": _l("Production awaiting confirmation (认定)"),
    "no_funds": _l("No funds arrived this year"),
    "missed_registered": _l("Not registered by the contract deadline (超时限未注册)"),
    "missed_started": _l("Not started by the contract deadline (超时限未开工)"),
    "missed_producing": _l("Not in production by the contract deadline (超时限未投产)"),
    "unconfirmed_registered": _l("Registered on time, awaiting confirmation"),
    "unconfirmed_started": _l("Started on time, awaiting confirmation (认定)"),
    "unconfirmed_producing": _l("In production on time, awaiting confirmation (认定)"),
}
BASIS_LABELS = {
    "monthly_plan": _l("from the monthly plans"),
    "elapsed": _l("elapsed share of the year (planned × month / 12)"),
    "mixed": _l("monthly plans where present, else planned × month / 12"),
    "none": _l("no planned investment"),
}
LIST_LABELS = {"new": _l("New start (新开工)"), "continuing": _l("Continuing (续建)"),
               "preparing": _l("In preparation (前期)")}
