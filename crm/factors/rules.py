"""The kinds of inputs with their units, the request statuses, and how a status follows from the amounts.

Kinds and units are physical (亩, 吨标准煤, 吨, 万吨/年 …), so they are a table in code; what the city has
of each in a year is data (a pool). A refused request keeps what was already allocated to it, but the
rest of it no longer counts as outstanding.
"""
from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l

from crm.models.factors import FACTOR_KINDS, FACTOR_STATUSES

KIND_LABELS = {
    "land": _l("Land (用地)"),
    "energy": _l("Energy quota (能耗指标)"),
    "emission_cod": _l("Emission quota: COD (化学需氧量)"),
    "emission_nh3n": _l("Emission quota: ammonia nitrogen (氨氮)"),
    "emission_so2": _l("Emission quota: SO₂ (二氧化硫)"),
    "emission_nox": _l("Emission quota: NOx (氮氧化物)"),
    "water": _l("Water (用水)"),
    "power": _l("Power (用电)"),
    "gas": _l("Gas (用气)"),
    "funds_bond": _l("Special bonds (专项债)"),
    "funds_central": _l("Central budget funds (中央预算内资金)"),
}
_TONNES = _l("t (吨)")
_YUAN = _l("10k yuan (万元)")
UNIT_LABELS = {
    "land": _l("mu (亩)"), "energy": _l("t standard coal (吨标准煤)"),
    "emission_cod": _TONNES, "emission_nh3n": _TONNES, "emission_so2": _TONNES, "emission_nox": _TONNES,
    "water": _l("10k t/year (万吨/年)"), "power": _l("10k kWh/year (万千瓦时/年)"),
    "gas": _l("10k m³/year (万立方米/年)"), "funds_bond": _YUAN, "funds_central": _YUAN,
}
STATUS_LABELS = {
    "requested": _l("Requested (申请中)"), "partial": _l("Partly granted (部分保障)"),
    "granted": _l("Granted (已保障)"), "refused": _l("Refused (不予保障)"),
}
# Chinese names for exports, which are written in Chinese whatever the interface language.
KIND_NAMES_ZH = {"land": "用地", "energy": "能耗指标", "emission_cod": "排放总量指标·化学需氧量",
                 "emission_nh3n": "排放总量指标·氨氮", "emission_so2": "排放总量指标·二氧化硫",
                 "emission_nox": "排放总量指标·氮氧化物", "water": "用水", "power": "用电", "gas": "用气",
                 "funds_bond": "专项债", "funds_central": "中央预算内资金"}
UNIT_NAMES_ZH = {"land": "亩", "energy": "吨标准煤", "emission_cod": "吨", "emission_nh3n": "吨", "emission_so2": "吨",
                 "emission_nox": "吨", "water": "万吨/年", "power": "万千瓦时/年", "gas": "万立方米/年",
                 "funds_bond": "万元", "funds_central": "万元"}
STATUS_NAMES_ZH = {"requested": "申请中", "partial": "部分保障", "granted": "已保障", "refused": "不予保障"}

# The tables above must name every kind and status of the model, or pages and exports would fail at run time.
if not (set(KIND_LABELS) == set(UNIT_LABELS) == set(KIND_NAMES_ZH) == set(UNIT_NAMES_ZH) == set(FACTOR_KINDS)
        and set(STATUS_LABELS) == set(STATUS_NAMES_ZH) == set(FACTOR_STATUSES)):
    raise RuntimeError("crm.factors.rules does not cover every kind and status of crm.models.factors")

ZERO = Decimal("0")


def derive_status(requested: Decimal, allocated: Decimal, refused: bool = False) -> str:
    """申请中 while nothing is allocated, 部分保障 while some is, 已保障 once all is; 不予保障 once refused."""
    if refused:
        return "refused"
    if allocated <= ZERO:
        return "requested"
    return "granted" if allocated >= requested else "partial"


def outstanding(requested: Decimal, allocated: Decimal, status: str) -> Decimal:
    """What is still to be granted: nothing for a refused request."""
    return ZERO if status == "refused" else max(requested - allocated, ZERO)
