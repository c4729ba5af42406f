"""Sign-in by OpenID Connect (Microsoft 365, Google Workspace): the authorization code flow
with PKCE through Authlib, the ID token's signature, issuer, audience, nonce and expiry checked
with joserfc; the person is the one on the roster with the token's (verified) email."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass

import httpx
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

COOKIE = "pk_records_oidc"
STATE_SECONDS = 600


@dataclass(frozen=True)
class Provider:
    issuer: str
    client_id: str
    client_secret: str  # from the environment only


class SignInFailed(Exception):
    """The provider's answer cannot be trusted or names nobody: the message says why."""


def _sign(secret: str, data: bytes) -> str:
    return hmac.new(secret.encode(), data, hashlib.sha256).hexdigest()


def pack_state(secret: str, values: dict) -> str:
    """values as a signed cookie value (the state, nonce and PKCE verifier of one sign-in)."""
    data = base64.urlsafe_b64encode(json.dumps({**values, "at": int(time.time())}).encode())
    return data.decode() + "." + _sign(secret, data)


def unpack_state(secret: str, cookie: str | None) -> dict:
    data, _, signature = (cookie or "").partition(".")
    if not hmac.compare_digest(_sign(secret, data.encode()), signature):
        raise SignInFailed("the sign-in was not started here, or its cookie was changed")
    values = json.loads(base64.urlsafe_b64decode(data))
    if time.time() - values["at"] > STATE_SECONDS:
        raise SignInFailed("the sign-in took too long")
    return values


def metadata(provider: Provider) -> dict:
    """The provider's discovery document."""
    url = provider.issuer.rstrip("/") + "/.well-known/openid-configuration"
    found = httpx.get(url, timeout=20).raise_for_status().json()
    if found.get("issuer") != provider.issuer:
        raise SignInFailed(f"the provider at {url} names another issuer")
    return found


def start(provider: Provider, redirect_uri: str) -> tuple[str, dict]:
    """The provider's authorization URL, and the values to keep for the callback."""
    meta = metadata(provider)
    verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(24)
    client = OAuth2Client(provider.client_id, provider.client_secret, scope="openid email profile",
                          redirect_uri=redirect_uri, code_challenge_method="S256")
    url, state = client.create_authorization_url(meta["authorization_endpoint"], nonce=nonce,
                                                 code_verifier=verifier)
    return url, {"state": state, "nonce": nonce, "verifier": verifier}


def finish(provider: Provider, redirect_uri: str, kept: dict, state: str, code: str) -> str:
    """The email of the person the provider signed in: the ID token's, else the userinfo
    endpoint's (some providers give it only there), else an account name (Microsoft 365's
    upn or preferred_username) that is an email address."""
    if not hmac.compare_digest(kept["state"], state):
        raise SignInFailed("the provider's answer is not for this sign-in (state)")
    meta = metadata(provider)
    client = OAuth2Client(provider.client_id, provider.client_secret, redirect_uri=redirect_uri,
                          token_endpoint_auth_method="client_secret_post")
    try:
        token = client.fetch_token(meta["token_endpoint"], code=code,
                                   code_verifier=kept["verifier"])
        keys = KeySet.import_key_set(httpx.get(meta["jwks_uri"], timeout=20).json())
        claims = jwt.decode(token["id_token"], keys).claims
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": provider.issuer},
            aud={"essential": True, "value": provider.client_id},
            nonce={"essential": True, "value": kept["nonce"]},
            exp={"essential": True}, leeway=60).validate(claims)
    except (JoseError, KeyError, ValueError, httpx.HTTPError) as error:
        raise SignInFailed(f"the provider's answer was refused: {error}") from None
    except Exception as error:  # Authlib's OAuth errors: a code used or expired
        raise SignInFailed(f"the provider refused the code: {error}") from None
    found = [claims]
    if _email(claims) is None and meta.get("userinfo_endpoint"):
        found.append(userinfo(meta["userinfo_endpoint"], token, claims))
    names = ("upn", "preferred_username") if _microsoft(provider) else ("upn",)
    email = next((e for e in map(_email, found) if e), None) or next(
        (e for c in found for e in [_account_name(c, names)] if e), None)
    if email is None:
        raise NoEmail("your school account gave no email address this service can use "
                      "(neither the ID token nor the provider's userinfo named a verified one)")
    return email


class NoEmail(SignInFailed):
    """The provider signed someone in but named no usable email address."""


def userinfo(url: str, token: dict, claims: dict) -> dict:
    """The claims of the provider's userinfo endpoint, for the person of the ID token."""
    try:
        found = httpx.get(url, timeout=20, headers={
            "Authorization": f"Bearer {token['access_token']}",
            "Accept": "application/json"}).raise_for_status().json()
    except (KeyError, ValueError, httpx.HTTPError) as error:
        raise SignInFailed(f"the provider's userinfo could not be read: {error}") from None
    if not isinstance(found, dict) or found.get("sub") != claims.get("sub"):
        raise SignInFailed("the provider's userinfo is about someone else (sub)")
    return found


_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _email(claims: dict) -> str | None:
    """The claims' email, unless it is missing or marked unverified."""
    email = claims.get("email")
    if not isinstance(email, str) or claims.get("email_verified") is False:
        return None
    return email.strip().lower() if _ADDRESS.fullmatch(email.strip()) else None


def _account_name(claims: dict, names: tuple[str, ...]) -> str | None:
    """The first of the claims names that is an email address: Microsoft 365 sends upn (set
    by the tenant's administrator) and preferred_username without email, unless the optional
    email claim is added to the app registration."""
    for key in names:
        name = claims.get(key)
        if isinstance(name, str) and _ADDRESS.fullmatch(name.strip()):
            return name.strip().lower()
    return None


def _microsoft(provider: Provider) -> bool:
    """Whether the issuer is Microsoft 365's, where preferred_username is the tenant's own
    account name (elsewhere a person may choose it, so it never names anyone)."""
    return provider.issuer.startswith("https://login.microsoftonline.com/")
