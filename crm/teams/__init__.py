"""The people around a project: 包联领导 (city and county), 包联部门, the 专班 with its roles, and a leader's
"my projects" page."""
