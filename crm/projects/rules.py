"""The vocabulary of projects: labels, the stage order, which moves need evidence and 认定.

签约 → 注册 → 开工 → 竣工 / 投产 → 达效 for industrial projects; others end at 竣工. 暂缓 and 终止
are exits that remember the stage left. Moving to 签约, 开工 or 投产 needs evidence and counts in
KPIs only once a city reviewer has confirmed it (认定).
"""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from crm.leads.conversion import PROJECT_STAGE_LABELS

__all__ = ["STAGE_LABELS", "SOURCE_LABELS", "CATEGORY_LABELS", "NATURE_LABELS", "PLAN_LIST_LABELS",
           "KEY_LEVEL_LABELS", "LIBRARY_LABELS", "REVIEW_LABELS", "PIPELINE", "EXITS", "EVIDENCE_STAGES",
           "NON_INDUSTRIAL_LAST", "STARTED", "FINISHED", "rank", "code_problem", "clean_code"]

STAGE_LABELS = PROJECT_STAGE_LABELS
SOURCE_LABELS = {"attraction": _l("Investment attraction (招商引资)"), "government": _l("Government investment (政府投资)"),
                 "enterprise": _l("Enterprise's own (企业自主)"), "assigned": _l("Assigned from above (上级下达)")}
CATEGORY_LABELS = {"industry": _l("Industrial (产业)"), "infrastructure": _l("Infrastructure (基础设施)"),
                   "livelihood": _l("Social and livelihood (社会民生)"), "ecology": _l("Ecology (生态)")}
NATURE_LABELS = {"new": _l("New build (新建)"), "expand": _l("Expansion (扩建)"), "rebuild": _l("Renovation (改建)")}
PLAN_LIST_LABELS = {"new": _l("New start (新开工)"), "continuing": _l("Continuing (续建)"),
                    "preparing": _l("In preparation (前期)")}
KEY_LEVEL_LABELS = {"province": _l("Provincial key (省重点)"), "city": _l("City key (市重点)"),
                    "county": _l("County key (县重点)")}
LIBRARY_LABELS = {"national": _l("National major projects library (国家重大建设项目库)"),
                  "provincial_key": _l("Provincial key works (省重点工程)"), "city_key": _l("City key (市重点)"),
                  "county_key": _l("County key (县重点)"),
                  "special_bond": _l("Special bond reserve (专项债储备库)"),
                  "central_budget": _l("Central budget reserve (中央预算内储备库)")}
REVIEW_LABELS = {"pending": _l("Awaiting confirmation (待认定)"), "confirmed": _l("Confirmed (已认定)"),
                 "returned": _l("Returned (退回)")}

PIPELINE = ("signed", "registered", "started", "completed", "producing", "effective")
EXITS = ("paused", "ended")
EVIDENCE_STAGES = frozenset({"signed", "started", "producing"})
NON_INDUSTRIAL_LAST = "completed"
STARTED = ("started", "completed", "producing", "effective")   # 开工 reached
FINISHED = ("completed", "producing", "effective")            # dropped from next year's plan
MANAGER_ROLES = frozenset({"manager", "admin"})

# GB/T 40058-2021 投资项目代码: year, 6-digit division, industry and kind, serial — e.g. 2021-141002-44-01-012345.
CODE_PATTERN = re.compile(r"^(19|20)\d{2}-\d{6}-\d{2}-\d{2}-\d{6}$")


def rank(stage: str) -> int:
    return PIPELINE.index(stage) if stage in PIPELINE else -1


def clean_code(raw: str | None) -> str | None:
    """Trim, unify dashes and full-width digits; None when blank."""
    if raw is None:
        return None
    text = raw.strip().translate(str.maketrans("０１２３４５６７８９－—–", "0123456789---")).replace(" ", "")
    return text or None


def code_problem(code: str) -> str | None:
    """Why ``code`` is not a valid 投资项目代码, or None.

    >>> code_problem("2021-141002-44-01-012345") is None
    True
    >>> code_problem("2021-14100-44-01-012345") is not None
    True
    """
    if not CODE_PATTERN.match(code):
        return str(_l("An investment project code looks like 2021-141002-44-01-012345 (year, division, "
                      "industry, kind, serial)."))
    return None
