"""The profile's look is what people see: its colours on every page and its logo in the header."""
from __future__ import annotations

import re

from .conftest import ROOT


def _root_colours(css: str) -> dict[str, str]:
    block = re.search(r":root\s*{([^}]*)}", css).group(1)
    return dict(re.findall(r"(--[a-z-]+):\s*(#[0-9a-fA-F]{6})", block))


def test_every_page_takes_the_sample_citys_colours_and_logo(sample_app):
    client = sample_app.test_client()
    for path in ("/", "/help", "/staff/login", "/reservations"):
        page = client.get(path).get_data(as_text=True)
        links = re.findall(r'<link rel="stylesheet" href="([^"]+)"', page)
        assert links.index("/theme.css") > links.index("/static/style.css"), f"{path}: colours before style.css"
        assert '<img class="brand-logo" src="/logo" alt=""' in page and "brand-mark" not in page
    theme = client.get("/theme.css")
    assert theme.mimetype == "text/css"
    colours = _root_colours(theme.get_data(as_text=True))
    assert colours["--accent"] == "#1f5fa8" and colours["--ink"] == "#222222" and colours["--bg"] == "#ffffff"
    assert set(colours) >= {"--accent-dark", "--accent-soft"}
    logo = client.get("/logo")
    assert logo.status_code == 200 and logo.mimetype == "image/svg+xml"
    assert logo.data == (ROOT / "profiles" / "sample-logo.svg").read_bytes()


def test_the_ikoma_look_is_the_one_style_css_has_always_had(client):
    page = client.get("/").get_data(as_text=True)
    assert "brand-mark" in page and "/logo" not in page
    assert client.get("/logo").status_code == 404
    theme = _root_colours(client.get("/theme.css").get_data(as_text=True))
    shipped = _root_colours((ROOT / "webapp" / "static" / "style.css").read_text(encoding="utf-8"))
    assert theme == {name: shipped[name] for name in theme}
