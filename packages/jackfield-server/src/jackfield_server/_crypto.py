"""Authenticated encryption of secret values at rest.

Secrets are encrypted with Fernet (AES-128-CBC plus HMAC-SHA256, from the
``cryptography`` package). Several keys may be configured: the first encrypts,
all of them decrypt, so a key can be rotated without losing stored secrets.
"""

from __future__ import annotations

import binascii
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from jackfield_server._errors import SecretDecryptionError, ServerConfigError

__all__ = ["SecretBox"]


class SecretBox:
    """Encrypts and decrypts secret strings with the server's secret keys.

    :param keys: Fernet keys (32 url-safe base64-encoded bytes each), newest
        first; the first encrypts, every one decrypts.
    :param source: where the keys came from, named in errors (never a key).
    :raises ServerConfigError: no key, or a key that is not a Fernet key.
    """

    def __init__(self, keys: Sequence[str | bytes], *, source: str = "secret key") -> None:
        if not keys:
            raise ServerConfigError(f"{source}: no key given")
        fernets = []
        for position, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key))
            except (ValueError, binascii.Error):
                raise ServerConfigError(
                    f"{source}: key number {position} is not a valid key "
                    "(expected 32 url-safe base64-encoded bytes; "
                    "make one with `python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())'`)"
                ) from None
        self._fernet = MultiFernet(fernets)
        self._key_count = len(fernets)

    @staticmethod
    def generate_key() -> str:
        """Return a new random key, suitable for ``JACKFIELD_SECRET_KEY``."""
        return Fernet.generate_key().decode("ascii")

    def encrypt(self, plaintext: str) -> str:
        """Encrypt ``plaintext`` with the newest key; the token is ASCII text."""
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str, *, what: str = "secret") -> str:
        """Decrypt a token made by :meth:`encrypt` with any configured key.

        :param what: names the value in the error (for example ``"node 'n1'
            field 'api_key'"``).
        :raises SecretDecryptionError: no configured key decrypts the token, or it
            was tampered with.
        """
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeError):
            raise SecretDecryptionError(
                f"{what}: cannot be decrypted with the configured secret keys"
            ) from None

    def __repr__(self) -> str:
        return f"SecretBox(<{self._key_count} key(s)>)"
