"""What the checklist says about a project: "in 前期", progress per stage, the 前期手续情况 text.

A project is **in 前期** while its checklist has an applicable item of stages 1–3 (立项用地规划许可,
工程建设许可, 施工许可) that is not settled — settled meaning 已办, 不适用, 承诺制 or 区域评估已覆盖.
A project without a checklist (no profile set yet) has no such item and so is not in 前期; the list
filter therefore shows only projects whose checklist says so. The same rule exists twice — in Python
for one loaded checklist (:func:`in_preparation`) and as SQL for listings and KPIs
(:func:`in_preparation_condition`) — and the tests hold the two to agreement.

This module imports models only, so the project list can use it without importing the feature's views.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session

from crm.models import ApprovalItem, Project
from crm.models.approvals import APPROVAL_STAGES, SETTLED_STATUSES

__all__ = ["PREPARATION_STAGES", "in_preparation", "in_preparation_condition", "StageProgress", "progress_of",
           "stage_progress", "summary_text", "preparation_flags"]

PREPARATION_STAGES = (1, 2, 3)
DONE_STATUSES = ("done", "commitment", "regional")  # settled by a 批复, a commitment or a regional assessment
STATUS_WORDS = {"todo": "未办", "doing": "在办"}
NAMES_SHOWN = 3


def _open(item) -> bool:
    return item.applicable and item.stage in PREPARATION_STAGES and item.status not in SETTLED_STATUSES


def in_preparation(items: Iterable[ApprovalItem]) -> bool:
    """Whether a project with these checklist items is in 前期."""
    return any(_open(i) for i in items)


def in_preparation_condition(project_id=Project.id) -> ColumnElement[bool]:
    """SQL: the project (``Project.id`` by default, correlated) is in 前期.

    Usable as ``select(Project).where(in_preparation_condition())`` or negated with ``~``.
    """
    return exists(select(ApprovalItem.id).where(
        ApprovalItem.project_id == project_id, ApprovalItem.applicable.is_(True),
        ApprovalItem.stage.in_(PREPARATION_STAGES), ApprovalItem.status.not_in(SETTLED_STATUSES)))


@dataclass(frozen=True)
class StageProgress:
    stage: int
    done: int        # 已办, 承诺制 or 区域评估已覆盖
    applicable: int  # applicable items not marked 不适用
    doing: tuple[str, ...]
    todo: tuple[str, ...]

    @property
    def complete(self) -> bool:
        return self.done == self.applicable


def progress_of(items: list[ApprovalItem]) -> list[StageProgress]:
    out = []
    for stage in APPROVAL_STAGES:
        counted = [i for i in items if i.applicable and i.stage == stage and i.status != "na"]
        out.append(StageProgress(stage, sum(i.status in DONE_STATUSES for i in counted), len(counted),
                                 tuple(i.name for i in counted if i.status == "doing"),
                                 tuple(i.name for i in counted if i.status == "todo")))
    return out


def _items(session: Session, project_ids: Iterable[int]) -> dict[int, list[ApprovalItem]]:
    ids = list(project_ids)
    out: dict[int, list[ApprovalItem]] = {i: [] for i in ids}
    if not ids:
        return out
    stmt = (select(ApprovalItem).where(ApprovalItem.project_id.in_(ids))
            .order_by(ApprovalItem.project_id, ApprovalItem.stage, ApprovalItem.sort, ApprovalItem.id))
    for item in session.scalars(stmt):
        out[item.project_id].append(item)
    return out


def stage_progress(session: Session, project_id: int) -> list[StageProgress]:
    """Done / applicable for each of the four stages of one project's checklist."""
    return progress_of(_items(session, [project_id])[project_id])


def _names(names: list[str]) -> str:
    shown = "、".join(names[:NAMES_SHOWN])
    return shown + (f"等{len(names)}项" if len(names) > NAMES_SHOWN else "")


def summary_text(session: Session, project_ids: Iterable[int]) -> dict[int, str]:
    """The 前期手续情况 cell of the 月报 ledger for each project, e.g. ``已办 9/12；在办：施工许可证``.

    The count covers all four stages; the items being worked on (在办) are named, then — while the
    project is in 前期 — those of stages 1–3 not started (未办). A project without a checklist gets "".
    Always Chinese: the ledger is a provincial form.
    """
    out = {}
    for project_id, items in _items(session, project_ids).items():
        if not items:
            out[project_id] = ""
            continue
        progress = progress_of(items)
        parts = [f"已办 {sum(p.done for p in progress)}/{sum(p.applicable for p in progress)}"]
        doing = [name for p in progress for name in p.doing]
        todo = [name for p in progress if p.stage in PREPARATION_STAGES for name in p.todo]
        if doing:
            parts.append(f"在办：{_names(doing)}")
        if todo:
            parts.append(f"未办：{_names(todo)}")
        out[project_id] = "；".join(parts)
    return out


def preparation_flags(session: Session, project_ids: Iterable[int]) -> dict[int, bool]:
    """In 前期 or not, for several projects at once, by the Python rule."""
    return {pid: in_preparation(items) for pid, items in _items(session, project_ids).items()}
