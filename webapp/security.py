"""Response headers every page gets: no inline scripts, no framing, no sniffing."""
from flask import Flask, Response


def init_app(app: Flask) -> None:
    """Add the security headers after each request."""

    @app.after_request
    def _headers(response: Response) -> Response:
        relay = app.config.get("RELAY_PUBLIC_URL", "")
        connect = "'self' " + relay.split("/ws")[0] if relay else "'self'"
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src {connect}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
