"""Labels of the approval vocabulary: stages, statuses, approval types, land supply, zone rule."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

STAGE_LABELS = {
    1: _l("Project approval, land use and planning permit (立项用地规划许可)"),
    2: _l("Works permit (工程建设许可)"),
    3: _l("Construction permit (施工许可)"),
    4: _l("Completion acceptance (竣工验收)"),
}
STATUS_LABELS = {
    "todo": _l("Not started (未办)"),
    "doing": _l("In progress (在办)"),
    "done": _l("Done (已办)"),
    "na": _l("Not applicable (不适用)"),
    "commitment": _l("By commitment (承诺制)"),
    "regional": _l("Covered by regional assessment (区域评估已覆盖)"),
}
STATUS_BADGES = {"todo": "text-bg-light border", "doing": "text-bg-warning", "done": "text-bg-success",
                 "na": "text-bg-secondary", "commitment": "text-bg-info", "regional": "text-bg-info"}
TYPE_LABELS = {"approve": _l("Approval (审批)"), "verify": _l("Verification (核准)"), "record": _l("Filing (备案)")}
LAND_LABELS = {"allocated": _l("Allocation (划拨)"), "transfer": _l("Transfer (出让)"),
               "none": _l("No new construction land")}
ZONE_LABELS = {"any": _l("In a zone or not"), "zone": _l("In a zone only"), "outside": _l("Outside zones only")}
