"""Password hashing with argon2id (OWASP's minimum parameters: 19 MiB, 2 passes, 1 lane); a cheap
profile for tests. A hash made with other parameters is replaced at the next sign-in (needs_rehash).

`verify_password` costs one argon2 verification whether or not there is a hash to check: without
one it verifies against a dummy hash of the same profile, so the time taken does not tell whether
an account exists or has a password.
"""

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
_PROFILES = {
    "argon2": PasswordHasher(memory_cost=19 * 1024, time_cost=2, parallelism=1),
    "fast": PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
}
_profile = "argon2"
_dummy_hashes: dict[str, str] = {}


def use_profile(name: str) -> None:
    global _profile
    if name not in _PROFILES:
        raise KeyError(name)
    _profile = name


def profile() -> str:
    return _profile


def _hasher() -> PasswordHasher:
    return _PROFILES[_profile]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def _dummy_hash() -> str:
    """A hash of a random password, made once per profile (at the profile's cost)."""
    if _profile not in _dummy_hashes:
        _dummy_hashes[_profile] = _hasher().hash(secrets.token_urlsafe(16))
    return _dummy_hashes[_profile]


def verify_password(password_hash: str | None, password: str) -> bool:
    """True if `password` matches; always one argon2 verification (see the module docstring)."""
    try:
        if not password_hash:
            _hasher().verify(_dummy_hash(), password or "")
            return False
        return _hasher().verify(password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)
