"""The target list's filters (cluster, segment, action), read from URL or form arguments.

Unknown values are ignored (the page shows every target), never an error: a stale bookmark after a
segment was deleted still opens.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import chains
from crm.refdata.lookup import CLUSTERS


@dataclass(frozen=True)
class TargetFilters:
    cluster: str | None = None     # cluster name (京津冀 …)
    segment: str | None = None     # segment id as text
    action: str | None = None      # 补链 / 延链 / 强链

    @classmethod
    def parse(cls, args: Mapping[str, str], model: chains.ChainModel) -> "TargetFilters":
        cluster = args.get("cluster") or None
        cluster = CLUSTERS.get(cluster, cluster) if cluster else None
        if cluster not in CLUSTERS.values():
            cluster = None
        segment = args.get("segment") or None
        if segment not in model.segment_ids:
            segment = None
        action = args.get("action") or None
        if action not in chains.ACTIONS:
            action = None
        return cls(cluster, segment, action)

    def engine_args(self) -> dict[str, str | None]:
        return {"cluster": self.cluster, "segment": self.segment, "action": self.action}

    def query_args(self) -> dict[str, str]:
        return {k: v for k, v in self.engine_args().items() if v}
