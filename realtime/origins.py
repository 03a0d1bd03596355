"""Which pages may open a relay connection: the web app's own origins unless ALLOWED_ORIGINS says otherwise."""
from __future__ import annotations

from urllib.parse import urlsplit


def default_origins(relay_public_url: str | None, web_host: str | None = None,
                    web_port: int | None = None) -> list[str]:
    """The web app's own origin(s): from serve's host and port, and the host of RELAY_PUBLIC_URL.

    Behind a proxy the relay is published on the web app's host (wss://host/ws), so that host's
    https origin is the web app's. Set ALLOWED_ORIGINS when the pages are served elsewhere.
    """
    origins = []
    if web_host and web_port:
        hosts = {web_host}
        if web_host in ("127.0.0.1", "localhost", "0.0.0.0", "::1", "::"):
            hosts |= {"127.0.0.1", "localhost"}
        origins += [f"http://{h}:{web_port}" for h in sorted(hosts)]
    if relay_public_url:
        url = urlsplit(relay_public_url)
        scheme = "https" if url.scheme == "wss" else "http"
        if url.hostname:
            origins.append(f"{scheme}://{url.hostname}")
            if url.port:
                origins.append(f"{scheme}://{url.hostname}:{url.port}")
    return list(dict.fromkeys(origins))


def origin_allowed(origins: set[str], origin: str | None) -> bool:
    """Whether a handshake with this Origin header may go on."""
    # Browsers always send Origin; other clients (tests, tools) need a valid token anyway.
    return origin is None or "*" in origins or origin in origins
