"""Response headers every page gets (no inline scripts, no framing, no sniffing), HTTPS-aware cookies
and, behind a reverse proxy (TRUST_PROXY), the client's scheme and address from its headers."""
from flask import Flask, Response, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix


class HttpsAwareSessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the page came over HTTPS, even without SESSION_COOKIE_SECURE."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


def init_app(app: Flask) -> None:
    """Trust the configured proxies, make cookies HTTPS-aware and add the security headers."""
    proxies = int(app.config.get("TRUST_PROXY") or 0)
    if proxies:
        # nginx sets X-Forwarded-Proto/-For: HTTPS is seen (Secure cookies) and rate limits key on the client.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    app.session_interface = HttpsAwareSessionInterface()

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
