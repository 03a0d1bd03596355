"""The fiscal-year figures as one CSV file for Excel: UTF-8 with BOM, Japanese headers, sections.

Each section has a column for the year and one for the year before, as the city's report
compares 令和6年度 with 令和5年度. Pure function of the figures from `queries.fiscal_year_stats`.
"""
from __future__ import annotations

import csv
import io

from webapp.sessions.models import FORMATS

FORMAT_JA = {"in_person": "対面", "online": "オンライン", "metaverse": "メタバース", "mixed": "複数", None: ""}
FORMAT_METRICS = (
    ("sessions", "開催回数"),
    ("visits", "訪問者数"),
    ("consultations", "相談件数"),
    ("left_without_consulting", "相談せず退出"),
    ("median_wait_s", "待ち時間の中央値（分）"),
    ("median_left_wait_s", "退出までの待ち時間の中央値（分）"),
    ("cancelled", "中止した回"),
)
MONTH_METRICS = (("sessions", "開催回数"), ("visits", "訪問者数"), ("consultations", "相談件数"))
SECTION_TITLES = (("topics", "相談内容", "■相談内容（相談1件に複数あり）"),
                  ("results", "相談結果", "■相談結果"),
                  ("referrals", "つなぎ先", "■つなぎ先"))
NOTES = (
    "年度は開催日（日本時間）で決めます。2024年度 = 2024年4月1日〜2025年3月31日。",
    "開催回数: 中止でない回のうち、終了した回または来場があった回。",
    "訪問者数: チェックインの数（職員が不適切として削除したものを除く）。",
    "相談件数: 推進員が「相談」として記録を閉じたチェックインの数。",
    "相談せず退出: 相談の前に自分で退出したチェックインの数。",
    "待ち時間: 本人のチェックインから推進員が対応を始めるまで（職員が記録した来場は除く）。中央値。",
)


def _safe(cell):
    """Numbers as they are; text that Excel would run as a formula gets a leading apostrophe."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


def _minutes(seconds):
    return "" if seconds is None else round(seconds / 60, 1)


def _metric(entry: dict, key: str):
    value = entry.get(key)
    return _minutes(value) if key.startswith("median") else value


def _by_format(rows: list, this: dict, prev: dict, heads: tuple[str, str]) -> None:
    rows.append(["■形式別"])
    rows.append(["形式"] + [f"{h} {name}" for _, name in FORMAT_METRICS for h in heads])
    entries = [(FORMAT_JA[f], this["by_format"][f], prev["by_format"][f]) for f in FORMATS]
    entries.append(("合計", this["totals"], prev["totals"]))
    for label, now, before in entries:
        rows.append([label] + [v for key, _ in FORMAT_METRICS for v in (_metric(now, key), _metric(before, key))])


def _by_month(rows: list, this: dict, prev: dict, heads: tuple[str, str]) -> None:
    rows.append(["■月別"])
    header = ["月"]
    for h in heads:
        header += [f"{h} 年月", f"{h} 形式"] + [f"{h} {name}" for _, name in MONTH_METRICS]
    rows.append(header)
    for now, before in zip(this["by_month"], prev["by_month"], strict=True):
        row = [f"{int(now['month'][5:])}月"]
        for entry in (now, before):
            row += [entry["month"], FORMAT_JA.get(entry["format"], entry["format"])]
            row += [entry[key] for key, _ in MONTH_METRICS]
        rows.append(row)


def _terms(rows: list, section: str, name: str, title: str, this: dict, prev: dict, heads) -> None:
    rows.append([title])
    rows.append([name, "キー", *heads])
    labels = {**prev["labels"][section], **this["labels"][section]}
    keys = list(this[section]) + [k for k in prev[section] if k not in this[section]]
    for key in keys:
        label = labels[key]["ja"] + ("（廃止）" if labels[key]["retired"] else "")
        rows.append([label, key, this[section].get(key, 0), prev[section].get(key, 0)])


def _room(rows: list, room: dict) -> None:
    """The metaverse room's funnel of the year, per session (webapp/stats/room_funnel.py)."""
    rows.append(["■メタバース会場（入室→相談の申し込み→相談、練習は訪問に含まない）"])
    rows.append(["開催日", "入室", "相談の申し込み", "相談", "練習（見学）"])
    for entry in room["sessions"]:
        rows.append([entry["date"], entry["entered"], entry["asked"], entry["consultations"], entry["practice"]])
    rows.append(["合計", room["entered"], room["asked"], room["consultations"], room["practice"]])


def to_csv(stats: dict, title: str) -> bytes:
    """The figures of `stats` (with `previous`) as CSV bytes, BOM first, headed by the programme's `title`."""
    prev = stats["previous"]
    heads = (f"{stats['label']}", f"{prev['label']}")
    rows: list[list] = [
        [f"{title} 実績"],
        ["年度", f"{stats['label']}（{stats['fiscal_year']}年度）", stats["period"]["from"], stats["period"]["to"]],
        ["比較", f"{prev['label']}（{prev['fiscal_year']}年度）", prev["period"]["from"], prev["period"]["to"]],
        [],
    ]
    _by_format(rows, stats, prev, heads)
    rows.append([])
    _by_month(rows, stats, prev, heads)
    if stats.get("room", {}).get("sessions"):
        rows.append([])
        _room(rows, stats["room"])
    for section, name, title in SECTION_TITLES:
        rows.append([])
        _terms(rows, section, name, title, stats, prev, heads)
    rows.append([])
    rows.append(["■数え方"])
    rows += [[note] for note in NOTES]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([[_safe(cell) for cell in row] for row in rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
