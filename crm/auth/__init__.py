"""Sign-in, sign-out, own password and language."""
