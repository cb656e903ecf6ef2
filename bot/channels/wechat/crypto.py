"""Signatures and the message encryption of WeChat's 公众号 push (the 安全/兼容 modes).

From the official 消息加解密说明 and 技术方案 (sources in
``../shared/design/wechat-oa-protocol.md`` §1.2, §1.4):

* ``signature`` = ``sha1`` of the sorted, concatenated ``[token, timestamp, nonce]``;
  ``msg_signature`` adds the ``Encrypt`` text to the list.
* ``AESKey = base64(EncodingAESKey + "=")`` (32 bytes, AES-256), CBC with ``IV = AESKey[:16]``,
  PKCS#7 padded to a multiple of **32** bytes (a whole 32 when already a multiple).
* The plaintext is ``random(16) + len(msg) as 4 bytes big-endian + msg + AppID``.
* Key rotation: the current and the previous EncodingAESKey are kept; a push the current one
  cannot open is tried with the previous one, and the reply is sealed with whichever worked.

Signatures are compared in constant time (:func:`hmac.compare_digest`); the pad byte is
range-checked before it is trusted.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32
"""The PKCS#7 block WeChat pads to (not AES's 16)."""


class CryptoError(ValueError):
    """A push could not be opened: bad signature, bad ciphertext, wrong AppID."""


def signature(*parts: str) -> str:
    """WeChat's signature: ``sha1`` of the parts sorted and joined (hex)."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def signature_matches(given: str, *parts: str) -> bool:
    """Whether ``given`` is the signature of ``parts`` (constant-time comparison)."""
    return hmac.compare_digest(given.lower().encode(), signature(*parts).encode())


def aes_key(encoding_aes_key: str) -> bytes:
    """The 32-byte AES key of a 43-character EncodingAESKey.

    Raises:
        ValueError: The text is not a 43-character EncodingAESKey.
    """
    text = encoding_aes_key.strip()
    if len(text) != 43 or not text.isascii() or not text.isalnum():
        raise ValueError("EncodingAESKey 应为 43 位字母或数字")
    try:
        key = base64.b64decode(text + "=", validate=True)
    except binascii.Error as exc:
        raise ValueError("EncodingAESKey 应为 43 位字母或数字") from exc
    if len(key) != 32:  # pragma: no cover - 43 base64 characters always make 32 bytes
        raise ValueError("EncodingAESKey 应为 43 位字母或数字")
    return key


def _pad(data: bytes) -> bytes:
    size = BLOCK - len(data) % BLOCK
    return data + bytes([size]) * size


def _unpad(data: bytes) -> bytes:
    size = data[-1] if data else 0
    if not 1 <= size <= BLOCK or data[-size:] != bytes([size]) * size:
        raise CryptoError("bad padding")
    return data[:-size]


@dataclass(frozen=True)
class Sealed:
    """An encrypted reply: the ``Encrypt`` text and what its ``MsgSignature`` covers."""

    encrypt: str
    msg_signature: str
    timestamp: str
    nonce: str


@dataclass
class MessageCrypto:
    """Open and seal one account's pushes.

    Args:
        token: The Token entered in the 公众平台.
        app_id: The account's AppID; every opened push must end with it.
        keys: The EncodingAESKeys, current first, then the previous one (may be a single key).
        random_prefix: Makes the 16 random bytes of a sealed message (tests pin it).
    """

    token: str
    app_id: str
    keys: Sequence[str]
    random_prefix: Callable[[], bytes] = field(default=lambda: secrets.token_bytes(16))
    _aes: list[bytes] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        """Decode the keys once (a malformed key fails here, at start-up)."""
        self._aes = [aes_key(key) for key in self.keys if key]
        if not self._aes:
            raise ValueError("至少需要一个 EncodingAESKey")

    def open(self, encrypt: str, msg_signature: str, timestamp: str, nonce: str) -> tuple[str, int]:
        """Check ``msg_signature`` and decrypt ``encrypt``.

        Returns:
            The push's XML and the index of the key that opened it (0: current, 1: previous).

        Raises:
            CryptoError: The signature does not match, no key opens it, or its AppID is not
                this account's.
        """
        if not signature_matches(msg_signature, self.token, timestamp, nonce, encrypt):
            raise CryptoError("msg_signature does not match")
        try:
            data = base64.b64decode(encrypt, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise CryptoError("Encrypt is not base64") from exc
        if not data or len(data) % BLOCK:
            raise CryptoError("ciphertext length")
        wrong_app = False
        for index, key in enumerate(self._aes):
            try:
                xml, app_id = _decrypt(key, data)
            except CryptoError:
                continue
            if hmac.compare_digest(app_id.encode(), self.app_id.encode()):
                return xml, index
            wrong_app = True
        raise CryptoError("wrong AppID" if wrong_app else "no key opens the message")

    def seal(self, xml: str, timestamp: str, nonce: str, key_index: int = 0) -> Sealed:
        """Encrypt a reply with key ``key_index`` (the one that opened the push)."""
        key = self._aes[key_index]
        message = xml.encode()
        plain = (
            self.random_prefix() + struct.pack(">I", len(message)) + message + self.app_id.encode()
        )
        encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
        encrypt = base64.b64encode(encryptor.update(_pad(plain)) + encryptor.finalize()).decode()
        return Sealed(encrypt, signature(self.token, timestamp, nonce, encrypt), timestamp, nonce)


def _decrypt(key: bytes, data: bytes) -> tuple[str, str]:
    """The message and AppID inside ``data``; :class:`CryptoError` if it is not one."""
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = _unpad(decryptor.update(data) + decryptor.finalize())
    if len(plain) < 20:
        raise CryptoError("too short")
    (length,) = struct.unpack(">I", plain[16:20])
    if 20 + length > len(plain):
        raise CryptoError("bad length")
    try:
        return plain[20 : 20 + length].decode(), plain[20 + length :].decode()
    except UnicodeDecodeError as exc:
        raise CryptoError("not UTF-8") from exc
