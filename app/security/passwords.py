"""Argon2 password hashing (pwdlib), with a cap on how many hashes run at once, and what a new
password must be.

One argon2 hash costs about 0.2 s of CPU here. Without a cap, a flood of log-ins takes every
core and every worker thread, and saves wait seconds. At most ``MAX_CONCURRENT_HASHES`` hash at
a time and at most ``MAX_WAITING_HASHES`` more wait (up to ``HASH_WAIT_SECONDS``); beyond that
``HashingBusy`` is raised at once, and the log-in page says to try again in a moment.

The list of common passwords is Django's (``data/common-passwords.txt.gz``: 20,000 passwords
from Royce Williams' list, shipped with Django under the BSD licence in
``data/common-passwords.LICENSE``).
"""

import gzip
import threading
from collections.abc import Iterator
from contextlib import contextmanager
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

MAX_CONCURRENT_HASHES = 2
MAX_WAITING_HASHES = 6
HASH_WAIT_SECONDS = 3.0
BUSY_MESSAGE = "Mange logger ind lige nu. Vent et øjeblik, og prøv igen."


class HashingBusy(Exception):
    """Too many password checks are running or waiting; nothing was checked."""

    message = BUSY_MESSAGE
    retry_after_seconds = 2


class _HashingSlots:
    def __init__(self, running: int, waiting: int, wait_seconds: float) -> None:
        self._slots = threading.BoundedSemaphore(running)
        self._admitted = threading.BoundedSemaphore(running + waiting)
        self.wait_seconds = wait_seconds

    @contextmanager
    def slot(self) -> Iterator[None]:
        if not self._admitted.acquire(blocking=False):
            raise HashingBusy(BUSY_MESSAGE)
        try:
            if not self._slots.acquire(timeout=self.wait_seconds):
                raise HashingBusy(BUSY_MESSAGE)
            try:
                yield
            finally:
                self._slots.release()
        finally:
            self._admitted.release()


hashing = _HashingSlots(MAX_CONCURRENT_HASHES, MAX_WAITING_HASHES, HASH_WAIT_SECONDS)


def hash_password(password: str) -> str:
    with hashing.slot():
        return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    with hashing.slot():
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
