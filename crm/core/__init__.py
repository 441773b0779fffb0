"""Cross-cutting web plumbing: database engine setup, security headers, errors, locale."""
