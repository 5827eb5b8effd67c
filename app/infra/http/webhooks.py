"""Outbound webhook requests, made safe: https only, and never to a private, loopback or
link-local address (checked after DNS, at creation and again at each delivery, so a name
that later resolves inward is refused), except on hosts WEBHOOK_ALLOW_HOSTS lists; a short
timeout; at most WEBHOOK_MAX_RESPONSE_BYTES of the answer read.

Each body is signed: `Bulk-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
"""

import asyncio
import hashlib
import hmac
import ipaddress
import time
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

import httpx

from app.domain.errors import BadUserInput
from app.infra.settings import get_settings

SIGNATURE_HEADER = "Bulk-Signature"


def allowed_hosts() -> set[str]:
    return {host.strip().lower() for host in get_settings().webhook_allow_hosts.split(",") if host}


def signature(secret: str, timestamp: int, body: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


# What a webhook URL may be: the common limits of browsers and servers (2,048), of DNS names
# (253, labels of 63).
MAX_URL_LENGTH = 2048
MAX_HOST_LENGTH = 253
MAX_LABEL_LENGTH = 63


def url_parts(url: str) -> tuple[SplitResult, str, int]:
    """The URL's parts, host and port, or BadUserInput saying what is malformed."""
    if len(url) > MAX_URL_LENGTH:
        raise BadUserInput(f"A webhook URL has at most {MAX_URL_LENGTH:,} characters.")
    if any(char.isspace() or not char.isprintable() for char in url):
        raise BadUserInput("A webhook URL holds no spaces or control characters.")
    try:
        parts = urlsplit(url)
        host, port = (parts.hostname or "").lower(), parts.port
    except ValueError as exc:
        raise BadUserInput(f"Not a well-formed URL: {exc}.") from None
    if not host or parts.scheme not in ("https", "http"):
        raise BadUserInput(f"Not an http(s) URL with a host: {url[:100]!r}.")
    if len(host) > MAX_HOST_LENGTH or any(
        len(label) > MAX_LABEL_LENGTH for label in host.split(".")
    ):
        raise BadUserInput(
            f"A webhook's host has at most {MAX_HOST_LENGTH} characters, in labels of at most "
            f"{MAX_LABEL_LENGTH}."
        )
    return parts, host, port or (443 if parts.scheme == "https" else 80)


async def check_url(url: str) -> None:
    """Refuses a URL the platform must not call (BadUserInput, saying why)."""
    parts, host, port = url_parts(url)
    allowed = host in allowed_hosts()
    if parts.scheme != "https" and not allowed:
        raise BadUserInput("Webhook URLs must use https.")
    if allowed:
        return
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port)
    except (OSError, UnicodeError):
        raise BadUserInput(f"The webhook's host {host!r} does not resolve.") from None
    for *_, address in found:
        ip = ipaddress.ip_address(address[0])
        if not ip.is_global or ip.is_loopback or ip.is_private or ip.is_link_local:
            raise BadUserInput(
                f"The webhook's host {host!r} resolves to a non-public address ({ip}): refused."
            )


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    error: str | None
    seconds: float

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


async def post(url: str, body: str, secret: str, headers: dict[str, str]) -> Answer:
    """POSTs the signed body once; an error or a non-2xx answer is an Answer too."""
    started = time.perf_counter()
    settings = get_settings()
    try:
        await check_url(url)
        stamp = int(time.time())
        sent = {
            **headers,
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(secret, stamp, body),
        }
        async with (
            httpx.AsyncClient(timeout=settings.webhook_timeout_seconds) as client,
            client.stream("POST", url, content=body.encode(), headers=sent) as response,
        ):
            read = 0
            async for piece in response.aiter_bytes():
                read += len(piece)
                if read > settings.webhook_max_response_bytes:
                    break  # the answer's code is what counts: the rest is not read
            return Answer(response.status_code, None, time.perf_counter() - started)
    except BadUserInput as refused:
        return Answer(None, str(refused), time.perf_counter() - started)
    except httpx.HTTPError as exc:
        return Answer(None, f"{type(exc).__name__}: {exc}"[:300], time.perf_counter() - started)
