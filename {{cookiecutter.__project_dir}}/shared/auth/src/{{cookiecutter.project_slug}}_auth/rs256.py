"""RS256 signature verification (RSASSA-PKCS1-v1_5 with SHA-256, RFC 8017 section 8.2.2).

Why the standard library and not a JOSE library: verifying a Cognito token needs the
public-key half of RSA only, which is one modular exponentiation and a comparison.
joserfc pulls in cryptography (15 MB unpacked, about 0.29 s of every cold start, and
a bundle 7 MB over budget); the pure-Python `rsa` package avoids that but was
archived by its author in April 2025 (sybrenstuvel/python-rsa#245; google-auth has
since dropped it). The comparison is done the way RFC 8017 recommends (encode
the expected EMSA-PKCS1-v1_5 block and compare the whole of it, in constant time):
nothing of the decrypted block is parsed, which is what signature-forgery bugs
(Bleichenbacher 2006) exploited. No private key is ever handled here, so there is
no secret for timing to reveal. tests/test_rs256.py checks it against cryptography.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# DER of DigestInfo for SHA-256 (RFC 8017 section 9.2, note 1): what precedes the hash.
SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")
# NIST SP 800-131A: RSA keys under 2048 bits are not acceptable for signatures.
MIN_MODULUS_BITS = 2048
# Far above any key Cognito uses (2048): a bound on the work a made-up key can cause.
MAX_MODULUS_BITS = 8192
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


def b64url_decode(segment: str) -> bytes:
    """Decode unpadded base64url strictly (RFC 7515 section 2); ValueError otherwise."""
    if not _BASE64URL.fullmatch(segment) or len(segment) % 4 == 1:
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


@dataclass(frozen=True)
class RsaPublicKey:
    """One RSA public key of a JWKS, named by its `kid`."""

    kid: str
    n: int
    e: int

    @classmethod
    def from_jwk(cls, jwk: Mapping[str, Any]) -> RsaPublicKey:
        """Read an RSA signing JWK (RFC 7518 section 6.3.1); ValueError if it is not one."""
        kid, n, e = jwk.get("kid"), jwk.get("n"), jwk.get("e")
        if jwk.get("kty") != "RSA" or not isinstance(kid, str) or not kid:
            raise ValueError("not an RSA key with a kid")
        if not isinstance(n, str) or not isinstance(e, str):
            raise ValueError("an RSA key needs n and e")
        key = cls(
            kid, int.from_bytes(b64url_decode(n), "big"), int.from_bytes(b64url_decode(e), "big")
        )
        if not MIN_MODULUS_BITS <= key.n.bit_length() <= MAX_MODULUS_BITS:
            raise ValueError("the RSA modulus is not 2048 to 8192 bits")
        if key.e < 3 or key.e % 2 == 0 or key.e >= key.n:
            raise ValueError("the RSA exponent is not valid")
        return key

    def verify_rs256(self, signing_input: bytes, signature: bytes) -> bool:
        """True if `signature` is this key's RS256 signature of `signing_input`."""
        size = (self.n.bit_length() + 7) // 8
        if len(signature) != size:
            return False
        representative = int.from_bytes(signature, "big")
        if representative >= self.n:
            return False
        encoded = pow(representative, self.e, self.n).to_bytes(size, "big")
        digest_info = SHA256_DIGEST_INFO + hashlib.sha256(signing_input).digest()
        padding = b"\xff" * (size - len(digest_info) - 3)
        expected = b"\x00\x01" + padding + b"\x00" + digest_info
        return hmac.compare_digest(encoded, expected)
