"""Reference data that ships with ChainCRM: division codes, target clusters, GB/T 4754-2017.

The files live in ``data/`` with their sources and licences (``data/README.md``).
:mod:`crm.refdata.lookup` answers questions from the files alone (no Flask, no
database), :mod:`crm.refdata.loader` copies them into the ``division``,
``cluster_member`` and ``industry`` tables, and :mod:`crm.refdata.cli` adds
``flask refdata load``.
"""
