"""Charts are valid SVG, named for screen readers, and never rely on colour alone."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from webapp.stats.charts import Series, bar_chart, fit

SVG = "{http://www.w3.org/2000/svg}"


def _chart(**kw):
    args = dict(chart_id="c1", title="訪問者数", categories=["対面", "メタバース"],
                series=[Series("令和6年度", [1, 5]), Series("令和5年度", [2, 0])], unit="人")
    args.update(kw)
    return ET.fromstring(bar_chart(**args))


def test_a_chart_is_well_formed_xml_with_title_and_description():
    svg = _chart()
    assert svg.tag == SVG + "svg" and svg.get("role") == "img"
    assert svg.get("aria-labelledby") == "c1-title c1-desc"
    assert svg.find(SVG + "title").text == "訪問者数"
    desc = svg.find(SVG + "desc").text
    assert "令和6年度: 対面 1人、メタバース 5人" in desc and "令和5年度: 対面 2人、メタバース 0人" in desc


def test_every_value_is_written_beside_its_bar():
    texts = [t.text for t in _chart().iter(SVG + "text") if t.text]
    for value in ("1人", "5人", "2人", "0人"):
        assert value in texts


def test_the_two_years_differ_by_pattern_and_the_legend_names_them():
    svg = _chart()
    fills = {r.get("fill") for r in svg.iter(SVG + "rect") if r.get("height") == "16"}
    assert "url(#c1-hatch)" in fills
    assert svg.find(f"{SVG}defs/{SVG}pattern[@id='c1-hatch']") is not None
    legend = " ".join(t.text or "" for t in svg.find(SVG + "g").iter(SVG + "text"))
    assert "令和6年度" in legend and "令和5年度" in legend


def test_labels_are_escaped_so_a_term_cannot_inject_markup():
    svg = _chart(title="<script>alert(1)</script>", categories=['a"&<b>', "x"])
    assert svg.find(SVG + "title").text == "<script>alert(1)</script>"
    assert not list(svg.iter(SVG + "script"))


def test_a_chart_of_zeros_still_draws():
    svg = _chart(series=[Series("令和6年度", [0, 0])])
    assert svg.find(SVG + "desc").text == "令和6年度: 対面 0人、メタバース 0人"


def test_long_labels_are_shortened_to_fit():
    assert fit("いばしょ支援ステーションGIFT", 120).endswith("…")
    assert fit("家族", 120) == "家族"
