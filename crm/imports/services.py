"""Import rules: upload and read, map, stage (the dry run), apply all-or-nothing, revert.

Services flush and never commit. :func:`stage` is a generator that yields
after each chunk so its caller (a view or a job) commits staged rows chunk by
chunk; :func:`apply` does all its writing in the caller's one transaction,
so a worker killed half-way leaves nothing applied.
"""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any
from pathlib import Path, PurePath

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.core.errors import DomainError
from crm.files.normalise import ValueProblem, normalise_cell
from crm.files.readers import ReadError, Table, read_table
from crm.imports.registry import IMPORT_KINDS, ImportKind, auto_map
from crm.jobs.service import files_root
from crm.models import ImportBatch, ImportPreset, ImportRow
from crm.models.base import utcnow

CHUNK = 1000


def kind_of(batch: ImportBatch) -> ImportKind:
    return IMPORT_KINDS[batch.kind]


def _read(batch: ImportBatch) -> Table:
    path = files_root() / batch.stored_path
    return read_table(batch.filename, path.read_bytes())


#: The reserved key of ``ImportBatch.mapping`` holding the batch's options (what the upload form said
#: besides the file, what the kind recognised in it, the apply form's choices); the other keys are
#: column positions.
OPTIONS = "options"


def options(batch: ImportBatch) -> dict[str, Any]:
    return dict((batch.mapping or {}).get(OPTIONS) or {})


def columns_of(batch: ImportBatch) -> dict[int, str]:
    """The mapping's column positions → field keys."""
    return {int(i): k for i, k in (batch.mapping or {}).items() if i.isdigit()}


def _store(batch: ImportBatch, mapping: dict[str, str], opts: dict[str, Any] | None) -> None:
    # A new dict each time: the JSON column does not notice changes made in place.
    batch.mapping = {**mapping, **({OPTIONS: opts} if opts else {})}


def set_options(session: Session, batch: ImportBatch, **values) -> None:
    _store(batch, {str(i): k for i, k in columns_of(batch).items()}, {**options(batch), **values})
    session.flush()


def create_batch(session: Session, actor, kind_key: str, filename: str, data: bytes,
                 opts: dict[str, Any] | None = None) -> ImportBatch:
    """Read the upload (refusing broken files with the reason), keep it, and guess the mapping.

    ``opts`` are the upload form's own inputs (:meth:`ImportKind.read_upload`); a kind that recognises
    its files looks at the whole table first and may refuse it or add to the options."""
    kind = IMPORT_KINDS[kind_key]
    filename = PurePath(filename or "upload").name[:200]
    recognises = type(kind).recognise is not ImportKind.recognise
    try:
        table = read_table(filename, data, count_only=not recognises)
    except ReadError as exc:
        raise DomainError(_l("The file cannot be read: %(why)s", why=str(exc)), "file") from None
    opts = dict(opts or {})
    if recognises:  # first: "this is another ledger" says more than "no data rows"
        found = kind.recognise(session, actor, table, data, opts)
        if found is not None:
            opts.update(found.options)
    if not table.rows:
        raise DomainError(_l("The file has a header row but no data rows."), "file")
    if table.keys:
        opts["keys"] = table.keys
    key = str(uuid.uuid4())
    stored = Path("uploads") / f"{key}{PurePath(filename).suffix.lower()}"
    (files_root() / "uploads").mkdir(parents=True, exist_ok=True)
    (files_root() / stored).write_bytes(data)
    batch = ImportBatch(kind=kind.key, batch_key=key, filename=filename, stored_path=str(stored),
                        encoding=table.encoding, headers=table.headers, total_rows=len(table),
                        user_id=actor.id, status="uploaded")
    _store(batch, auto_map(table.headers, kind.fields, _builtin_preset(session, kind.key, table.headers),
                           table.keys), opts)
    session.add(batch)
    session.flush()
    return batch


def _builtin_preset(session: Session, kind: str, headers: list[str]) -> dict | None:
    """The preset covering most of the file's headers, if it covers any."""
    best, best_hits = None, 0
    for _name, mapping in presets(session, kind).items():
        hits = sum(1 for h in headers if h in mapping)
        if hits > best_hits:
            best, best_hits = mapping, hits
    return best


def presets(session: Session, kind: str) -> dict[str, dict[str, str]]:
    """Built-in presets of the kind, then saved ones: name → {header text: field key}."""
    found = dict(IMPORT_KINDS[kind].presets)
    for preset in session.scalars(select(ImportPreset).where(ImportPreset.kind == kind).order_by(ImportPreset.name)):
        found.setdefault(preset.name, preset.mapping)
    return found


def apply_preset(session: Session, batch: ImportBatch, name: str) -> None:
    mapping = presets(session, batch.kind).get(name)
    if mapping is None:
        raise DomainError(_l("Unknown preset."))
    _store(batch, auto_map(batch.headers, kind_of(batch).fields, mapping, options(batch).get("keys")), options(batch))
    session.flush()


def set_mapping(session: Session, actor, batch: ImportBatch, mapping: dict[str, str],
                save_as: str | None = None) -> None:
    """Check and store the header → field mapping; optionally save it as a named preset."""
    kind = kind_of(batch)
    fields = {f.key: f for f in kind.fields}
    clean: dict[str, str] = {}
    for index, key in mapping.items():
        if not key:
            continue
        if key not in fields or not index.isdigit() or int(index) >= len(batch.headers):
            raise DomainError(_l("Unknown column or field in the mapping."))
        if key in clean.values():
            raise DomainError(_l("The field %(f)s is chosen for two columns.", f=fields[key].label))
        clean[index] = key
    missing = [str(f.label) for f in kind.fields if f.required and f.key not in clean.values()]
    if missing:
        raise DomainError(_l("Choose a column for: %(f)s", f="、".join(missing)))
    _store(batch, clean, options(batch))
    if batch.status in ("staged", "failed"):
        batch.status = "uploaded"
    if save_as and save_as.strip():
        name = save_as.strip()[:80]
        by_header = {batch.headers[int(i)]: k for i, k in clean.items()}
        preset = session.scalar(select(ImportPreset).where(ImportPreset.kind == kind.key, ImportPreset.name == name))
        if preset is None and name not in kind.presets:
            session.add(ImportPreset(kind=kind.key, name=name, mapping=by_header, user_id=actor.id))
        elif preset.builtin or name in kind.presets:
            raise DomainError(_l("A built-in preset cannot be overwritten; choose another name."), "save_as")
        else:
            preset.mapping = by_header
    session.flush()


def ready_to_stage(batch: ImportBatch) -> bool:
    """Every required field has a column (a file mapped by its key row needs no mapping page)."""
    mapped = set(columns_of(batch).values())
    return all(f.key in mapped for f in kind_of(batch).fields if f.required)


def _column_letter(index: int) -> str:
    """Excel's name of a 0-based column: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class _Normaliser:
    """Runs the typed cells of each mapped row through crm.files.normalise; collects errors and notes."""

    def __init__(self, kind: ImportKind, table: Table, columns: dict[int, str]):
        fields = {f.key: f for f in kind.fields}
        self.labels = {f.key: str(f.label) for f in kind.fields}
        self.typed = [(i, key, fields[key].kind, table.unit_of(i), table.headers[i])
                      for i, key in sorted(columns.items()) if fields[key].kind != "text"]
        self.month_rows: dict[str, list[int]] = {}

    def __call__(self, row_no: int, mapped: dict[str, str]) -> list[dict]:
        errors = []
        for index, key, kind, unit, header in self.typed:
            text = mapped.get(key)
            if not text:
                continue
            try:
                value, note = normalise_cell(kind, text, unit)
            except ValueProblem as exc:
                mapped.pop(key)
                errors.append({"field": key, "message": f"{header} {_column_letter(index)}{row_no}: {exc}"})
                continue
            mapped[key] = value or ""
            if note == "month":
                self.month_rows.setdefault(key, []).append(row_no)
        return errors

    def notes(self, table: Table) -> list[str]:
        """What the batch report says about values read with a unit or stored with widened precision."""
        lines = []
        for _index, key, kind, unit, header in self.typed:
            if kind.startswith("money") and unit and unit != "万元":
                lines.append(str(_l("%(column)s: amounts read in %(unit)s and stored in 万元.", column=header,
                                    unit=unit)))
        for key, rows in self.month_rows.items():
            shown = "、".join(str(n) for n in rows[:20]) + ("…" if len(rows) > 20 else "")
            lines.append(str(_l("%(field)s: %(n)s values give only the month (rows %(rows)s); the 1st of that "
                                "month is stored.", field=self.labels[key], n=len(rows), rows=shown)))
        return lines


def _skip_message(reason: str, label: str) -> str:
    if reason == "total":
        return str(_l("Skipped: a %(label)s row (totals and breakdowns are not imported).", label=label))
    return str(_l("Skipped: a blank row inside the table."))


def stage(session: Session, batch: ImportBatch, chunk: int = CHUNK) -> Iterator[int]:
    """Dry run: check every row and record what applying it would do. Yields rows done.

    Typed cells (amounts, dates) are normalised here for every import kind; a cell that cannot be
    read makes its row an error naming the cell. Total and blank rows are staged as ``skip`` rows.
    """
    if batch.status not in ("uploaded", "staging", "staged", "failed"):
        raise DomainError(_l("This import was already applied."))
    kind = kind_of(batch)
    table = _read(batch)
    session.execute(delete(ImportRow).where(ImportRow.batch_id == batch.id))
    batch.status, batch.creates, batch.updates, batch.errors = "staging", 0, 0, 0
    session.flush()
    columns = columns_of(batch)
    normaliser = _Normaliser(kind, table, columns)
    seen: dict = {}
    done = 0
    for start in range(0, len(table.rows), chunk):
        part = table.rows[start:start + chunk]
        mapped = [{key: cells[i] for i, key in columns.items() if i < len(cells)} for _n, cells in part]
        cell_errors = [normaliser(row_no, m) for (row_no, _c), m in zip(part, mapped)]
        prepared = kind.prepare_rows(session, batch, mapped)
        values = []
        for (row_no, _cells), p, errors in zip(part, prepared, cell_errors):
            if errors:
                p.action, p.errors = "error", errors + p.errors
            if p.action != "error" and p.key is not None:
                if p.key in seen:
                    p.action = "error"
                    message = kind.same_key_message % {"n": seen[p.key]} if kind.same_key_message else \
                        _l("Same company as row %(n)s.", n=seen[p.key])
                    p.errors.append({"field": None, "message": str(message)})
                else:
                    seen[p.key] = row_no
            values.append({"batch_id": batch.id, "row_no": row_no, "data": p.data, "action": p.action,
                           "errors": p.errors or None, "target_id": p.target_id})
            batch.creates += p.action == "create"
            batch.updates += p.action == "update"
            batch.errors += p.action == "error"
        session.connection().execute(insert(ImportRow.__table__), values)
        done += len(part)
        yield done
    if table.skipped:
        session.connection().execute(insert(ImportRow.__table__), [
            {"batch_id": batch.id, "row_no": row_no, "data": {}, "action": "skip", "target_id": None,
             "errors": [{"field": None, "message": _skip_message(reason, label)}]}
            for row_no, reason, label in table.skipped])
    batch.message = "\n".join(normaliser.notes(table)) or None
    batch.status, batch.staged_at, batch.total_rows = "staged", utcnow(), len(table.rows)
    session.flush()


def apply(session: Session, actor, batch: ImportBatch) -> dict:
    """Write the staged rows, all in the caller's transaction."""
    if batch.status != "staged":
        raise DomainError(_l("Only a checked (dry-run) import can be applied."))
    if batch.errors and not batch.valid_only:
        raise DomainError(_l("%(n)s rows have errors. Fix the file, or choose to import the valid rows only.",
                             n=batch.errors))
    if not batch.creates + batch.updates:
        raise DomainError(_l("There is nothing to import."))
    result = kind_of(batch).apply(session, actor, batch)
    batch.status, batch.applied_at = "applied", utcnow()
    audit.record_event(session, actor, "bulk_create", batch.kind, None, batch_id=batch.batch_key,
                       new=f"import {batch.id}: {result.get('created', 0)} created, {result.get('updated', 0)} updated")
    session.flush()
    return result


def revert(session: Session, actor, batch: ImportBatch, *, force: bool = False) -> dict:
    if batch.status != "applied":
        raise DomainError(_l("Only an applied import can be reverted."))
    if force and "admin" not in actor.roles:
        raise DomainError(_l("Only a system admin can force a revert."))
    result = kind_of(batch).revert(session, actor, batch, force=force)
    batch.status, batch.reverted_at = "reverted", utcnow()
    audit.record_event(session, actor, "delete", batch.kind, None, batch_id=batch.batch_key,
                       new=f"revert of import {batch.id}: {result}")
    session.flush()
    return result


def error_rows(session: Session, batch: ImportBatch, actions: tuple[str, ...] = ("error",)):
    return session.execute(select(ImportRow.row_no, ImportRow.errors, ImportRow.data)
                           .where(ImportRow.batch_id == batch.id, ImportRow.action.in_(actions))
                           .order_by(ImportRow.row_no))


def sample_rows(session: Session, batch: ImportBatch, action: str, limit: int = 50):
    return session.execute(select(ImportRow.row_no, ImportRow.data, ImportRow.errors)
                           .where(ImportRow.batch_id == batch.id, ImportRow.action == action)
                           .order_by(ImportRow.row_no).limit(limit)).all()


def count_rows(session: Session, batch: ImportBatch, action: str) -> int:
    return session.scalar(select(func.count()).select_from(ImportRow).where(
        ImportRow.batch_id == batch.id, ImportRow.action == action)) or 0
