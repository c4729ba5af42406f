"""Issue 26, records: sign-in by OpenID Connect against a real OpenID provider run here (pyop,
served on loopback): in Chromium, the school account signs the person in; a tampered state, a
replayed code and an address not on the roster sign nobody in."""

from __future__ import annotations

import contextlib
import datetime
import http.client
import http.server
import ipaddress
import json
import re
import ssl
import threading
import urllib.parse
from pathlib import Path
from typing import Iterator

import pytest
from Cryptodome.PublicKey import RSA
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from jwkest.jwk import RSAKey
from pyop.authz_state import AuthorizationState
from pyop.exceptions import InvalidAuthenticationRequest
from pyop.provider import Provider
from pyop.subject_identifier import HashBasedSubjectIdentifierFactory
from pyop.userinfo import Userinfo

from test_records_support import Client, Service, free_port, records_project

pytestmark = pytest.mark.slow  # runs the service and a provider
SECRET = "client-secret-" + "x" * 20


class _OP(http.server.BaseHTTPRequestHandler):
    provider: Provider
    user = {"id": "bob@school.org"}  # who the provider says signed in (the test sets it)
    users: dict  # what the userinfo endpoint knows of each, by the scopes granted

    def token_claims(self, user: str) -> dict:
        """The claims the ID token carries beyond the standard ones: the email, unless the
        test gives others (user["token"]), as providers that keep it for userinfo do."""
        return self.user.get("token", {"email": user, "email_verified": True})

    def userinfo(self, request: str) -> None:
        try:
            answer = self.provider.handle_userinfo_request(request, dict(self.headers))
        except Exception as error:  # pyop's refusals: no token, an unknown one
            return self._send(401, json.dumps({"error": "invalid_token",
                                               "error_description": str(error)}))
        return self._send(200, answer.to_json())

    def log_message(self, *args) -> None:
        pass

    def _send(self, status: int, body: str = "", location: str | None = None,
              kind: str = "application/json") -> None:
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body.encode())))
        self.end_headers()
        self.wfile.write(body.encode())

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        if path == "/.well-known/openid-configuration":
            return self._send(200, self.provider.provider_configuration.to_json())
        if path == "/jwks":  # or another key's: the ID tokens then carry a forged signature
            keys = self.other_jwks if self.user.get("forge") else self.provider.jwks
            return self._send(200, json.dumps(keys))
        if path == "/authorize":  # the person is signed in at the provider already
            try:
                request = self.provider.parse_authentication_request(query)
            except InvalidAuthenticationRequest as error:
                return self._send(400, str(error), kind="text/plain")
            user = self.user["id"]
            response = self.provider.authorize(request, user,
                                               extra_id_token_claims=self.token_claims(user))
            return self._send(303, location=response.request(request["redirect_uri"]))
        if path == "/userinfo":
            return self.userinfo(query)
        self._send(404)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        if self.path == "/token":
            try:
                answer = self.provider.handle_token_request(  # the email in the ID token
                    body, dict(self.headers),
                    extra_id_token_claims=lambda user, _client: self.token_claims(user))
                return self._send(200, answer.to_json())
            except Exception as error:  # pyop's refusals: a code used twice, a bad verifier
                return self._send(400, json.dumps({"error": "invalid_grant",
                                                   "error_description": str(error)}))
        if self.path == "/userinfo":
            return self.userinfo(body)
        self._send(404)


def self_signed(folder: Path) -> Path:
    """A certificate and key for 127.0.0.1 in one PEM file (OpenID providers speak HTTPS)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    path = folder / "provider.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()))
    return path


@contextlib.contextmanager
def openid_provider(redirect_uri: str, pem: Path) -> Iterator[tuple[str, type[_OP]]]:
    port = free_port()
    issuer = f"https://127.0.0.1:{port}"
    key = RSAKey(key=RSA.generate(2048), alg="RS256", kid="test")
    config = {"issuer": issuer, "authorization_endpoint": issuer + "/authorize",
              "token_endpoint": issuer + "/token", "jwks_uri": issuer + "/jwks",
              "userinfo_endpoint": issuer + "/userinfo",
              "response_types_supported": ["code"], "subject_types_supported": ["public"],
              "id_token_signing_alg_values_supported": ["RS256"],
              "scopes_supported": ["openid", "email", "profile"],
              "token_endpoint_auth_methods_supported": ["client_secret_post"],
              "code_challenge_methods_supported": ["S256"]}
    clients = {"records": {"client_secret": SECRET, "redirect_uris": [redirect_uri],
                           "response_types": ["code"],
                           "token_endpoint_auth_method": "client_secret_post"}}
    users = {e: {"email": e} for e in ("bob@school.org", "stranger@school.org")}
    other = RSAKey(key=RSA.generate(2048), alg="RS256", kid="test")
    handler = type("OP", (_OP,), {"user": {"id": "bob@school.org"}, "users": users,
                                  "other_jwks": {"keys": [other.serialize(private=False)]}})
    handler.provider = Provider(key, config, AuthorizationState(
        HashBasedSubjectIdentifierFactory("salt")), clients, Userinfo(users))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(pem)
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield issuer, handler
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def oidc_service(tmp_path_factory):
    root = records_project(tmp_path_factory.mktemp("records-oidc"))
    port, pem = free_port(), self_signed(root.parent)
    with openid_provider(f"http://127.0.0.1:{port}/sign-in/oidc/callback", pem) as (issuer, op):
        service = Service(root, env={"POLICYKIT_RECORDS_OIDC_CLIENT_SECRET": SECRET,
                                     "SSL_CERT_FILE": str(pem)},  # the service trusts it
                          extra=("--print-sign-in-links", "--oidc-issuer", issuer,
                                 "--oidc-client-id", "records"))
        service.port, service.url = port, f"http://127.0.0.1:{port}"
        with service:
            yield root, service, op


def test_the_school_account_signs_the_person_in_chromium(browser, oidc_service):
    root, service, op = oidc_service
    op.user["id"] = "bob@school.org"
    page = browser.new_context(ignore_https_errors=True).new_page()  # the test's own certificate
    page.goto(service.url + "/sign-in")
    page.get_by_role("link", name="Sign in with your school account").click()
    page.wait_for_url(service.url + "/training")
    assert "Bob Learner" in page.locator("main").inner_text()


def follow_to_callback(client: Client, op, start: str = "/sign-in/oidc") -> str:
    """Start a sign-in and let the provider answer: the callback path with its code."""
    response, _ = client.get(start)
    authorize = urllib.parse.urlsplit(response.getheader("location"))
    connection = http.client.HTTPSConnection(authorize.hostname, authorize.port, timeout=30,
                                             context=ssl._create_unverified_context())
    connection.request("GET", f"{authorize.path}?{authorize.query}")
    callback = urllib.parse.urlsplit(connection.getresponse().getheader("location"))
    connection.close()
    return f"{callback.path}?{callback.query}"


def test_a_replayed_code_a_tampered_state_and_a_stranger_sign_nobody_in(oidc_service):
    root, service, op = oidc_service
    op.user["id"] = "bob@school.org"
    client = Client(service.url)
    callback = follow_to_callback(client, op)
    tampered = callback.replace("state=", "state=x")
    response, text = client.get(tampered)
    assert response.status == 400 and "Not signed in" in text
    response, text = client.get(callback)
    assert response.status == 303, re.findall(r'role="alert">([^<]*)', text)
    assert response.getheader("location") == "/training"
    assert client.get("/training")[0].status == 200
    other = Client(service.url)
    other.cookies = {k: v for k, v in client.cookies.items() if k != "pk_records"}
    response, text = other.get(callback)  # the same code again
    assert response.status == 400 and "pk_records" not in other.cookies
    op.user["id"] = "stranger@school.org"
    stranger = Client(service.url)
    response, text = stranger.get(follow_to_callback(stranger, op))
    assert response.status == 403 and "not on the staff roster" in text
    assert "pk_records" not in stranger.cookies


def test_an_id_token_whose_signature_does_not_verify_signs_nobody_in(oidc_service):
    root, service, op = oidc_service
    op.user.update({"id": "bob@school.org", "forge": True})
    try:
        client = Client(service.url)
        response, text = client.get(follow_to_callback(client, op))
    finally:
        op.user.pop("forge")
    assert response.status == 400 and "Not signed in: the provider" in text
    assert "pk_records" not in client.cookies
