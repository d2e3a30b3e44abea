"""Excel and CSV in: one streamed, validated, all-or-nothing import pipeline for every module.

    from gonghui.core.imports import Column, Importer, run_import

An app lists its importers in `<app>/importers.py` as `IMPORTERS = {"members": MemberImporter}`; the
kind "orgs.members" names it for jobs, pages and the registry (`get_importer`).
"""

from __future__ import annotations

from importlib import import_module

from .pipeline import (
    ERROR_HEADERS,
    Importer,
    ImportOutcome,
    RowError,
    RowRejected,
    iter_batches,
    run_import,
    write_error_workbook,
    write_template_workbook,
)
from .reader import Column, ImportFileError, SheetRow, TableReader, cell_date, cell_text, column_letter

__all__ = [
    "ERROR_HEADERS",
    "Column",
    "ImportFileError",
    "ImportOutcome",
    "Importer",
    "RowError",
    "RowRejected",
    "SheetRow",
    "TableReader",
    "cell_date",
    "cell_text",
    "column_letter",
    "get_exporter",
    "get_importer",
    "iter_batches",
    "run_import",
    "write_error_workbook",
    "write_template_workbook",
]


def _registry(kind: str, attr: str):
    app, _, name = kind.partition(".")
    if not app or not name or not app.isidentifier():
        raise LookupError(kind)
    try:
        module = import_module(f"gonghui.{app}.importers")
    except ModuleNotFoundError:
        raise LookupError(kind)
    try:
        return getattr(module, attr)[name]
    except (AttributeError, KeyError):
        raise LookupError(kind)


def get_importer(kind: str) -> type[Importer]:
    """The importer class of a kind such as "orgs.members" (LookupError when there is none)."""
    return _registry(kind, "IMPORTERS")


def get_exporter(kind: str):
    """The exporter of a kind such as "orgs.members": see `gonghui.core.jobs.Exporter`."""
    return _registry(kind, "EXPORTERS")
