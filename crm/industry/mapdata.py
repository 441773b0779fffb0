"""The chain-gap map's data: segments as nodes laid out upstream → downstream, links as edges.

Columns follow position then tier (the engine's order); nodes of one column are spread vertically.
Colour by status, size by importance, a mark on segments with a local chain leader. The page's
script (``static/js/chainmap.js``) hands this to ECharts as it is.
"""
from __future__ import annotations

import chains

STATUS_COLOURS = {chains.MISSING: "#dc3545", chains.WEAK: "#fd7e14", chains.COMPLETE: "#198754"}
COLUMN_GAP, ROW_GAP = 220, 90


def map_data(model: chains.ChainModel, segment_url: str, labels: dict[str, str] | None = None) -> dict:
    """Nodes, edges, legend and tooltip labels of the map; ``segment_url`` has ``__SEG__`` where the
    segment id goes; ``labels`` are the page's translated words for the tooltip."""
    reports = model.segments()
    columns: dict[tuple, list] = {}
    for r in reports:
        position, tier, _layer = model.G.nodes[r.id]["order"]
        columns.setdefault((position, tier), []).append(r)
    nodes = []
    for x, key in enumerate(sorted(columns)):
        col = columns[key]
        for y, r in enumerate(col):
            leader = r.leader_segment == r.id and r.leader is not None
            nodes.append({
                "id": r.id, "name": r.name, "x": x * COLUMN_GAP, "y": (y - (len(col) - 1) / 2) * ROW_GAP,
                "symbolSize": round(28 + 42 * r.importance, 1), "status": r.status, "action": r.action or "",
                "importance": round(r.importance, 3), "local": r.local_count, "leader": r.leader if leader else "",
                "symbol": "diamond" if leader else "circle",
                "itemStyle": {"color": STATUS_COLOURS[r.status],
                              "borderColor": "#0d6efd" if leader else "#ffffff", "borderWidth": 4 if leader else 1},
                "url": segment_url.replace("__SEG__", r.id),
            })
    edges = [{"source": a, "target": b, "value": round(d.get("weight", 1.0), 2)}
             for a, b, d in model.G.edges(data=True)]
    return {"nodes": nodes, "edges": edges,
            "legend": [{"status": s, "color": c} for s, c in STATUS_COLOURS.items()], "labels": labels or {}}
