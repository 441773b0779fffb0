"""问题清单: problems raised on projects, their 交办 → 办理 → 反馈 → 销号 lifecycle, escalation and the overdue list."""
