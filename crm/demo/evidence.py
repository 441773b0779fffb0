"""Evidence for the generated demo's reviewed stage moves: a one-page PDF per move, attached to the project.

The stage rules (:mod:`crm.projects.stages`) let a move to 签约 or 开工 wait for 认定 only with evidence —
attachments of the project named on the move — so every generated move with a review status gets its
file: 开工报告 for a start, 投资合同 for a converted project's signing. Files get names derived from the
project code (a reload finds the demo loaded and writes none; a rolled-back load leaves files that the
next load overwrites), and the rows go in as one audited batch.
"""
from __future__ import annotations

import hashlib

from sqlalchemy.orm import Session

from crm.attachments.services import storage_root
from crm.demo.bulk import bulk_insert
from crm.models import Attachment

TITLES = {"started": ("开工报告.pdf", "Start of works report"), "signed": ("投资合同.pdf", "Investment contract")}


def pdf(lines: list[str]) -> bytes:
    """A valid one-page PDF showing ``lines`` (ASCII) in Helvetica."""
    text = " ".join(f"({line.replace('(', '').replace(')', '')}) Tj 0 -20 Td" for line in lines)
    stream = f"BT /F1 14 Tf 72 770 Td {text} ET".encode("ascii")
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def attach_evidence(session: Session, changes: list[dict], codes: dict[int, str], year: int, batch: str) -> None:
    """Give every change with a review status a PDF of its own, named on the change (``evidence``)."""
    reviewed = [c for c in changes if c.get("review_status")]
    root = storage_root()
    rows = []
    for change in reviewed:
        filename, title = TITLES[change["to_stage"]]
        code = codes[change["project_id"]]
        content = pdf([title, f"Project code {code}", f"Effective on {change['effective_on'].isoformat()}",
                       "ChainCRM demo data"])
        relative = f"demo/{year}/{code}-{change['to_stage']}.pdf"
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        rows.append({"entity_type": "project", "entity_id": change["project_id"], "filename": filename,
                     "stored_name": relative, "size": len(content), "sha256": hashlib.sha256(content).hexdigest(),
                     "content_type": "application/pdf", "uploaded_by": change["user_id"],
                     "uploaded_at": change["at"]})
    for change, attachment_id in zip(reviewed, bulk_insert(session, Attachment, rows, batch)):
        change["evidence"] = [attachment_id]
