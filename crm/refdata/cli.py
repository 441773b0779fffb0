"""``flask refdata …``: command-line access to the reference data.

Scope: ``flask refdata load`` fills or refreshes the division, cluster and
industry tables from the shipped files. The command is the transaction owner:
the loader only flushes, the command commits once, so an error leaves nothing
half-loaded. :func:`register_cli` is called by the application factory.
"""
from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from crm.extensions import db
from crm.refdata.loader import load_reference_data

__all__ = ["refdata_cli", "register_cli"]

refdata_cli = AppGroup("refdata", help="Reference data / 参考数据: divisions, clusters, GB/T 4754-2017.")


@refdata_cli.command("load")
def load_command() -> None:
    """Load or refresh the reference data (idempotent) / 导入或更新参考数据。"""
    # AppGroup commands run inside the app context, so db.session is bound here.
    try:
        counts = load_reference_data(db.session)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    click.echo(
        f"行政区划 divisions {counts['divisions']}, 行业 industries {counts['industries']}, "
        f"城市群成员 cluster members {counts['cluster_members']} "
        f"(新增 inserted {counts['inserted']}, 更新 updated {counts['updated']}, "
        f"删除 deleted {counts['deleted']})"
    )


def register_cli(app: Flask) -> None:
    """Add the ``refdata`` command group to ``app``."""
    app.cli.add_command(refdata_cli)
