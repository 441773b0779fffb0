"""The industrial-chain engine: plain records in, a NetworkX graph inside, explained answers out.

This package imports nothing of Flask, SQLAlchemy or ``crm`` (a test checks it): the web app turns
rows into records (:mod:`chains.records`), builds a :class:`ChainModel` with :class:`Params` kept as
settings, and shows the answers — segment reports (coverage, location quotient, status, importance,
action, a sentence why) and ranked, explained targets. Parsers read chains from YAML, JSON, the
industry-chain atlas format and a CSV pair (:mod:`chains.parsers`); ``python -m chains.evaluate``
checks the method on the atlas chains.

Examples
--------
>>> import chains
>>> segs = [chains.Segment("a", "demo", "原料"), chains.Segment("b", "demo", "加工")]
>>> model = chains.ChainModel(segs, [chains.SegmentLink("a", "b")], [chains.Company("x", "甲", local=True)],
...                           [chains.Membership("x", "a", leader=True)])
>>> [(r.name, r.status, r.action) for r in model.segments()]
[('原料', '薄弱', '强链'), ('加工', '缺失', '延链')]
"""
from chains.errors import ChainError, ChainParseError, Issue, ParamsError
from chains.model import ChainModel, SegmentReport
from chains.params import Params
from chains.records import (ACTIONS, COMPLETE, EXTEND, FILL, MISSING, STATUSES, STRENGTHEN, WEAK, ChainData, Company,
                            LeadRecord, Membership, Segment, SegmentLink, Signal, SupplyLink)
from chains.targets import Target

__all__ = [
    "ChainError", "ChainParseError", "Issue", "ParamsError", "ChainModel", "SegmentReport", "Params", "Target",
    "ChainData", "Company", "LeadRecord", "Membership", "Segment", "SegmentLink", "Signal", "SupplyLink",
    "ACTIONS", "STATUSES", "MISSING", "WEAK", "COMPLETE", "FILL", "EXTEND", "STRENGTHEN",
]
