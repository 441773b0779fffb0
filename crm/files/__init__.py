"""The file core: decoding, reading tables, writing CSV and XLSX. No database, no requests.

Every import and export of every feature goes through these functions; the
database side (staging, apply, revert, jobs) lives in :mod:`crm.imports` and
:mod:`crm.jobs`.
"""
