"""Decode uploaded text: BOM, then strict UTF-8, then GB18030 — never a guess.

GB18030 is a superset of GBK and GB2312, so files saved by Excel or WPS on a
Chinese Windows decode with it; a file that is neither valid UTF-8 nor valid
GB18030 is refused with a clear message rather than read with replacement
characters.
"""
from __future__ import annotations

import codecs

BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class DecodeError(ValueError):
    """The bytes are not text in any encoding we accept."""


def decode(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)``.

    >>> decode("企业名称".encode("gbk"))
    ('企业名称', 'gb18030')
    >>> decode(codecs.BOM_UTF8 + "名称".encode())
    ('名称', 'utf-8-sig')
    >>> decode("名称".encode())
    ('名称', 'utf-8')
    """
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise DecodeError(f"the file starts with a {encoding} mark but is not valid {encoding} "
                                  f"(byte {exc.start})") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise DecodeError(f"the file is neither UTF-8 nor GBK/GB18030 text (byte {exc.start})") from None
