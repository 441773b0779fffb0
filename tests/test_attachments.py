"""Attachments: a signing's 合同 scan uploaded, stored under the instance folder and read back;
refusals (too large, wrong type, empty); downloads and deletes checked against the owner's scope;
the audit trail."""
from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from sqlalchemy import select

from crm.attachments import services
from crm.core.errors import DomainError
from crm.leads import services as lead_services
from crm.models import Attachment, AuditRecord
from crm.settings import set_value
from tests.conftest import csrf_token
from tests.test_leads_services import new_lead, world  # noqa: F401 - the shared fixture

PDF = b"%PDF-1.4\n" + "合同扫描件".encode() * 200


@pytest.fixture
def signing(db, world):  # noqa: F811
    lead = new_lead(db, world)
    row = lead_services.record_signing(db.session, world["users"]["a"], lead, kind="contract",
                                       signed_on=dt.date(2026, 3, 5), amount="8000")
    db.session.commit()
    return row


def upload(client, signing, data: bytes, name: str):
    token = csrf_token(client.get(f"/leads/{signing.lead_id}").get_data(as_text=True))
    return client.post(f"/attachments/signing/{signing.id}", content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (io.BytesIO(data), name)}, follow_redirects=True)


def test_store_writes_the_file_and_records_it(app, db, world, signing):  # noqa: F811
    row = services.store(db.session, world["users"]["a"], "signing", signing.id, "../../etc/合同 扫描.PDF",
                         io.BytesIO(PDF))
    db.session.commit()
    assert row.filename == "合同 扫描.PDF" and row.size == len(PDF)
    assert row.sha256 == hashlib.sha256(PDF).hexdigest() and row.content_type == "application/pdf"
    path = services.path_of(row)
    assert path.read_bytes() == PDF
    assert str(path).startswith(app.instance_path) and ".." not in row.stored_name
    assert db.session.scalar(select(AuditRecord.id).where(AuditRecord.entity_type == "attachment",
                                                          AuditRecord.entity_id == row.id,
                                                          AuditRecord.action == "create"))
    assert db.session.scalar(select(AuditRecord.new).where(AuditRecord.entity_type == "signing",
                                                           AuditRecord.entity_id == signing.id,
                                                           AuditRecord.field == "attachment")) == "合同 扫描.PDF"


@pytest.mark.parametrize("name, data", [("合同.exe", PDF), ("合同", PDF), ("", PDF), ("合同.pdf", b"")])
def test_store_refuses_bad_files(db, world, signing, name, data):  # noqa: F811
    with pytest.raises(DomainError) as err:
        services.store(db.session, world["users"]["a"], "signing", signing.id, name, io.BytesIO(data))
    assert err.value.field == "file"
    assert db.session.scalar(select(Attachment.id)) is None


def test_size_limit_is_a_setting(db, world, signing):  # noqa: F811
    set_value(db.session, world["users"]["admin"], "attachment_max_mb", 1)
    services.store(db.session, world["users"]["a"], "signing", signing.id, "a.png", io.BytesIO(b"x" * (1 << 20)))
    with pytest.raises(DomainError) as err:
        services.store(db.session, world["users"]["a"], "signing", signing.id, "b.png",
                       io.BytesIO(b"x" * ((1 << 20) + 1)))
    assert "1 MB" in str(err.value.message)
    assert not list(services.storage_root().rglob("*.part"))


def test_upload_download_and_delete_through_the_lead_page(client, db, world, signing, login):  # noqa: F811
    login(world["users"]["a"])
    html = upload(client, signing, PDF, "正式合同.pdf").get_data(as_text=True)
    row = db.session.scalar(select(Attachment).where(Attachment.entity_id == signing.id))
    assert row is not None and "正式合同.pdf" in html
    response = client.get(f"/attachments/{row.id}")
    assert response.status_code == 200 and response.data == PDF
    assert response.mimetype == "application/pdf" and "attachment" in response.headers["Content-Disposition"]
    html = upload(client, signing, PDF, "病毒.exe").get_data(as_text=True)
    assert "exe" in html and db.session.scalar(select(Attachment.id).where(Attachment.filename == "病毒.exe")) is None
    path = services.path_of(row)
    token = csrf_token(client.get(f"/leads/{signing.lead_id}").get_data(as_text=True))
    assert client.post(f"/attachments/{row.id}/delete", data={"csrf_token": token}).status_code == 302
    assert db.session.scalar(select(Attachment.id).where(Attachment.id == row.id)) is None and not path.exists()


def test_too_large_upload_is_refused_with_a_message(client, db, world, signing, login):  # noqa: F811
    set_value(db.session, world["users"]["admin"], "attachment_max_mb", 1)
    db.session.commit()
    login(world["users"]["a"])
    html = upload(client, signing, b"x" * ((1 << 20) + 10), "scan.jpg").get_data(as_text=True)
    assert "1 MB" in html
    assert db.session.scalar(select(Attachment.id)) is None


def test_other_units_cannot_download_upload_or_delete(client, db, world, signing, login):  # noqa: F811
    row = services.store(db.session, world["users"]["a"], "signing", signing.id, "合同.pdf", io.BytesIO(PDF))
    db.session.commit()
    login(world["users"]["b"])
    assert client.get(f"/attachments/{row.id}").status_code == 404
    token = csrf_token(client.get("/trips/new").get_data(as_text=True))
    response = client.post(f"/attachments/signing/{signing.id}", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(PDF), "x.pdf")})
    assert response.status_code == 404
    assert client.post(f"/attachments/{row.id}/delete", data={"csrf_token": token}).status_code == 404
    assert client.get("/attachments/nowhere/1").status_code in (404, 405)
    login(world["users"]["leader"])  # sees everything, may read
    assert client.get(f"/attachments/{row.id}").status_code == 200


def test_only_uploader_or_manager_deletes(db, world, signing, make_user):  # noqa: F811
    row = services.store(db.session, world["users"]["a"], "signing", signing.id, "合同.pdf", io.BytesIO(PDF))
    colleague = make_user(("officer",), unit=world["units"]["a"])
    with pytest.raises(DomainError):
        services.delete(db.session, colleague, row)
    stored = services.delete(db.session, world["users"]["a_mgr"], row)
    assert stored == row.stored_name
    assert db.session.scalar(select(AuditRecord.old).where(AuditRecord.entity_type == "attachment",
                                                           AuditRecord.action == "delete")) == "合同.pdf"
