"""Password hashing with argon2id.

Production uses argon2's recommended cost (about 0.1 s of CPU and 64 MiB a hash). The hasher is
injectable: the test suite installs :func:`cheap_hasher` (still argon2id, minimal cost) so that
signing in dozens of test users does not cost minutes; argon2's real cost keeps its own test."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

PRODUCTION = PasswordHasher()
_hasher = PRODUCTION
_dummy: dict[tuple[int, int, int], str] = {}


def cheap_hasher() -> PasswordHasher:
    """argon2id at its minimum cost: for tests only, never for real accounts."""
    return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def use_hasher(hasher: PasswordHasher) -> PasswordHasher:
    """Install ``hasher`` for new hashes; returns the previous one. Verification reads the cost
    from each stored hash, so hashes made by either keep verifying."""
    global _hasher
    previous, _hasher = _hasher, hasher
    return previous


def current_hasher() -> PasswordHasher:
    return _hasher


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def dummy_hash() -> str:
    """A hash (made by the current hasher) to verify against when the username is unknown, so
    that timing does not tell whether the account exists."""
    key = (_hasher.time_cost, _hasher.memory_cost, _hasher.parallelism)
    if key not in _dummy:
        _dummy[key] = hash_password("not-a-real-password")
    return _dummy[key]
