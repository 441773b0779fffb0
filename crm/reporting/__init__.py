"""Monthly reporting rounds (报送): per unit and period 草稿 → 已报 → 退回 / 已审 → 锁定, the 催报 list, corrections."""
