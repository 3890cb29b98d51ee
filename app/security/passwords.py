"""Argon2 password hashing (pwdlib), with a cap on how many hashes run at once.

One argon2 hash costs about 0.2 s of CPU here. Without a cap, a flood of log-ins takes every
core and every worker thread, and saves wait seconds. At most ``MAX_CONCURRENT_HASHES`` hash at
a time and at most ``MAX_WAITING_HASHES`` more wait (up to ``HASH_WAIT_SECONDS``); beyond that
``HashingBusy`` is raised at once, and the log-in page says to try again in a moment.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

_hasher = PasswordHash((Argon2Hasher(),))
# Verified against when the e-mail is unknown, so both paths take the same time.
_DUMMY_HASH = _hasher.hash("fremdrift-timing-equaliser")

MIN_PASSWORD_LENGTH = 10

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
        if password_hash is None:
            _hasher.verify(password, _DUMMY_HASH)
            return False
        return _hasher.verify(password, password_hash)
