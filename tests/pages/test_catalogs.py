"""The message catalogs: compiled at install, checked at start, consistent across packages."""
from __future__ import annotations

import logging
import os
from collections import defaultdict

import pytest
from babel.messages.pofile import read_po

from webapp import i18n

#: Clashes found when this lint was written; each needs a pgettext context in one package (then leaves this list).


def _catalog(root, package: str, mo: bool = True):
    """A package folder under `root` with an English messages.po (and its .mo when `mo`)."""
    folder = root / package / "translations" / "en" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = folder / "messages.po"
    po.write_text('msgid "予約"\nmsgstr "Reservation"\n', encoding="utf-8")
    if mo:
        po.with_suffix(".mo").write_bytes(b"")
    return po


def test_the_app_refuses_to_start_without_a_compiled_catalog(tmp_path, monkeypatch):
    po = _catalog(tmp_path, "sessions", mo=False)
    monkeypatch.setattr(i18n, "PACKAGES", (tmp_path,))
    with pytest.raises(i18n.MissingCatalog, match="make translations") as raised:
        i18n.check_catalogs()
    assert str(po) in str(raised.value)


def test_a_catalog_older_than_its_po_is_reported_in_one_log_line(tmp_path, monkeypatch, caplog):
    po = _catalog(tmp_path, "sessions")
    os.utime(po.with_suffix(".mo"), (0, 0))
    monkeypatch.setattr(i18n, "PACKAGES", (tmp_path,))
    with caplog.at_level(logging.WARNING, logger="webapp.i18n"):
        i18n.check_catalogs()
    assert len(caplog.records) == 1 and str(po) in caplog.text and "make translations" in caplog.text


def test_up_to_date_catalogs_start_quietly(tmp_path, monkeypatch, caplog):
    _catalog(tmp_path, "sessions")
    monkeypatch.setattr(i18n, "PACKAGES", (tmp_path,))
    with caplog.at_level(logging.WARNING, logger="webapp.i18n"):
        i18n.check_catalogs()
    assert not caplog.records


def test_a_japanese_message_has_the_same_english_in_every_package():
    """Catalogs are merged at run time: a msgid translated twice differently would silently pick one."""
    english = defaultdict(dict)
    for po in i18n.sources():
        with po.open("rb") as src:
            for message in read_po(src):
                if message.id and message.string:
                    english[(message.context, message.id)][str(po.relative_to(i18n.ROOT.parent))] = message.string
    clashes = {key: where for key, where in english.items() if len(set(map(str, where.values()))) > 1}
    assert not clashes, "give one of them a msgctxt (pgettext): " + repr(clashes)
