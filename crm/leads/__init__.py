"""Leads: the 招商 pipeline — leads, 撞单, stage rules, signing, the contact log."""
