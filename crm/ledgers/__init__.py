"""台账: fixed-format Excel ledgers from YAML templates (docs/LEDGERS.md)."""
