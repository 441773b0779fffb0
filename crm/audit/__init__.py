"""The audit trail: one service every mutating service calls."""
