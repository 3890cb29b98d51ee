"""Accounts: users (users.py), log-in with throttling and sessions (login.py), the user
administration (admin.py), invitation and reset links (links.py) and their mails (mails.py), the
own account (own.py), and the audit log (audit.py)."""

from app.domain.accounts.login import (
    ADDRESS_FACTOR,
    LOGIN_FAILED_MESSAGE,
    LoginPolicy,
    LoginThrottled,
    authenticate,
    begin_login,
    end_session,
    finish_login,
    start_session,
    user_for_session,
    withdraw_login,
)
from app.domain.accounts.users import EMAIL_PATTERN, actor_of, create_user, normalise_email

__all__ = [
    "ADDRESS_FACTOR",
    "EMAIL_PATTERN",
    "LOGIN_FAILED_MESSAGE",
    "LoginPolicy",
    "LoginThrottled",
    "actor_of",
    "authenticate",
    "begin_login",
    "create_user",
    "end_session",
    "finish_login",
    "normalise_email",
    "start_session",
    "user_for_session",
    "withdraw_login",
]
