"""User management: system admins for everyone, unit admins for their own unit subtree."""
