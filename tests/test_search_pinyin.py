"""Pinyin initials: the fast path answers what pypinyin's phrase-aware conversion answers."""
from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from crm.demo.data import COMPANIES
from crm.search.pinyin import _tables, initials, reference_initials

# Common name characters, characters some phrase reads with another initial, and the rest of a name.
_, AMBIGUOUS = _tables()
ALPHABET = ("山西焦煤集团晋南钢铁临汾尧都区太原重型机械化工新能源科技材料电子比亚迪华为宝武有限责任公司股份"
            "重庆长安银行单乐广厦大同朝阳北京和平解放地会曾说传" + "".join(sorted(AMBIGUOUS)[:60]) + "ABCxyz019（）()·-& ")


def test_known_names():
    assert initials("山西焦煤集团有限责任公司") == "sxjmjtyxzrgs"
    assert initials("重庆长安汽车股份有限公司") == "cqcaqcgfyxgs"
    assert initials("中国工商银行") == "zggsyh"
    assert initials("TCL科技集团") == "tclkjjt"
    assert len(initials("山" * 300)) == 200


def test_demo_names_match_pypinyin():
    for name, *_rest in COMPANIES:
        assert initials(name) == reference_initials(name), name


def test_seeded_sample_matches_pypinyin():
    rng = random.Random(20261128)
    for _ in range(3000):
        name = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(2, 24)))
        assert initials(name) == reference_initials(name), name


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.text(alphabet=ALPHABET, min_size=1, max_size=30))
def test_any_mix_matches_pypinyin(name):
    assert initials(name) == reference_initials(name)
