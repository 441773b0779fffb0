"""The leaders' dashboard (驾驶舱). Issue 7 fills it with KPI cards and rankings."""
