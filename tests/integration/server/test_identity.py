"""Tokens from an identity provider, against a local JWKS server whose keys the test makes:
RS256 and ES256 accepted; a rotated key accepted after one refetch; every refusal (issuer,
audience, expiry, not yet valid, an algorithm not listed, the algorithm-confusion attack,
an unknown key) with its one-line reason; tokens whose keys are cached still served while
the provider is down; scopes from the provider's claim enforced over HTTP, WebSocket and
REST."""

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from client.api import ApiClient
from tests.integration.conftest import new_account, start_api
from tests.support.processes import stop

ISSUER = "https://idp.example.test/"
AUDIENCE = "bulk-actions-api"
ME = "{ accountRateLimit { accountId } }"


@dataclass
class Provider:
    """The identity provider: its keys by id, served as a JWKS while `up`."""

    keys: dict[str, Any] = field(default_factory=dict)
    public: list[dict[str, Any]] = field(default_factory=list)
    up: bool = True
    fetches: int = 0

    def add_rsa(self, kid: str) -> None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.keys[kid] = key
        self.public.append({**RSAAlgorithm.to_jwk(key.public_key(), as_dict=True), "kid": kid})

    def add_ec(self, kid: str) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        self.keys[kid] = key
        self.public.append({**ECAlgorithm.to_jwk(key.public_key(), as_dict=True), "kid": kid})

    def token(self, kid: str, algorithm: str = "RS256", **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 600, **claims}
        return jwt.encode(body, self.keys[kid], algorithm=algorithm, headers={"kid": kid})


@pytest.fixture(scope="module")
def provider() -> Iterator[tuple[Provider, str]]:
    served = Provider()
    served.add_rsa("rsa-1")
    served.add_ec("ec-1")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if not served.up:
                self.send_error(503)
                return
            served.fetches += 1
            body = json.dumps({"keys": served.public}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield served, f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    server.shutdown()


@pytest.fixture(scope="module")
def idp_api(provider: tuple[Provider, str], database: None) -> Iterator[str]:
    """An API process that trusts the provider: the account in `org_id`, scopes in `scp`."""
    _, jwks = provider
    url, process = start_api(
        "api-idp",
        AUTH_JWKS_URL=jwks,
        AUTH_ISSUER=ISSUER,
        AUTH_AUDIENCE=AUDIENCE,
        AUTH_ALGORITHMS='["RS256", "ES256", "HS256"]',
        AUTH_ACCOUNT_CLAIM="org_id",
        AUTH_USER_CLAIM="sub",
        AUTH_SCOPES_CLAIM="scp",
    )
    yield url
    stop(process)


def ask(api: str, token: str, query: str = ME) -> dict[str, Any]:
    answer = httpx.post(
        f"{api}/graphql", json={"query": query}, headers={"Authorization": f"Bearer {token}"}
    )
    body: dict[str, Any] = answer.json()
    return body


def refusal(body: dict[str, Any]) -> tuple[str, str]:
    error = body["errors"][0]
    return error["extensions"]["code"], error["message"]


def test_provider_tokens_are_accepted_and_a_rotated_key_after_one_refetch(
    provider: tuple[Provider, str], idp_api: str
) -> None:
    served, _ = provider
    account = new_account()
    for kid, algorithm in (("rsa-1", "RS256"), ("ec-1", "ES256")):
        token = served.token(kid, algorithm, org_id=account, sub="user-7", scp=["bulk:read"])
        assert ask(idp_api, token)["data"]["accountRateLimit"]["accountId"] == account
    # The provider rotates its key: the new key id is fetched once, then served from cache.
    served.add_rsa("rsa-2")
    before = served.fetches
    rotated = served.token("rsa-2", org_id=account, sub="user-7", scp="bulk:read")
    assert ask(idp_api, rotated)["data"]["accountRateLimit"]["accountId"] == account
    assert ask(idp_api, rotated)["data"] is not None
    assert served.fetches == before + 1


def test_every_refusal_says_why(provider: tuple[Provider, str], idp_api: str) -> None:
    served, _ = provider
    account = new_account()
    now = int(time.time())
    claims = {"org_id": account, "scp": "bulk:read"}
    pem = (
        served.keys["rsa-1"]
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    confusion = forge_hs256(pem, {"iss": ISSUER, "aud": AUDIENCE, "exp": now + 600, **claims})
    cases = {
        "another issuer": served.token("rsa-1", iss="https://evil.test/", **claims),
        "audience": served.token("rsa-1", aud="someone-else", **claims),
        "expired": served.token("rsa-1", exp=now - 10, **claims),
        "not valid yet": served.token("rsa-1", nbf=now + 3600, **claims),
        "not accepted": served.token("rsa-1", "RS512", **claims),
        "signature does not match": confusion,
        "no key 'nobody'": forge_kid(served, "nobody", claims),
        "no 'org_id' claim": served.token("rsa-1", scp="bulk:read"),
    }
    for reason, token in cases.items():
        code, message = refusal(ask(idp_api, token))
        assert code == "UNAUTHENTICATED" and reason in message, (reason, message)
        assert "\n" not in message


def forge_hs256(secret: bytes, claims: dict[str, Any]) -> str:
    """The algorithm-confusion attack: HS256 whose HMAC key is the RSA public key's PEM,
    which a verifier that takes the algorithm from the token would accept. PyJWT refuses to
    sign so, so the token is put together by hand."""

    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = part(json.dumps({"alg": "HS256", "typ": "JWT", "kid": "rsa-1"}).encode())
    body = part(json.dumps(claims).encode())
    signature = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{part(signature)}"


def forge_kid(served: Provider, kid: str, claims: dict[str, Any]) -> str:
    """A token signed by a key the provider does not publish."""
    now = int(time.time())
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    body = {"iss": ISSUER, "aud": AUDIENCE, "exp": now + 600, **claims}
    return jwt.encode(body, stranger, algorithm="RS256", headers={"kid": kid})


def test_cached_keys_serve_while_the_provider_is_down(
    provider: tuple[Provider, str], idp_api: str
) -> None:
    served, _ = provider
    account = new_account()
    known = served.token("ec-1", "ES256", org_id=account, scp="bulk:read")
    assert "data" in ask(idp_api, known) and ask(idp_api, known)["data"] is not None
    served.up = False
    try:
        assert ask(idp_api, known)["data"]["accountRateLimit"]["accountId"] == account
        served.add_rsa("rsa-3")  # published while the provider is down: cannot be fetched
        code, message = refusal(ask(idp_api, served.token("rsa-3", org_id=account)))
        assert code == "UNAUTHENTICATED"
        assert "cannot be fetched" in message or "no key" in message
        assert httpx.get(f"{idp_api}/health/live").status_code == 200
    finally:
        served.up = True


async def test_scopes_from_the_provider_are_enforced_everywhere(
    provider: tuple[Provider, str], idp_api: str
) -> None:
    served, _ = provider
    account = new_account()
    reader = served.token("rsa-1", org_id=account, sub="ann", scp=["bulk:read", "openid"])
    writer = served.token("rsa-1", org_id=account, sub="bob", scp="bulk:write")
    create = (
        "mutation { createBulkAction(input: {entityType: CONTACT, actionType: INSERT, "
        'records: [{email: "s@example.com"}]}) { id } }'
    )
    code, message = refusal(ask(idp_api, reader, create))
    assert code == "FORBIDDEN" and "bulk:write" in message
    assert refusal(ask(idp_api, writer, ME))[0] == "FORBIDDEN"
    assert ask(idp_api, writer, create)["data"]["createBulkAction"]["id"]
    limit = 'mutation { setAccountRateLimit(accountId: "x", perMinute: 5) { perMinute } }'
    assert refusal(ask(idp_api, writer, limit)) == (
        "FORBIDDEN",
        "This needs the scope bulk:admin, which the token does not grant.",
    )
    # REST: an upload needs write, a download read.
    upload = httpx.post(
        f"{idp_api}/uploads",
        content=b"email\na@example.com\n",
        headers={"Authorization": f"Bearer {reader}", "content-type": "text/csv"},
    )
    assert upload.status_code == 403 and upload.json()["error"]["code"] == "FORBIDDEN"
    # WebSocket: a subscription needs read.
    async with ApiClient(idp_api, writer) as client:
        with pytest.raises(Exception) as refused:
            async for _ in client.subscribe("subscription { bulkActionsFeed { status } }", {}):
                break
        assert "bulk:read" in str(refused.value)
