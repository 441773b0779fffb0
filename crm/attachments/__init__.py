"""Attachments: files owned by any record (a signing's 合同 scan; later a project's evidence)."""
