"""Random tokens and their hashes. The database only ever sees the hash of a session token."""

import hashlib
import hmac
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def derive(secret_key: str, purpose: str, value: str) -> str:
    """A keyed digest of ``value`` for ``purpose``: what a CSRF token is made of."""
    return hmac.new(secret_key.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
