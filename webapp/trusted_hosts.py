"""TRUSTED_HOSTS: with it set, a request for any other Host is a 400, before anything is built from it.

Links the app hands out (feed URLs, a reservation's .ics link, join and page links made with
`url_for(_external=True)`) are built from the request's Host header; a forged Host would otherwise
put an attacker's address into them (password-reset-style poisoning, cached feeds). Flask checks the
list (werkzeug's `host_is_trusted`: the port is ignored, ".example.org" allows its subdomains);
this module answers the refusal without templates, which could not build a URL for that host anyway.
"""
from __future__ import annotations

from flask import Flask, jsonify, request
from werkzeug.exceptions import SecurityError

from webapp.errors import error_body

REFUSED_PAGE = """<!doctype html><html lang="ja"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>このアドレスでは表示できません</title></head>
<body><main><h1>このアドレスでは表示できません</h1>
<p>お手数ですが、市のページにあるリンクから開き直してください。</p>
<p lang="en">This address is not served here. Please open the service from the City's own link.</p>
</main></body></html>"""


def init_app(app: Flask) -> None:
    """Refuse unknown hosts with a page or the contract's error shape (never a 500)."""

    @app.errorhandler(SecurityError)
    def _untrusted_host(_err: SecurityError):
        if request.path.startswith("/api/"):
            return jsonify(error_body("untrusted_host", "This host name is not served here.")), 400
        return REFUSED_PAGE, 400, {"Content-Type": "text/html; charset=utf-8"}
