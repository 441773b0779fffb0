"""The industrial-chain engine: plain records in, a NetworkX graph inside, explained answers out.

This package imports nothing of Flask, SQLAlchemy or ``crm`` (a test checks it):
the web app turns rows into records and shows the answers. The analyses
(coverage, importance, actions, targets) arrive with the chain-engine issue.
"""

__all__: list[str] = []
