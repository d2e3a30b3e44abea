"""Personal data at rest (PIPL): Fernet encryption and keyed hashes for lookup.

`GONGHUI_FIELD_KEY` holds one or more Fernet keys separated by commas; the first encrypts, all
decrypt (rotation). The lookup hash is HMAC-SHA256 keyed by a key derived from the first field key,
so equal values can be found and kept unique without storing them in clear.
"""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

__all__ = ["EncryptedCharField", "decrypt", "encrypt", "lookup_hash"]


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(k.encode()) for k in keys])


@lru_cache(maxsize=4)
def _hash_key(first_key: str) -> bytes:
    return hashlib.sha256(b"gonghui-lookup-hash:" + first_key.encode()).digest()


def encrypt(value: str) -> str:
    return _fernet(tuple(settings.FIELD_KEYS)).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(tuple(settings.FIELD_KEYS)).decrypt(token.encode()).decode()
    except InvalidToken as exc:  # a wrong or rotated-away key: fail loudly, never show garbage
        raise ValueError("cannot decrypt a personal-data field: check GONGHUI_FIELD_KEY") from exc


def lookup_hash(kind: str, value: str) -> str:
    """Keyed hash of a normalised value; `kind` separates ID numbers from phones."""
    key = _hash_key(settings.FIELD_KEYS[0])
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


class EncryptedCharField(models.TextField):
    """A text column that holds only Fernet ciphertext in the database."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))
