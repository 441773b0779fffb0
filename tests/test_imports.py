"""Company imports through the real pages: encodings, mapping, dry run, errors, modes, revert."""
from __future__ import annotations

import codecs
import io
import re

import pytest
import xlsxwriter
from sqlalchemy import func, select

from crm.models import Company, ImportBatch, ImportPreset
from tests.conftest import csrf_token

GOOD = [("山西焦煤集团有限责任公司", "91140000731914164T", "山西省", "太原市", "万柏林区", "5000万元", "是"),
        ("临汾测试钢铁有限公司", "", "山西", "临汾", "尧都区", "1.2亿", "否"),
        ("苏州测试科技股份有限公司", "", "江苏省", "苏州市", "吴中区", "\"3,000\"", "")]
HEADER = ("企业名称", "统一社会信用代码", "所属省份", "所属城市", "所属区县", "注册资本", "专精特新")


def csv_bytes(rows, encoding="utf-8", header=HEADER):
    text = "\n".join(",".join(r) for r in [header, *rows]) + "\n"
    if encoding == "bom":
        return codecs.BOM_UTF8 + text.encode("utf-8")
    return text.encode(encoding)


def xlsx_bytes(header, rows):
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, header)
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row):
            sheet.write_string(i, j, value)
    book.close()
    return buffer.getvalue()


@pytest.fixture
def officer(db, make_user, login):
    user = make_user(("officer",))
    login(user)
    return user


def upload(client, filename, data):
    page = client.get("/imports/companies/new").get_data(as_text=True)
    return client.post("/imports/companies/new", data={"csrf_token": csrf_token(page),
                                                       "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def batch_id_of(response) -> int:
    return int(re.search(r"/imports/batch/(\d+)", response.headers["Location"]).group(1))


def map_and_stage(client, batch_id, extra=None):
    page = client.get(f"/imports/batch/{batch_id}/mapping").get_data(as_text=True)
    form = {"csrf_token": csrf_token(page)}
    for match in re.finditer(r'name="(col-\d+)"[^>]*>.*?</select>', page, re.S):
        selected = re.search(r'<option value="([^"]*)" selected>', match.group(0))
        form[match.group(1)] = selected.group(1) if selected else ""
    form.update(extra or {})
    return client.post(f"/imports/batch/{batch_id}/mapping", data=form)


def apply(client, batch_id, valid_only=False):
    page = client.get(f"/imports/batch/{batch_id}").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page)}
    if valid_only:
        data["valid_only"] = "1"
    return client.post(f"/imports/batch/{batch_id}/apply", data=data)


def companies(db, names):
    db.session.expire_all()
    return {c.name: c for c in db.session.scalars(select(Company).where(Company.name.in_(names)))}


@pytest.mark.parametrize("encoding", ["gbk", "bom", "utf-8"])
def test_csv_import_in_each_encoding(client, db, officer, encoding):
    response = upload(client, "企查查导出.csv", csv_bytes(GOOD, encoding))
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    batch_id = batch_id_of(response)
    assert map_and_stage(client, batch_id).status_code == 302
    batch = db.session.get(ImportBatch, batch_id)
    assert (batch.creates, batch.updates, batch.errors) == (3, 0, 0)
    assert batch.encoding == {"gbk": "gb18030", "bom": "utf-8-sig", "utf-8": "utf-8"}[encoding]
    assert companies(db, [r[0] for r in GOOD]) == {}  # the dry run wrote nothing
    assert apply(client, batch_id).status_code == 302
    found = companies(db, [r[0] for r in GOOD])
    coal, steel, suzhou = (found[r[0]] for r in GOOD)
    assert coal.uscc == "91140000731914164T" and coal.county_code == "140109" and coal.specialized
    assert str(coal.registered_capital) in ("5000", "5000.00")
    assert steel.is_local and steel.cluster == "gzpc" and float(steel.registered_capital) == 12000
    assert suzhou.cluster == "yrd" and not suzhou.is_local and float(suzhou.registered_capital) == 3000
    key = db.session.get(ImportBatch, batch_id).batch_key
    assert {c.batch_id for c in found.values()} == {key}
    from crm.models import AuditRecord
    entry = db.session.scalar(select(AuditRecord).where(AuditRecord.batch_id == key))
    assert entry.action == "bulk_create" and "3 created" in entry.new


def test_xlsx_with_leading_zero_codes_and_upsert(client, db, officer):
    from crm.companies.services import create_company
    create_company(db.session, officer, {"name": "深圳测试有限公司", "county_code": "440305"})
    db.session.commit()
    header = ("企业名称", "股票代码", "所属省份", "所属城市", "所属区县")
    rows = [("深圳测试有限公司", "002129", "广东省", "深圳市", "南山区"), ("新公司有限公司", "000001", "", "", "")]
    batch_id = batch_id_of(upload(client, "list.xlsx", xlsx_bytes(header, rows)))
    map_and_stage(client, batch_id)
    batch = db.session.get(ImportBatch, batch_id)
    assert (batch.creates, batch.updates, batch.errors) == (1, 1, 0)
    apply(client, batch_id)
    found = companies(db, ["深圳测试有限公司", "新公司有限公司"])
    assert found["深圳测试有限公司"].stock_code == "002129" and found["深圳测试有限公司"].version_id == 2
    assert found["新公司有限公司"].stock_code == "000001"


def test_broken_file_and_wrong_header_write_nothing(client, db, officer):
    before = db.session.scalar(select(func.count()).select_from(ImportBatch))
    response = upload(client, "broken.xlsx", b"PK\x03\x04 not really")
    assert response.status_code == 200 and "form-error" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == before
    batch_id = batch_id_of(upload(client, "odd.csv", csv_bytes([("x", "y")], header=("甲", "乙"))))
    response = map_and_stage(client, batch_id)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "form-error" in body  # the name column is required
    assert db.session.get(ImportBatch, batch_id).status == "uploaded"


def test_bad_rows_are_reported_and_block_an_all_or_nothing_import(client, db, officer):
    bad = [*GOOD, ("坏代码公司", "91140000731914164X", "", "", "", "", ""),
           ("外币公司", "", "", "", "", "500万美元", ""), ("", "", "", "", "", "", ""),
           ("地点不明公司", "", "山西省", "火星市", "", "", "也许"), GOOD[0]]
    batch_id = batch_id_of(upload(client, "bad.csv", csv_bytes(bad)))
    map_and_stage(client, batch_id)
    batch = db.session.get(ImportBatch, batch_id)
    assert (batch.creates, batch.errors) == (3, 4)
    page = client.get(f"/imports/batch/{batch_id}").get_data(as_text=True)
    assert "check character" in page and "foreign currency" in page and "火星市" in page
    assert "Same company as row 2" in page or "与第 2 行" in page
    errors_csv = client.get(f"/imports/batch/{batch_id}/errors.csv").get_data(as_text=True)
    assert errors_csv.startswith("\ufeff") and "\r\n5," in errors_csv and "\r\n8," in errors_csv
    response = apply(client, batch_id)
    assert response.status_code == 302
    assert db.session.get(ImportBatch, batch_id).status == "staged"
    assert companies(db, [r[0] for r in GOOD]) == {}
    apply(client, batch_id, valid_only=True)
    assert len(companies(db, [r[0] for r in GOOD])) == 3
    assert db.session.get(ImportBatch, batch_id).status == "applied"


def test_revert_and_its_refusal(client, db, officer, make_user):
    from crm.companies.services import update_company
    batch_id = batch_id_of(upload(client, "a.csv", csv_bytes(GOOD)))
    map_and_stage(client, batch_id)
    apply(client, batch_id)
    found = companies(db, [r[0] for r in GOOD])
    update_company(db.session, officer, found[GOOD[1][0]], {"notes": "改过了"}, expected_version=1)
    db.session.commit()
    page = client.get(f"/imports/batch/{batch_id}").get_data(as_text=True)
    response = client.post(f"/imports/batch/{batch_id}/revert", data={"csrf_token": csrf_token(page)},
                           follow_redirects=True)
    assert GOOD[1][0] in response.get_data(as_text=True)  # the refusal lists the changed row
    assert len(companies(db, [r[0] for r in GOOD])) == 3
    # An admin may force it.
    from tests.conftest import TEST_PASSWORD
    admin = make_user(("admin",))
    client.post("/logout", data={"csrf_token": csrf_token(page)})
    token = csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": admin.username, "password": TEST_PASSWORD, "csrf_token": token})
    page = client.get(f"/imports/batch/{batch_id}").get_data(as_text=True)
    client.post(f"/imports/batch/{batch_id}/revert", data={"csrf_token": csrf_token(page), "force": "1"})
    assert companies(db, [r[0] for r in GOOD]) == {}
    assert db.session.get(ImportBatch, batch_id).status == "reverted"


def test_revert_restores_updated_rows(client, db, officer):
    from crm.companies.services import create_company
    create_company(db.session, officer, {"name": "山西焦煤集团有限责任公司", "county_code": "140109",
                                         "registered_capital": 100})
    db.session.commit()
    batch_id = batch_id_of(upload(client, "a.csv", csv_bytes(GOOD[:1])))
    map_and_stage(client, batch_id)
    assert db.session.get(ImportBatch, batch_id).updates == 1
    apply(client, batch_id)
    coal = companies(db, [GOOD[0][0]])[GOOD[0][0]]
    assert coal.uscc == "91140000731914164T" and float(coal.registered_capital) == 5000
    page = client.get(f"/imports/batch/{batch_id}").get_data(as_text=True)
    client.post(f"/imports/batch/{batch_id}/revert", data={"csrf_token": csrf_token(page)})
    coal = companies(db, [GOOD[0][0]])[GOOD[0][0]]
    assert coal.uscc is None and float(coal.registered_capital) == 100 and not coal.specialized


def test_mapping_presets(client, db, officer):
    header = ("公司全称", "信用代码")
    batch_id = batch_id_of(upload(client, "p.csv", csv_bytes([("预设测试有限公司", "")], header=header)))
    page = client.get(f"/imports/batch/{batch_id}/mapping").get_data(as_text=True)
    assert "企查查/天眼查导出" in page  # the built-in preset is offered
    response = map_and_stage(client, batch_id, {"col-0": "name", "col-1": "uscc", "save_as": "我的表格"})
    assert response.status_code == 302
    preset = db.session.scalar(select(ImportPreset).where(ImportPreset.name == "我的表格"))
    assert preset.mapping == {"公司全称": "name", "信用代码": "uscc"}
    second = batch_id_of(upload(client, "p2.csv", csv_bytes([("另一家有限公司", "")], header=header)))
    assert db.session.get(ImportBatch, second).mapping == {"0": "name", "1": "uscc"}


def test_other_users_batches_are_404(client, db, officer, make_user, login):
    batch_id = batch_id_of(upload(client, "a.csv", csv_bytes(GOOD)))
    login(make_user(("officer",)))
    assert client.get(f"/imports/batch/{batch_id}").status_code == 404
