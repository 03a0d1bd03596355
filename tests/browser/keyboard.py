"""Moving through a page with the Tab key only, checking at every stop that focus can be seen."""
from __future__ import annotations

import pytest

# What a sighted keyboard user sees of the focused element: an outline or a ring (on the element, or on the
# label drawn in place of a visually hidden radio), inside the viewport.
FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return {ok: false, what: 'nothing'};
  const describe = (n) => {
    const id = n.id ? ' id=' + n.id : '';
    const cls = n.className ? ' class="' + n.className + '"' : '';
    const text = (n.innerText || n.value || n.getAttribute('aria-label') || '').trim().slice(0, 40);
    return `<${n.tagName.toLowerCase()}${id}${cls}> "${text}"`;
  };
  let shown = el;
  const box = el.getBoundingClientRect();
  if ((box.width <= 2 || box.height <= 2) && el.labels && el.labels.length) shown = el.labels[0];
  const style = getComputedStyle(shown);
  const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2)
    || (style.boxShadow && style.boxShadow !== 'none');
  const r = shown.getBoundingClientRect();
  const inView = r.width > 0 && r.height > 0 && r.bottom > 0 && r.right > 0
    && r.left < window.innerWidth && r.top < window.innerHeight;
  return {ok: ring && inView, ring, inView, what: describe(el),
          outline: `${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}`};
}"""


def assert_focus_visible(page) -> dict:
    state = page.evaluate(FOCUS_STATE)
    if not state["ok"]:
        pytest.fail(f"focus is not visible on {page.url}: {state}", pytrace=False)
    return state


def focus_matches(page, selector: str) -> bool:
    return page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector)


def tab_to(page, selector: str, limit: int = 80, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until the element matching `selector` has focus; focus must show at each stop."""
    key = "Shift+Tab" if backwards else "Tab"
    stops = []
    for _ in range(limit):
        page.keyboard.press(key)
        state = assert_focus_visible(page)
        stops.append(state["what"])
        if focus_matches(page, selector):
            return
    pytest.fail(f"{selector} was not reached with {limit} presses of {key} on {page.url}; focus went: "
                + " → ".join(stops), pytrace=False)
