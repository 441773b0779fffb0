"""Global search: companies, contacts, leads and projects from the navbar, inside the user's scope."""
