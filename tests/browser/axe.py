"""axe-core (from npm, node_modules/axe-core) run inside the page against the WCAG 2.1 A/AA rules."""
from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")


@cache
def _source() -> str:
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (the Makefile's test target does) before the browser tests.")
    return AXE.read_text(encoding="utf-8")


def violations(page) -> list[dict]:
    """The serious and critical WCAG 2.1 A/AA violations on the page as it is now."""
    # evaluate, not add_script_tag: the site's Content-Security-Policy refuses injected <script> elements.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_source())
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", TAGS)
    return [v for v in result["violations"] if v.get("impact") in BLOCKING]


def describe(found: list[dict], where: str) -> str:
    """One readable block per violation: rule, help, and the nodes it was seen on."""
    lines = []
    for v in found:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({where})")
        lines.append(f"    {v['helpUrl']}")
        for node in v["nodes"][:8]:
            target = " ".join(" > ".join(t) if isinstance(t, list) else t for t in node["target"])
            lines.append(f"    at {target}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"       {summary[:300]}")
        if len(v["nodes"]) > 8:
            lines.append(f"    … and {len(v['nodes']) - 8} more")
    return "\n".join(lines)


class AxeAudit:
    """Collects violations over many pages, so one run lists every problem, then fails once."""

    def __init__(self, lang: str):
        self.lang = lang
        self.reports: list[str] = []
        self.checked: list[str] = []

    def check(self, page, state: str = "") -> None:
        page.wait_for_load_state("load")
        where = f"{page.url} lang={self.lang}{' — ' + state if state else ''}"
        # The document's own language must be what was asked for (screen readers pick their voice by it).
        actual = page.evaluate("() => document.documentElement.lang")
        if actual != self.lang:
            self.reports.append(f"<html lang={actual!r}> but the page was asked for in {self.lang!r} ({where})")
        found = violations(page)
        self.checked.append(where)
        if found:
            self.reports.append(describe(found, where))

    def assert_clean(self) -> None:
        if self.reports:
            pytest.fail(f"axe-core found serious/critical WCAG 2.1 A/AA problems on "
                        f"{len(self.reports)} of {len(self.checked)} page states:\n\n" + "\n\n".join(self.reports),
                        pytrace=False)
