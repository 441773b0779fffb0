"""Pinyin initials of company names (山西焦煤集团 → ``sxjmjt``), stored in ``company.name_initials``.

Every path that writes a company name keeps the column current: the company service, the import
(computed at staging, so the INSERT … SELECT of new rows carries it) and the migration's backfill.
"""
from __future__ import annotations

import re
import unicodedata

from pypinyin import Style, lazy_pinyin

_KEEP = re.compile(r"[^a-z0-9]+")
MAX_LENGTH = 200


def initials(name: str | None) -> str:
    """Lower-case first letters of each Chinese character; Latin words and digits kept whole.

    >>> initials("山西焦煤集团"), initials("重庆长安汽车"), initials("ＡＢＣ科技（中国）有限公司")
    ('sxjmjt', 'cqcaqc', 'abckjzgyxgs')
    >>> initials(None), initials("")
    ('', '')
    """
    if not name:
        return ""
    text = unicodedata.normalize("NFKC", name)
    letters = "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default"))
    return _KEEP.sub("", letters.lower())[:MAX_LENGTH]
