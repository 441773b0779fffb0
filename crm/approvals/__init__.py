"""前期手续: approval profiles, checklists from the template setting, and what they say about 前期."""
