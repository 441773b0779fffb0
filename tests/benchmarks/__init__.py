"""Benchmarks of the file core, each beside a floor measured in the same run (``python -m tests.benchmarks.run``).

``data`` generates realistic company records, ``floors`` holds the raw DB-API / csv / xlsxwriter
loops, ``suite`` runs our code and the floors on one database, ``report`` writes docs/BENCHMARKS.md.
"""
