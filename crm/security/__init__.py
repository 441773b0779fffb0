"""Who may do what: the permissions registry and the visibility scope."""
