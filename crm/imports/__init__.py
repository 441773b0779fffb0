"""The import core: upload, map columns, stage (dry run), apply in one transaction, revert.

Features describe what they import with an :class:`~crm.imports.registry.ImportKind`
and register it; the engine here is the same for companies, chains, leads,
projects and monthly figures.
"""
