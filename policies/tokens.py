"""JWT access/refresh tokens: a key ring with `kid` rotation, issuing and strict verification."""

from __future__ import annotations

import hashlib
import math
import uuid
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jose import jwt
from jose.exceptions import JOSEError

from models.errors import Unauthenticated

# A fixed default keeps development tokens valid across restarts; production refuses it by equality.
DEVELOPMENT_SECRET = "motcua-development-only-jwt-secret-never-use-in-production"
ALGORITHMS = ("HS256", "RS256", "ES256")
TOKEN_TYPES = ("access", "refresh")
MIN_SECRET_BYTES = 32
MIN_RSA_BITS = 2048
# Real tokens are a few hundred bytes; refusing huge input bounds the work an anonymous caller can cause.
MAX_TOKEN_LENGTH = 8192
REQUIRED_CLAIMS = ("iss", "aud", "sub", "iat", "nbf", "exp", "jti", "typ")


@dataclass(frozen=True)
class SigningKey:
    """One key of the ring; key material is kept out of repr so it never reaches logs."""

    kid: str
    algorithm: str  # "HS256" | "RS256" | "ES256"
    signing_key: str = field(repr=False)  # HMAC secret or PEM private key
    verifying_key: str = field(repr=False)  # HMAC secret or PEM public key

    def __post_init__(self) -> None:
        if self.algorithm not in ALGORITHMS:
            raise ValueError(f"unsupported JWT algorithm {self.algorithm!r}")


class WeakSecret(ValueError):
    """The configured signing key is too weak (or a known default) for production."""


def key_id(verifying_key: str) -> str:
    """Return the kid: the first 16 hex chars of sha256 of the verifying key."""
    return hashlib.sha256(verifying_key.encode("utf-8")).hexdigest()[:16]


def _hmac_key(secret: str, *, production: bool, name: str) -> SigningKey:
    """Build an HS256 key, refusing weak or default secrets in production."""
    if production and secret == DEVELOPMENT_SECRET:
        raise WeakSecret(f"{name} is the development default; set a random secret in production")
    if production and len(secret.encode("utf-8")) < MIN_SECRET_BYTES:
        raise WeakSecret(f"{name} must be at least {MIN_SECRET_BYTES} bytes in production")
    return SigningKey(key_id(secret), "HS256", secret, secret)


def _public_pem(public: object, algorithm: str, *, production: bool, name: str) -> str:
    """Check a public key fits the algorithm and return it as canonical PEM (so the kid is stable)."""
    if algorithm == "RS256":
        if not isinstance(public, rsa.RSAPublicKey):
            raise ValueError(f"{name}: RS256 needs an RSA key")
        if production and public.key_size < MIN_RSA_BITS:
            raise WeakSecret(f"{name}: RSA keys must have at least {MIN_RSA_BITS} bits in production")
    elif not isinstance(public, ec.EllipticCurvePublicKey) or not isinstance(public.curve, ec.SECP256R1):
        raise ValueError(f"{name}: ES256 needs an EC P-256 key")
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem.decode("ascii")


def _load_public(path: str, algorithm: str, *, production: bool, name: str) -> str:
    """Load a PEM public key file as canonical PEM."""
    try:
        public = serialization.load_pem_public_key(Path(path).read_bytes())
    except (OSError, ValueError, TypeError, UnsupportedAlgorithm):
        # The message names the variable and path, never the file's content.
        raise ValueError(f"{name}: cannot read a PEM public key from {path!r}") from None
    return _public_pem(public, algorithm, production=production, name=name)


def _asymmetric_key(env: Mapping[str, str], algorithm: str, *, production: bool) -> SigningKey:
    """Load the current RS256/ES256 key pair and check the two halves belong together."""
    private_path = env.get("JWT_PRIVATE_KEY_FILE", "").strip()
    public_path = env.get("JWT_PUBLIC_KEY_FILE", "").strip()
    if not private_path or not public_path:
        raise ValueError(f"{algorithm} needs JWT_PRIVATE_KEY_FILE and JWT_PUBLIC_KEY_FILE")
    try:
        private = serialization.load_pem_private_key(Path(private_path).read_bytes(), None)
    except (OSError, ValueError, TypeError, UnsupportedAlgorithm):
        # TypeError is an encrypted key: we take no passphrases from the environment.
        raise ValueError(f"JWT_PRIVATE_KEY_FILE: no unencrypted PEM key in {private_path!r}") from None
    derived = _public_pem(private.public_key(), algorithm, production=production, name="JWT_PRIVATE_KEY_FILE")
    public = _load_public(public_path, algorithm, production=production, name="JWT_PUBLIC_KEY_FILE")
    if derived != public:
        # A mismatched pair would issue tokens that this very ring cannot verify.
        raise ValueError("JWT_PUBLIC_KEY_FILE does not match JWT_PRIVATE_KEY_FILE")
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    return SigningKey(key_id(public), algorithm, private_pem, public)


def _split(value: str | None) -> list[str]:
    """Split a comma-separated variable, dropping blanks."""
    return [part.strip() for part in (value or "").split(",") if part.strip()]


@dataclass(frozen=True)
class KeyRing:
    """The current signing key plus previous keys that still verify during rotation."""

    current: SigningKey  # signs new tokens
    previous: tuple[SigningKey, ...] = ()  # still verify (key rotation by `kid`)
    issuer: str = "motcua"
    audience: str = "motcua-api"
    leeway_seconds: int = 30

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, production: bool) -> KeyRing:
        """Build the ring from JWT_* variables, refusing weak secrets in production."""
        algorithm = (env.get("JWT_ALGORITHM") or "HS256").strip().upper()
        if algorithm not in ALGORITHMS:
            raise ValueError(f"JWT_ALGORITHM must be one of {', '.join(ALGORITHMS)}")
        if algorithm == "HS256":
            secret = (env.get("JWT_SECRET") or "").strip()
            if not secret:
                if production:
                    raise WeakSecret("JWT_SECRET is required in production")
                secret = DEVELOPMENT_SECRET
            current = _hmac_key(secret, production=production, name="JWT_SECRET")
            previous = [
                _hmac_key(old, production=production, name="JWT_PREVIOUS_SECRETS")
                for old in _split(env.get("JWT_PREVIOUS_SECRETS"))
            ]
        else:
            current = _asymmetric_key(env, algorithm, production=production)
            pems = [
                _load_public(path, algorithm, production=production, name="JWT_PREVIOUS_PUBLIC_KEY_FILES")
                for path in _split(env.get("JWT_PREVIOUS_PUBLIC_KEY_FILES"))
            ]
            # Previous keys only verify, so no private half is needed.
            previous = [SigningKey(key_id(pem), algorithm, "", pem) for pem in pems]
        unique = {key.kid: key for key in previous if key.kid != current.kid}
        return cls(current=current, previous=tuple(unique.values()))

    def key_for(self, kid: object) -> SigningKey:
        """Return the verifying key for a token's kid; unknown kids are refused."""
        for key in (self.current, *self.previous):
            if isinstance(kid, str) and key.kid == kid:
                return key
        raise Unauthenticated("Unknown signing key")


@dataclass(frozen=True)
class Claims:
    """The verified contents of a token."""

    subject: str
    token_id: str  # jti
    token_type: str  # "access" | "refresh"
    issued_at: datetime
    expires_at: datetime
    family: str | None = None  # refresh-token family id (rotation / reuse detection)


def _now(now: datetime | None) -> datetime:
    """Return an aware 'now'; naive datetimes would be silently read as local time."""
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now


def issue(
    ring: KeyRing, *, subject: str, token_type: str, lifetime: timedelta,
    family: str | None = None, now: datetime | None = None,
) -> tuple[str, Claims]:
    """Sign a token with a fresh random jti, the kid in its header, and return it with its claims."""
    if token_type not in TOKEN_TYPES:
        raise ValueError(f"token_type must be one of {', '.join(TOKEN_TYPES)}")
    if not subject or lifetime <= timedelta(0):
        raise ValueError("a token needs a subject and a positive lifetime")
    issued = int(_now(now).timestamp())  # whole seconds, so the returned Claims equal the verified ones
    expires = issued + math.ceil(lifetime.total_seconds())
    payload: dict[str, object] = {
        "iss": ring.issuer, "aud": ring.audience, "sub": subject, "iat": issued, "nbf": issued,
        "exp": expires, "jti": uuid.uuid4().hex, "typ": token_type,
    }
    if family is not None:
        payload["fam"] = family
    key = ring.current
    token = jwt.encode(payload, key.signing_key, algorithm=key.algorithm, headers={"kid": key.kid})
    return token, _claims(payload)


def _claims(payload: Mapping[str, object]) -> Claims:
    """Turn a checked payload into Claims."""
    family = payload.get("fam")
    return Claims(
        subject=str(payload["sub"]),
        token_id=str(payload["jti"]),
        token_type=str(payload["typ"]),
        issued_at=datetime.fromtimestamp(payload["iat"], UTC),  # type: ignore[arg-type]
        expires_at=datetime.fromtimestamp(payload["exp"], UTC),  # type: ignore[arg-type]
        family=family if isinstance(family, str) else None,
    )


def _numeric(value: object) -> bool:
    """True for a finite JSON number (bool is an int in Python but not a NumericDate)."""
    return type(value) in (int, float) and math.isfinite(value)  # type: ignore[arg-type]


# Payloads of tokens that verified, by (id(ring), token): the same token comes with every request,
# and jose's decode (header, base64, JSON, HMAC, claim checks) was ~4% of one (issue 15). What is
# remembered is what depends on the ring and the token alone, checked up to the times; the times
# (against `now`) and the type are checked on every call. Each entry keeps its ring alive and is
# used for that very ring only (so its id cannot be reused meanwhile, and a ring with other keys
# never sees another's entries). Only tokens that verified completely are remembered, at most
# _VERIFIED_MAX (least recently used first out), so a flood of distinct tokens cannot grow memory.
_VERIFIED_MAX = 4096
_VERIFIED: OrderedDict[tuple[int, str], tuple[KeyRing, dict[str, Any]]] = OrderedDict()


def verify(ring: KeyRing, token: str, *, token_type: str, now: datetime | None = None) -> Claims:
    """Verify signature, algorithm, issuer, audience, times and type; any failure is Unauthenticated."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise Unauthenticated("Malformed token")
    remembered_key = (id(ring), token)
    remembered = _VERIFIED.pop(remembered_key, None)
    if remembered is not None and remembered[0] is ring:
        _VERIFIED[remembered_key] = remembered  # now the most recent
        payload = remembered[1]
    else:
        payload = _checked_payload(ring, token)
        remembered = None
    moment, leeway = _now(now).timestamp(), ring.leeway_seconds
    if payload["exp"] < moment - leeway:
        raise Unauthenticated("Token has expired")
    if payload["nbf"] > moment + leeway or payload["iat"] > moment + leeway:
        raise Unauthenticated("Token is not yet valid")
    if payload["typ"] != token_type:
        raise Unauthenticated("Wrong token type")
    try:
        claims = _claims(payload)
    except (OverflowError, ValueError, OSError):  # times beyond what datetime can represent
        raise Unauthenticated("Invalid token times") from None
    if remembered is None:
        _VERIFIED[remembered_key] = (ring, payload)
        while len(_VERIFIED) > _VERIFIED_MAX:
            try:
                _VERIFIED.popitem(last=False)
            except KeyError:  # emptied meanwhile
                break
    return claims


def _checked_payload(ring: KeyRing, token: str) -> dict[str, Any]:
    """The payload of a token of at most MAX_TOKEN_LENGTH characters, its signature, algorithm,
    issuer, audience and claims checked (not yet its times against a clock, nor its type)."""
    try:
        header = jwt.get_unverified_header(token)
    except (JOSEError, ValueError, TypeError):
        raise Unauthenticated("Malformed token") from None
    key = ring.key_for(header.get("kid"))
    # The algorithm comes from the key, never the header: this refuses `none` and HS/RS confusion.
    if header.get("alg") != key.algorithm:
        raise Unauthenticated("Invalid token algorithm")
    options = {
        # jose's own time checks use the real clock (and require_exp/nbf/iat force them on), so the
        # times are checked in `verify` against `now`; presence of every claim is checked below.
        "verify_exp": False, "verify_nbf": False, "verify_iat": False, "verify_at_hash": False,
        "require_aud": True, "require_iss": True, "require_sub": True, "require_jti": True,
    }
    try:
        payload = jwt.decode(
            token, key.verifying_key, algorithms=[key.algorithm], audience=ring.audience,
            issuer=ring.issuer, options=options,
        )
    except (JOSEError, ValueError, TypeError, KeyError):
        raise Unauthenticated("Invalid token") from None
    if any(name not in payload for name in REQUIRED_CLAIMS):
        raise Unauthenticated("Token is missing a required claim")
    if payload["iss"] != ring.issuer:
        raise Unauthenticated("Invalid token issuer")
    audience = payload["aud"]
    if audience != ring.audience and not (isinstance(audience, list) and ring.audience in audience):
        raise Unauthenticated("Invalid token audience")
    for name in ("sub", "jti", "typ"):
        if not isinstance(payload[name], str) or not payload[name]:
            raise Unauthenticated("Invalid token claims")
    if "fam" in payload and not isinstance(payload["fam"], str):
        raise Unauthenticated("Invalid token claims")
    if not all(_numeric(payload[name]) for name in ("iat", "nbf", "exp")):
        raise Unauthenticated("Invalid token times")
    return payload
