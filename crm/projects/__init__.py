"""Key projects: the list, the year's plan, the lifecycle with evidence and 认定 (issue 6)."""
