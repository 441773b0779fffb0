"""The export core: features describe an export (columns, statement, filters) and register it."""
