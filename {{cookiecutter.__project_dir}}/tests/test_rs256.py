"""rs256.py against cryptography (OpenSSL): the same signatures accepted, every other refused."""

from __future__ import annotations

import base64
import os
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from {{ cookiecutter.project_slug }}_auth import RsaPublicKey
from {{ cookiecutter.project_slug }}_auth.jwks import signing_keys
from {{ cookiecutter.project_slug }}_auth.rs256 import b64url_decode


def _b64(number: int) -> str:
    data = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _pair(bits: int = 2048) -> tuple[rsa.RSAPrivateKey, RsaPublicKey]:
    private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    numbers = private.public_key().public_numbers()
    jwk = {"kty": "RSA", "kid": "k", "n": _b64(numbers.n), "e": _b64(numbers.e)}
    return private, RsaPublicKey.from_jwk(jwk)


@pytest.fixture(scope="module")
def pair() -> tuple[rsa.RSAPrivateKey, RsaPublicKey]:
    return _pair()


def _agrees(private: rsa.RSAPrivateKey, message: bytes, signature: bytes) -> bool:
    try:
        private.public_key().verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    except Exception:
        return False
    return True


def test_signatures_of_openssl_verify(pair: tuple[rsa.RSAPrivateKey, RsaPublicKey]) -> None:
    private, key = pair
    for size in (0, 1, 55, 1000, 10_000):
        message = os.urandom(size)
        signature = private.sign(message, padding.PKCS1v15(), hashes.SHA256())
        assert key.verify_rs256(message, signature)
        assert not key.verify_rs256(message + b"x", signature)


def test_every_mutation_openssl_refuses_is_refused(
    pair: tuple[rsa.RSAPrivateKey, RsaPublicKey],
) -> None:
    private, key = pair
    message = b"header.payload"
    good = private.sign(message, padding.PKCS1v15(), hashes.SHA256())
    size = len(good)
    candidates = [
        good[:-1],
        good + b"\x00",
        b"\x00" + good,
        bytes(size),
        b"\xff" * size,
        key.n.to_bytes(size, "big"),  # s = n: out of range
        (key.n + 1).to_bytes(size, "big"),
        private.sign(message, padding.PKCS1v15(), hashes.SHA1()),  # noqa: S303 (the test)
        private.sign(message, padding.PKCS1v15(), hashes.SHA512()),
        private.sign(message, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256()),
        _pair()[0].sign(message, padding.PKCS1v15(), hashes.SHA256()),
    ]
    for position in range(0, size, 17):
        flipped = bytearray(good)
        flipped[position] ^= 0x01
        candidates.append(bytes(flipped))
    for signature in candidates:
        assert key.verify_rs256(message, signature) is _agrees(private, message, signature)
        assert not key.verify_rs256(message, signature)


@pytest.mark.parametrize(
    "jwk",
    [
        {"kty": "EC", "kid": "k", "n": "AQAB", "e": "AQAB"},
        {"kty": "RSA", "n": "AQAB", "e": "AQAB"},
        {"kty": "RSA", "kid": "k", "e": "AQAB"},
        {"kty": "RSA", "kid": "k", "n": "!!", "e": "AQAB"},
        {"kty": "RSA", "kid": "k", "n": _b64(2**1023 + 1), "e": "AQAB"},  # 1024 bits: too weak
        {"kty": "RSA", "kid": "k", "n": _b64(2**2047 + 1), "e": _b64(2)},  # even exponent
        {"kty": "RSA", "kid": "k", "n": _b64(2**2047 + 1), "e": _b64(1)},
    ],
)
def test_keys_that_cannot_be_rsa_signing_keys_are_refused(jwk: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match=r"RSA|base64url"):
        RsaPublicKey.from_jwk(jwk)


def test_a_key_set_keeps_only_rs256_signing_keys(
    pair: tuple[rsa.RSAPrivateKey, RsaPublicKey],
) -> None:
    _, key = pair
    jwk = {"kty": "RSA", "kid": "sig", "n": _b64(key.n), "e": _b64(key.e)}
    document = {
        "keys": [
            jwk,
            {**jwk, "kid": "enc", "use": "enc"},
            {**jwk, "kid": "ps", "alg": "PS256"},
            {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
            "not a key",
        ]
    }
    assert list(signing_keys(document)) == ["sig"]
    broken_documents: list[Any] = [{}, {"keys": "x"}, [], None]
    for broken in broken_documents:
        with pytest.raises(ValueError, match="not a JWKS document"):
            signing_keys(broken)


@pytest.mark.parametrize("segment", ["a", "ab=", "a+b", "a/b", "a b", "é"])
def test_base64url_is_decoded_strictly(segment: str) -> None:
    with pytest.raises(ValueError, match="not base64url"):
        b64url_decode(segment)
