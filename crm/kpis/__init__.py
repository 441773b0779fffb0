"""Key-project KPIs (DESIGN.md §2 开复工, 投资完成率/序时进度, 调度口径/统计口径): one cross-cutting service.

:func:`crm.kpis.service.kpis` answers one unit's (or the city's) indicators with the projects behind them;
:func:`crm.kpis.service.kpis_by_unit` answers many units' figures in one pass for rankings and the monthly
close. Every formula is written in ``docs/KPIS.md``. This package sits below the features: it reads the
project, monthly and signing tables and the KPI_TARGETS setting, and imports no feature package.
"""
