"""The leaders' dashboard (驾驶舱): KPI cards, the 晾晒 ranking within 板块 and the pipeline charts (docs/DASHBOARD.md)."""
