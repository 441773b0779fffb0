"""Notifications: what a user is told (a lead released past its 保护期, a 撞单), with a bell."""
