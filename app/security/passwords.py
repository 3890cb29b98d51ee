"""Argon2 password hashing (pwdlib) and what a new password must be.

The list of common passwords is Django's (``data/common-passwords.txt.gz``: 20,000 passwords
from Royce Williams' list, shipped with Django under the BSD licence in
``data/common-passwords.LICENSE``).
"""

import gzip
from functools import cache
from pathlib import Path

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

_hasher = PasswordHash((Argon2Hasher(),))
# Verified against when the e-mail is unknown, so both paths take the same time.
_DUMMY_HASH = _hasher.hash("fremdrift-timing-equaliser")

MIN_PASSWORD_LENGTH = 12
# Long passphrases are welcome; the cap only keeps one hash from costing seconds.
MAX_PASSWORD_LENGTH = 256
COMMON_PASSWORDS_FILE = Path(__file__).parent / "data" / "common-passwords.txt.gz"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    if password_hash is None or not password_hash.startswith("$argon2"):
        _hasher.verify(password, _DUMMY_HASH)
        return False
    return _hasher.verify(password, password_hash)


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why ``password`` may not be chosen, in Danish, or None if it may.

    At least 12 characters (at most 256), not on the list of common passwords, not one character
    repeated, and not the user's own e-mail address or name.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Adgangskoden skal have mindst {MIN_PASSWORD_LENGTH} tegn (den har {len(password)})."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Adgangskoden må højst have {MAX_PASSWORD_LENGTH} tegn."
    folded = password.strip().lower()
    if folded in common_passwords():
        return "Adgangskoden er på listen over almindelige adgangskoder, som angribere prøver først. Vælg en anden."
    if len(set(folded)) == 1:
        return "Adgangskoden må ikke bestå af ét tegn gentaget."
    own = {email.strip().lower(), email.strip().lower().split("@")[0], name.strip().lower()} - {""}
    if any(len(word) >= 4 and word in folded and len(folded) - len(word) < 6 for word in own):
        return "Adgangskoden ligner din e-mailadresse eller dit navn for meget. Vælg en anden."
    return None
