"""The demo: 临汾市's units, a user of each role and a few companies, loaded idempotently."""
