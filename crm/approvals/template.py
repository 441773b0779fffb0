"""The checklist template: a setting (``approval_template``) whose rows say which approval applies to which
kind of project, and the rule that picks a profile's rows.

Each row: a stable key, the stage (1–4), the item's name, the approval types (审批/核准/备案) and land
supplies (划拨/出让/none) it applies to, whether it applies in a zone, outside one or both, and whether
承诺制 or 区域评估 may settle it. The default is a Shanxi (临汾) list for investment projects following
the four-stage approval flow (工程建设项目审批制度改革): 审批 is the path of government-invested
projects, 核准 and 备案 of enterprise ones; 选址意见书 goes with 划拨 only; 区域评估 (压覆矿产, 地质灾害,
环评, 能评, 水保) covers projects in zones that have one.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from crm.approvals.rules import LAND_LABELS, TYPE_LABELS, ZONE_LABELS
from crm.core.errors import DomainError
from crm.models.approvals import APPROVAL_STAGES
from crm.settings.registry import Column, SettingDef, register

__all__ = ["TEMPLATE", "DEFAULT_ROWS", "applicable_rows", "applies"]

ALL_TYPES = ["approve", "verify", "record"]
NEW_LAND = ["allocated", "transfer"]
ANY_LAND = ["allocated", "transfer", "none"]


def _row(key, stage, name, types=ALL_TYPES, land=ANY_LAND, zone="any", commitment=False, regional=False):
    return {"key": key, "stage": str(stage), "name": name, "types": list(types), "land": list(land),
            "zone": zone, "commitment": commitment, "regional": regional}


DEFAULT_ROWS = [
    # 1 立项用地规划许可
    _row("project_approval", 1, "项目审批（可行性研究报告批复）", ["approve"]),
    _row("project_verify", 1, "项目核准", ["verify"]),
    _row("project_record", 1, "项目备案", ["record"]),
    _row("site_selection", 1, "用地预审与选址意见书", ["approve", "verify"], ["allocated"]),
    _row("land_preapproval", 1, "建设项目用地预审", ["approve", "verify"], ["transfer"]),
    _row("land_allocation", 1, "国有建设用地划拨决定书", land=["allocated"]),
    _row("land_contract", 1, "国有建设用地使用权出让合同", land=["transfer"]),
    _row("standard_land", 1, "标准地投资建设协议", land=["transfer"], zone="zone"),
    _row("land_planning", 1, "建设用地规划许可证", land=NEW_LAND),
    _row("land_title", 1, "不动产权证书（土地）", land=NEW_LAND),
    _row("eia", 1, "环境影响评价批复", commitment=True, regional=True),
    _row("energy", 1, "节能审查意见", commitment=True, regional=True),
    _row("soil_water", 1, "水土保持方案批复", commitment=True, regional=True),
    _row("stability", 1, "社会稳定风险评估", ["approve", "verify"]),
    _row("mineral", 1, "压覆重要矿产资源评估", land=NEW_LAND, regional=True),
    _row("geohazard", 1, "地质灾害危险性评估", land=NEW_LAND, regional=True),
    # 2 工程建设许可
    _row("works_planning", 2, "建设工程规划许可证"),
    _row("preliminary_design", 2, "初步设计及概算批复", ["approve"]),
    _row("drawing_review", 2, "施工图设计文件审查", commitment=True),
    _row("fire_design", 2, "消防设计审查"),
    _row("civil_defense", 2, "人防工程设计审查（或易地建设审批）"),
    # 3 施工许可
    _row("construction_permit", 3, "建筑工程施工许可证"),
    # 4 竣工验收
    _row("joint_acceptance", 4, "联合验收（规划、消防、人防、档案）"),
    _row("completion_filing", 4, "竣工验收备案"),
]


def _check_rows(rows: list[dict]) -> list[dict]:
    """Keys are unique and short (they tie a project's items to their row): refuse duplicates."""
    seen: set[str] = set()
    for i, row in enumerate(rows, start=1):
        key = row["key"]
        if len(key) > 40 or not key.replace("_", "").replace("-", "").isalnum():
            raise DomainError(_l("Row %(n)s: the key %(key)s must be up to 40 letters, digits, - or _.",
                                 n=i, key=key))
        if key in seen:
            raise DomainError(_l("Row %(n)s: the key %(key)s is used twice.", n=i, key=key))
        if len(row["name"]) > 100:
            raise DomainError(_l("Row %(n)s: the name is longer than 100 characters.", n=i))
        seen.add(key)
    return rows


TEMPLATE = register(SettingDef(
    "approval_template", "table", DEFAULT_ROWS, _l("Approvals checklist template (前期手续)"),
    _l("Approvals (前期手续)"),
    help=_l("Each row is one approval: its stage, name, the project types and land supplies it applies to, "
            "zones, and whether 承诺制 or 区域评估 may settle it. Changes apply to checklists created or "
            "re-profiled afterwards; keep a row's key when renaming it."),
    columns=(
        Column("key", _l("Key")),
        Column("stage", _l("Stage"), "choice", tuple((str(s), str(s)) for s in APPROVAL_STAGES)),
        Column("name", _l("Approval")),
        Column("types", _l("Approval types"), "multi", tuple(TYPE_LABELS.items())),
        Column("land", _l("Land supply"), "multi", tuple(LAND_LABELS.items())),
        Column("zone", _l("Zones"), "choice", tuple(ZONE_LABELS.items())),
        Column("commitment", _l("承诺制 allowed"), "bool"),
        Column("regional", _l("区域评估 can cover"), "bool"),
    ),
    validator=_check_rows))


def applies(row: dict, approval_type: str, land_supply: str, in_zone: bool) -> bool:
    zone_ok = row["zone"] == "any" or (row["zone"] == "zone") == bool(in_zone)
    return approval_type in row["types"] and land_supply in row["land"] and zone_ok


def applicable_rows(rows: list[dict], approval_type: str, land_supply: str, in_zone: bool) -> list[tuple[int, dict]]:
    """The template rows a profile calls for, each with its position in the template (the item's sort)."""
    return [(i, row) for i, row in enumerate(rows) if applies(row, approval_type, land_supply, in_zone)]
