"""Tokens: round trips per algorithm, key rotation, configuration and every refused attack."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jose import jwt

from models.errors import Unauthenticated
from policies.tokens import (
    DEVELOPMENT_SECRET,
    Claims,
    KeyRing,
    SigningKey,
    WeakSecret,
    issue,
    key_id,
    verify,
)

NOW = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
SECRET = "s" * 48
OTHER_SECRET = "o" * 48
MINUTES_15 = timedelta(minutes=15)


def hmac_ring(secret: str = SECRET, previous: tuple[str, ...] = ()) -> KeyRing:
    """A ring of HS256 keys."""
    old = tuple(SigningKey(key_id(s), "HS256", s, s) for s in previous)
    return KeyRing(current=SigningKey(key_id(secret), "HS256", secret, secret), previous=old)


def b64(data: bytes) -> str:
    """base64url without padding, as in JWS compact serialization."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def payload(**overrides: object) -> dict[str, object]:
    """A complete, valid claim set at NOW; overrides set (or, with None, drop) claims."""
    stamp = int(NOW.timestamp())
    claims: dict[str, object] = {
        "iss": "motcua", "aud": "motcua-api", "sub": "user-1", "iat": stamp, "nbf": stamp,
        "exp": stamp + 900, "jti": "j" * 32, "typ": "access",
    }
    claims.update(overrides)
    return {name: value for name, value in claims.items() if value is not None}


def hand_sign(ring: KeyRing, claims: dict[str, object], *, secret: str | None = None) -> str:
    """Sign claims with jose directly under the ring's current kid (or another secret)."""
    key = ring.current
    return jwt.encode(claims, secret or key.signing_key, algorithm="HS256", headers={"kid": key.kid})


def rsa_pem_pair(bits: int = 2048) -> tuple[bytes, bytes]:
    """A fresh RSA key pair as PEM (private, public)."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return pem_pair(private)


def pem_pair(private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey) -> tuple[bytes, bytes]:
    """Serialize a private key and its public half."""
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private_pem, public_pem


def asymmetric_ring(tmp_path: Path, algorithm: str, pair: tuple[bytes, bytes], **extra: str) -> KeyRing:
    """Write a key pair to files and build the ring through from_env."""
    (tmp_path / "private.pem").write_bytes(pair[0])
    (tmp_path / "public.pem").write_bytes(pair[1])
    env = {
        "JWT_ALGORITHM": algorithm,
        "JWT_PRIVATE_KEY_FILE": str(tmp_path / "private.pem"),
        "JWT_PUBLIC_KEY_FILE": str(tmp_path / "public.pem"),
        **extra,
    }
    return KeyRing.from_env(env, production=True)


# Positive paths


def test_issue_hs256_round_trip() -> None:
    ring = hmac_ring()
    token, issued = issue(ring, subject="user-1", token_type="access", lifetime=MINUTES_15, now=NOW)
    claims = verify(ring, token, token_type="access", now=NOW + timedelta(minutes=5))
    assert claims == issued
    assert claims.subject == "user-1" and claims.token_type == "access" and claims.family is None
    assert claims.issued_at == NOW and claims.expires_at == NOW + MINUTES_15
    assert len(claims.token_id) == 32
    assert jwt.get_unverified_header(token)["kid"] == ring.current.kid


def test_issue_refresh_carries_family_and_fresh_jti() -> None:
    ring = hmac_ring()
    week = timedelta(days=7)
    first, one = issue(ring, subject="u", token_type="refresh", lifetime=week, family="f1", now=NOW)
    _, two = issue(ring, subject="u", token_type="refresh", lifetime=week, family="f1", now=NOW)
    assert one.token_id != two.token_id
    assert verify(ring, first, token_type="refresh", now=NOW) == Claims(
        subject="u", token_id=one.token_id, token_type="refresh", issued_at=NOW,
        expires_at=NOW + timedelta(days=7), family="f1",
    )


def test_issue_rs256_round_trip(tmp_path: Path) -> None:
    ring = asymmetric_ring(tmp_path, "RS256", rsa_pem_pair())
    token, issued = issue(ring, subject="user-1", token_type="access", lifetime=MINUTES_15, now=NOW)
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    assert verify(ring, token, token_type="access", now=NOW) == issued


def test_issue_es256_round_trip(tmp_path: Path) -> None:
    ring = asymmetric_ring(tmp_path, "ES256", pem_pair(ec.generate_private_key(ec.SECP256R1())))
    token, issued = issue(ring, subject="user-1", token_type="access", lifetime=MINUTES_15, now=NOW)
    assert jwt.get_unverified_header(token)["alg"] == "ES256"
    assert verify(ring, token, token_type="access", now=NOW) == issued


def test_verify_expired_within_leeway_accepted() -> None:
    ring = hmac_ring()
    token, _ = issue(ring, subject="u", token_type="access", lifetime=MINUTES_15, now=NOW)
    assert verify(ring, token, token_type="access", now=NOW + MINUTES_15 + timedelta(seconds=29))


def test_verify_rotation_old_key_in_previous_accepted() -> None:
    old = hmac_ring(OTHER_SECRET)
    token, issued = issue(old, subject="u", token_type="access", lifetime=MINUTES_15, now=NOW)
    assert verify(hmac_ring(SECRET, previous=(OTHER_SECRET,)), token, token_type="access", now=NOW) == issued
    with pytest.raises(Unauthenticated):
        verify(hmac_ring(SECRET), token, token_type="access", now=NOW)


def test_verify_rotation_rs256_previous_public_key_file(tmp_path: Path) -> None:
    old_pair = rsa_pem_pair()
    old_ring = asymmetric_ring(tmp_path, "RS256", old_pair)
    token, _ = issue(old_ring, subject="u", token_type="access", lifetime=MINUTES_15, now=NOW)
    (tmp_path / "old.pem").write_bytes(old_pair[1])
    new_dir = tmp_path / "new"
    new_dir.mkdir()
    old_file = str(tmp_path / "old.pem")
    rotated = asymmetric_ring(new_dir, "RS256", rsa_pem_pair(), JWT_PREVIOUS_PUBLIC_KEY_FILES=old_file)
    assert rotated.current.kid != old_ring.current.kid
    assert verify(rotated, token, token_type="access", now=NOW).subject == "u"


# Configuration


def test_from_env_production_refuses_short_secret() -> None:
    with pytest.raises(WeakSecret):
        KeyRing.from_env({"JWT_SECRET": "x" * 31}, production=True)


def test_from_env_production_refuses_development_default() -> None:
    with pytest.raises(WeakSecret):
        KeyRing.from_env({"JWT_SECRET": DEVELOPMENT_SECRET}, production=True)
    with pytest.raises(WeakSecret):
        KeyRing.from_env({}, production=True)


def test_from_env_production_refuses_short_previous_secret() -> None:
    with pytest.raises(WeakSecret):
        KeyRing.from_env({"JWT_SECRET": SECRET, "JWT_PREVIOUS_SECRETS": "short"}, production=True)


def test_from_env_production_accepts_48_byte_secret() -> None:
    env = {"JWT_SECRET": SECRET, "JWT_PREVIOUS_SECRETS": f" {OTHER_SECRET} ,"}
    ring = KeyRing.from_env(env, production=True)
    assert ring.current.algorithm == "HS256"
    assert ring.current.kid == hashlib.sha256(SECRET.encode()).hexdigest()[:16]
    assert [key.kid for key in ring.previous] == [key_id(OTHER_SECRET)]


def test_from_env_development_without_secret_uses_stable_default() -> None:
    first = KeyRing.from_env({}, production=False)
    assert first.current.signing_key == DEVELOPMENT_SECRET
    token, _ = issue(first, subject="u", token_type="access", lifetime=MINUTES_15)
    # A "restart" builds a new ring; the token must still verify.
    assert verify(KeyRing.from_env({}, production=False), token, token_type="access").subject == "u"


def test_from_env_production_refuses_small_rsa_key(tmp_path: Path) -> None:
    with pytest.raises(WeakSecret):
        asymmetric_ring(tmp_path, "RS256", rsa_pem_pair(1024))


def test_from_env_refuses_mismatched_key_pair(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not match"):
        asymmetric_ring(tmp_path, "RS256", (rsa_pem_pair()[0], rsa_pem_pair()[1]))


def test_from_env_refuses_unknown_algorithm() -> None:
    with pytest.raises(ValueError):
        KeyRing.from_env({"JWT_ALGORITHM": "none", "JWT_SECRET": SECRET}, production=False)


def test_signing_key_repr_hides_key_material() -> None:
    assert SECRET not in repr(hmac_ring())


# Attacks and invalid tokens


def test_verify_forged_signature_refused() -> None:
    ring = hmac_ring()
    with pytest.raises(Unauthenticated):
        verify(ring, hand_sign(ring, payload(), secret=OTHER_SECRET), token_type="access", now=NOW)


def test_verify_hand_signed_valid_token_accepted() -> None:
    # Guards the helpers: the attack tests below differ from this token only in the attack.
    ring = hmac_ring()
    assert verify(ring, hand_sign(ring, payload()), token_type="access", now=NOW).subject == "user-1"


def test_verify_expired_refused() -> None:
    ring = hmac_ring()
    token, _ = issue(ring, subject="u", token_type="access", lifetime=MINUTES_15, now=NOW)
    with pytest.raises(Unauthenticated, match="expired"):
        verify(ring, token, token_type="access", now=NOW + MINUTES_15 + timedelta(seconds=31))


def test_verify_not_yet_valid_refused() -> None:
    ring = hmac_ring()
    later = NOW + timedelta(minutes=1)
    token, _ = issue(ring, subject="u", token_type="access", lifetime=MINUTES_15, now=later)
    with pytest.raises(Unauthenticated, match="not yet valid"):
        verify(ring, token, token_type="access", now=NOW)
    stamp = int(NOW.timestamp())
    with pytest.raises(Unauthenticated, match="not yet valid"):  # only iat in the future
        verify(ring, hand_sign(ring, payload(iat=stamp + 60)), token_type="access", now=NOW)


def test_verify_not_yet_valid_within_leeway_accepted() -> None:
    ring = hmac_ring()
    soon = NOW + timedelta(seconds=20)
    token, _ = issue(ring, subject="u", token_type="access", lifetime=MINUTES_15, now=soon)
    assert verify(ring, token, token_type="access", now=NOW)


@pytest.mark.parametrize("claim", ["aud", "iss"])
def test_verify_wrong_audience_or_issuer_refused(claim: str) -> None:
    ring = hmac_ring()
    with pytest.raises(Unauthenticated):
        verify(ring, hand_sign(ring, payload(**{claim: "someone-else"})), token_type="access", now=NOW)


def test_verify_alg_none_refused() -> None:
    ring = hmac_ring()
    header = b64(json.dumps({"alg": "none", "kid": ring.current.kid, "typ": "JWT"}).encode())
    body = b64(json.dumps(payload()).encode())
    for token in (f"{header}.{body}.", f"{header}.{body}"):
        with pytest.raises(Unauthenticated):
            verify(ring, token, token_type="access", now=NOW)


def test_verify_algorithm_confusion_refused(tmp_path: Path) -> None:
    ring = asymmetric_ring(tmp_path, "RS256", rsa_pem_pair())
    public_pem = ring.current.verifying_key.encode()
    header = b64(json.dumps({"alg": "HS256", "kid": ring.current.kid, "typ": "JWT"}).encode())
    body = b64(json.dumps(payload()).encode())
    signature = hmac.new(public_pem, f"{header}.{body}".encode(), hashlib.sha256).digest()
    with pytest.raises(Unauthenticated):
        verify(ring, f"{header}.{body}.{b64(signature)}", token_type="access", now=NOW)


@pytest.mark.parametrize("claim", ["exp", "jti", "sub", "iat", "nbf", "aud", "iss", "typ"])
def test_verify_missing_claim_refused(claim: str) -> None:
    ring = hmac_ring()
    with pytest.raises(Unauthenticated):
        verify(ring, hand_sign(ring, payload(**{claim: None})), token_type="access", now=NOW)


@pytest.mark.parametrize(
    "claim,value", [("exp", "never"), ("exp", True), ("sub", 7), ("jti", ""), ("fam", 1)]
)
def test_verify_malformed_claim_refused(claim: str, value: object) -> None:
    ring = hmac_ring()
    with pytest.raises(Unauthenticated):
        verify(ring, hand_sign(ring, payload(**{claim: value})), token_type="access", now=NOW)


def test_verify_huge_expiry_refused() -> None:
    ring = hmac_ring()
    with pytest.raises(Unauthenticated):
        verify(ring, hand_sign(ring, payload(exp=10**20)), token_type="access", now=NOW)


def test_verify_wrong_type_refused() -> None:
    ring = hmac_ring()
    token, _ = issue(ring, subject="u", token_type="refresh", lifetime=MINUTES_15, family="f", now=NOW)
    with pytest.raises(Unauthenticated, match="type"):
        verify(ring, token, token_type="access", now=NOW)


def test_verify_unknown_kid_refused() -> None:
    ring = hmac_ring()
    other = hmac_ring(OTHER_SECRET)
    token, _ = issue(other, subject="u", token_type="access", lifetime=MINUTES_15, now=NOW)
    with pytest.raises(Unauthenticated, match="Unknown"):
        verify(ring, token, token_type="access", now=NOW)
    no_kid = jwt.encode(payload(), SECRET, algorithm="HS256")
    with pytest.raises(Unauthenticated):
        verify(ring, no_kid, token_type="access", now=NOW)


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "a.b", "....", "é.é.é", "x" * 10_000, "e30.e30.e30"])
def test_verify_garbage_refused(token: str) -> None:
    with pytest.raises(Unauthenticated):
        verify(hmac_ring(), token, token_type="access", now=NOW)


def test_verify_tampered_payload_refused() -> None:
    ring = hmac_ring()
    token, _ = issue(ring, subject="user-1", token_type="access", lifetime=MINUTES_15, now=NOW)
    header, _, signature = token.split(".")
    forged = b64(json.dumps(payload(sub="admin")).encode())
    with pytest.raises(Unauthenticated):
        verify(ring, f"{header}.{forged}.{signature}", token_type="access", now=NOW)


def test_verify_error_message_has_no_key_material() -> None:
    ring = hmac_ring()
    with pytest.raises(Unauthenticated) as caught:
        verify(ring, hand_sign(ring, payload(), secret=OTHER_SECRET), token_type="access", now=NOW)
    assert SECRET not in str(caught.value) and OTHER_SECRET not in str(caught.value)


# Remembered verifications (policies/tokens.py `_VERIFIED`)


def counted_decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Count jose's decode from here on: the tokens it is asked to decode."""
    from policies import tokens

    decodes: list[str] = []
    decode = tokens.jwt.decode

    def counted(token: str, *args: object, **kwargs: object) -> object:
        decodes.append(token)
        return decode(token, *args, **kwargs)

    monkeypatch.setattr(tokens.jwt, "decode", counted)
    return decodes


def test_verify_again_does_not_decode_again(monkeypatch: pytest.MonkeyPatch) -> None:
    decodes = counted_decodes(monkeypatch)
    ring = hmac_ring()
    token, issued = issue(ring, subject="user-1", token_type="access", lifetime=MINUTES_15, now=NOW)
    assert verify(ring, token, token_type="access", now=NOW) == issued
    assert verify(ring, token, token_type="access", now=NOW + timedelta(minutes=1)) == issued
    assert decodes == [token]


def test_remembered_token_still_expires_and_is_not_yet_valid_before_its_time() -> None:
    ring = hmac_ring()
    token, _ = issue(ring, subject="u", token_type="access", lifetime=MINUTES_15, now=NOW)
    assert verify(ring, token, token_type="access", now=NOW + timedelta(minutes=5))
    with pytest.raises(Unauthenticated, match="Token has expired"):
        verify(ring, token, token_type="access", now=NOW + MINUTES_15 + timedelta(seconds=31))
    with pytest.raises(Unauthenticated, match="Token is not yet valid"):
        verify(ring, token, token_type="access", now=NOW - timedelta(seconds=31))
    assert verify(ring, token, token_type="access", now=NOW)


def test_remembered_token_still_refuses_the_wrong_type() -> None:
    ring = hmac_ring()
    token, _ = issue(ring, subject="u", token_type="refresh", lifetime=MINUTES_15, family="f", now=NOW)
    assert verify(ring, token, token_type="refresh", now=NOW).family == "f"
    with pytest.raises(Unauthenticated, match="Wrong token type"):
        verify(ring, token, token_type="access", now=NOW)


def test_a_token_remembered_for_one_ring_is_not_accepted_by_another() -> None:
    ring = hmac_ring()
    token, _ = issue(ring, subject="u", token_type="access", lifetime=MINUTES_15, now=NOW)
    assert verify(ring, token, token_type="access", now=NOW)
    with pytest.raises(Unauthenticated, match="Unknown signing key"):
        verify(hmac_ring(OTHER_SECRET), token, token_type="access", now=NOW)
    # The same kid with another secret (as a misconfigured peer would have): the signature decides.
    impostor = KeyRing(current=SigningKey(ring.current.kid, "HS256", OTHER_SECRET, OTHER_SECRET))
    with pytest.raises(Unauthenticated, match="Invalid token"):
        verify(impostor, token, token_type="access", now=NOW)
    assert verify(hmac_ring(), token, token_type="access", now=NOW)  # an equal ring verifies it itself


def test_a_tampered_signature_is_refused_after_the_original_was_remembered() -> None:
    ring = hmac_ring()
    token, _ = issue(ring, subject="u", token_type="access", lifetime=MINUTES_15, now=NOW)
    assert verify(ring, token, token_type="access", now=NOW)
    header, body, signature = token.split(".")
    # The first character: the last one of an HS256 signature also holds two padding bits.
    tampered = f"{header}.{body}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"
    with pytest.raises(Unauthenticated, match="Invalid token"):
        verify(ring, tampered, token_type="access", now=NOW)
    assert verify(ring, token, token_type="access", now=NOW)


def test_refusals_are_not_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    decodes = counted_decodes(monkeypatch)
    ring = hmac_ring()
    token = hand_sign(ring, payload(), secret=OTHER_SECRET)
    for _ in range(2):
        with pytest.raises(Unauthenticated, match="Invalid token"):
            verify(ring, token, token_type="access", now=NOW)
    assert decodes == [token, token]


def test_remembered_tokens_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from policies import tokens

    monkeypatch.setattr(tokens, "_VERIFIED", OrderedDict())
    monkeypatch.setattr(tokens, "_VERIFIED_MAX", 2)
    decodes = counted_decodes(monkeypatch)
    ring = hmac_ring()
    issued = [issue(ring, subject=f"u{i}", token_type="access", lifetime=MINUTES_15, now=NOW)[0]
              for i in range(3)]
    for token in issued:
        verify(ring, token, token_type="access", now=NOW)
    assert len(tokens._VERIFIED) == 2
    verify(ring, issued[2], token_type="access", now=NOW)  # still remembered
    verify(ring, issued[0], token_type="access", now=NOW)  # the least recent went first
    assert decodes == [*issued, issued[0]]
