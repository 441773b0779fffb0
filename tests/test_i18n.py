"""Message catalogs: every UI string is extracted, translated, not fuzzy and placeholder-safe.

No database and no app. The extraction runs Babel in-process with the project's babel.cfg, so adding
a `_("...")` / `_l("...")` in crm/ or templates/ without refreshing the catalogs fails here. To fix:
run REFRESH below (pybabel extract + update), translate the new entries in
crm/translations/zh/LC_MESSAGES/messages.po, then `make translations` to compile.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from babel.util import pathmatch

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "crm" / "translations"
POT = TRANSLATIONS / "messages.pot"
DEFAULT_CATALOG = TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po"
PO_FILES = sorted(TRANSLATIONS.glob("*/LC_MESSAGES/*.po"))
# pybabel skips "_"-prefixed directories unless --ignore-dirs is given (then only those patterns are skipped).
REFRESH = ("the catalog refresh: .venv/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext "
           "--ignore-dirs='.* node_modules __pycache__' -o crm/translations/messages.pot . && "
           ".venv/bin/pybabel update -i crm/translations/messages.pot -d crm/translations -D messages "
           "--no-fuzzy-matching")

# Babel's defaults (_, gettext, ngettext, pgettext, ...) plus the lazy forms the code uses.
KEYWORDS = dict(DEFAULT_KEYWORDS, _l=None, lazy_gettext=None, lazy_ngettext=(1, 2), lazy_pgettext=((1, "c"), 2))

# Directories never scanned. Unlike Babel's default filter, "_"-prefixed directories ARE scanned:
# templates/_partials and templates/_macros hold UI strings (nav, pager, history...).
SKIPPED_DIRS = {"node_modules", "__pycache__", "instance", "build", "dist"}

# Named printf placeholders: %(name)s, %(n)d, %(x).2f ...
PLACEHOLDER = re.compile(r"%\((\w+)\)[#0 +-]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa]")


def _key(message_id) -> str:
    return message_id[0] if isinstance(message_id, (list, tuple)) else message_id


def _show(message: Message) -> str:
    context = f"[{message.context}] " if message.context else ""
    where = ", ".join(f"{f}:{n}" for f, n in message.locations[:2])
    return f"{context}{_key(message.id)!r}" + (f" ({where})" if where else "")


@lru_cache(maxsize=None)
def _read(path: Path) -> Catalog:
    with path.open("rb") as fileobj:
        return read_po(fileobj)


@lru_cache(maxsize=None)
def _extracted() -> tuple[tuple[str | tuple[str, ...], str | None, str], ...]:
    """(msgid, context, "file:line") for every message the code and templates mark for translation."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fileobj:
        method_map, options_map = parse_mapping_cfg(fileobj, filename="babel.cfg")
    ignored = [pattern for pattern, method in method_map if method == "ignore"]

    def directory_filter(dirpath: str) -> bool:
        name = os.path.basename(dirpath)
        relative = os.path.relpath(dirpath, ROOT).replace(os.sep, "/")
        return not (name.startswith(".") or name in SKIPPED_DIRS or name.endswith(".egg-info")
                    or any(pathmatch(pattern, relative) for pattern in ignored))

    found = []
    for filename, lineno, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS, directory_filter=directory_filter):
        found.append((message, context, f"{filename}:{lineno}"))
    return tuple(found)


def _untranslated(message: Message) -> bool:
    strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
    return not strings or any(not s for s in strings)


def _placeholders(text: str) -> set[str]:
    return {m.group(0) for m in PLACEHOLDER.finditer(text or "")}


# --- the catalogs exist and are complete ---------------------------------------------------------

def test_default_catalog_exists() -> None:
    assert POT.is_file(), f"{POT.relative_to(ROOT)} is missing: run {REFRESH}"
    assert DEFAULT_CATALOG in PO_FILES, f"{DEFAULT_CATALOG.relative_to(ROOT)} is missing"
    assert _read(DEFAULT_CATALOG).locale is not None and str(_read(DEFAULT_CATALOG).locale) == "zh"


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: str(p.relative_to(TRANSLATIONS)))
def test_no_untranslated_or_fuzzy_entries(po: Path) -> None:
    catalog = _read(po)
    assert not catalog.fuzzy, f"{po.name}: the catalog header is marked fuzzy"
    problems = [f"{'untranslated' if _untranslated(m) else 'fuzzy'}: {_show(m)}"
                for m in catalog if m.id and (_untranslated(m) or m.fuzzy)]
    assert not problems, f"{len(problems)} entries to fix in {po}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: str(p.relative_to(TRANSLATIONS)))
def test_babel_checks_pass(po: Path) -> None:
    """Babel's own checkers: python-format compatibility and the number of plural forms."""
    problems = [f"{_show(m)}: {'; '.join(map(str, errors))}" for m, errors in _read(po).check()]
    assert not problems, "\n".join(problems)


# --- the catalogs are up to date with the code ----------------------------------------------------

def test_extraction_finds_messages_everywhere() -> None:
    """Guards the extraction itself: Python modules, templates and the "_"-prefixed template folders."""
    files = {where.rsplit(":", 1)[0] for _m, _c, where in _extracted()}
    assert any(f.startswith("crm/") and f.endswith(".py") for f in files)
    assert any(f.startswith("templates/") and f.endswith(".html") for f in files)
    assert any(f.startswith("templates/_partials/") for f in files)
    assert not any("node_modules" in f or f.startswith(".") for f in files)


def test_pot_is_up_to_date() -> None:
    pot = _read(POT)
    missing = sorted({f"{_key(msgid)!r} ({where})" for msgid, context, where in _extracted()
                      if pot.get(msgid, context=context) is None})
    assert not missing, (f"{len(missing)} messages are not in {POT.relative_to(ROOT)}; run {REFRESH}:\n  "
                         + "\n  ".join(missing))


def test_every_extracted_message_is_translated_in_zh() -> None:
    catalog = _read(DEFAULT_CATALOG)
    missing = []
    for msgid, context, where in _extracted():
        entry = catalog.get(msgid, context=context)
        if entry is None or _untranslated(entry) or entry.fuzzy:
            missing.append(f"{_key(msgid)!r} ({where})")
    missing = sorted(set(missing))
    assert not missing, (f"{len(missing)} messages lack a zh translation; run {REFRESH}, then translate them in "
                         f"{DEFAULT_CATALOG.relative_to(ROOT)}:\n  " + "\n  ".join(missing))


def test_navigation_labels_are_translated() -> None:
    """The navigation labels reach `_()` as variables, so extraction cannot see them."""
    from crm.core.templating import NAV

    catalog = _read(DEFAULT_CATALOG)
    labels = {label for _endpoint, label, _function, _menu in NAV} | {m for *_rest, m in NAV if m is not None}
    missing = [label for label in labels if catalog.get(label) is None or _untranslated(catalog.get(label))]
    assert not missing, f"navigation labels without a zh translation: {missing}"


# --- placeholders ---------------------------------------------------------------------------------

@pytest.mark.parametrize("po", PO_FILES, ids=lambda p: str(p.relative_to(TRANSLATIONS)))
def test_placeholders_match(po: Path) -> None:
    problems = []
    for message in _read(po):
        if not message.id:
            continue
        if isinstance(message.id, (list, tuple)):
            allowed = [_placeholders(message.id[0]), _placeholders(message.id[1])]
            strings = list(message.string)
        else:
            allowed = [_placeholders(message.id)]
            strings = [message.string]
        for i, string in enumerate(strings):
            found = _placeholders(string)
            if string and found not in allowed:
                form = f"[{i}]" if len(strings) > 1 or isinstance(message.id, (list, tuple)) else ""
                problems.append(f"{_show(message)}: msgstr{form} has {sorted(found)}, "
                                f"msgid has {sorted(allowed[-1])}")
    assert not problems, f"placeholder mismatches in {po}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("msgid, msgstr, ok", [
    ("Unknown role: %(r)s", "未知角色：%(r)s", True),
    ("Unknown role: %(r)s", "未知角色：%(role)s", False),
    ("%(n)s records", "共 %(n)d 条记录", False),
    ("Target (%)", "目标值（%）", True),
])
def test_placeholder_rule(msgid: str, msgstr: str, ok: bool) -> None:
    """The checks above can fail: the placeholder comparison itself."""
    assert (_placeholders(msgid) == _placeholders(msgstr)) is ok
