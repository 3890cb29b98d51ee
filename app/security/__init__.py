"""Passwords, session cookies, CSRF and the headers every response carries."""
