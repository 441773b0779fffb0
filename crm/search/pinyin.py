"""Pinyin initials of company names (山西焦煤集团 → ``sxjmjt``), stored in ``company.name_initials``.

Every path that writes a company name keeps the column current: the company service, the import
(computed at staging, so the INSERT … SELECT of new rows carries it) and the migration's backfill.

Speed matters (an import computes 100,000 of them): a character maps straight to the initial of
its default reading (``str.translate``); only names holding one of the few hundred characters that
some phrase reads with another initial (重 zhòng/chóng, 行 xíng/háng) go through pypinyin's phrase
segmentation, word by word, with a cache, so 重庆 is ``cq`` and 银行 ``yh`` as pypinyin says.
The result is the same as ``lazy_pinyin(name, style=FIRST_LETTER)`` (tests/test_search_schema.py).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pypinyin import Style, lazy_pinyin
from pypinyin.phrases_dict import phrases_dict
from pypinyin.pinyin_dict import pinyin_dict
from pypinyin.seg import mmseg

_KEEP = re.compile(r"[^a-z0-9]+")
MAX_LENGTH = 200


def _first_letter(reading: str) -> str:
    return unicodedata.normalize("NFKD", reading)[0].lower()


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[int, str], frozenset[str]]:
    """Code point → initial of its default reading; the characters some phrase reads otherwise.

    Built once per process (a fraction of a second): pypinyin answers a character's default
    reading unless a phrase it belongs to says otherwise, so only those few hundred characters
    need the phrase segmentation.
    """
    plain = {code: _first_letter(readings.split(",")[0]) for code, readings in pinyin_dict.items()}
    ambiguous = set()
    for phrase, readings in phrases_dict.items():
        for char, reading in zip(phrase, readings):
            if reading and plain.get(ord(char)) != _first_letter(reading[0]):
                ambiguous.add(char)
    return plain, frozenset(ambiguous)


@lru_cache(maxsize=65536)
def _word(word: str) -> str:
    return "".join(lazy_pinyin(word, style=Style.FIRST_LETTER, errors="default"))


def initials(name: str | None) -> str:
    """Lower-case first letters of each Chinese character; Latin words and digits kept whole.

    >>> initials("山西焦煤集团"), initials("重庆长安汽车"), initials("ＡＢＣ科技（中国）有限公司")
    ('sxjmjt', 'cqcaqc', 'abckjzgyxgs')
    >>> initials("中国工商银行"), initials(None), initials("")
    ('zggsyh', '', '')
    """
    if not name:
        return ""
    text = unicodedata.normalize("NFKC", name)
    plain, ambiguous = _tables()
    if ambiguous.isdisjoint(text):
        letters = text.translate(plain)
    else:
        letters = "".join(_word(word) for word in mmseg.seg.cut(text))
    return _KEEP.sub("", letters.lower())[:MAX_LENGTH]


def reference_initials(name: str) -> str:
    """pypinyin's own answer for the whole name, slower; what :func:`initials` must equal."""
    text = unicodedata.normalize("NFKC", name)
    letters = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default"))
    return _KEEP.sub("", letters.lower())[:MAX_LENGTH]
