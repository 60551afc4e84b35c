"""CSV and XLSX exports of a list's current view.

An export reads through the list's selector page after page (keyset, in the user's scope),
so it streams at constant memory; it stops at `export_limit()` rows and says so in its last
row. Every export writes one audit event with the filters and the number of rows. Text
that a spreadsheet would take for a formula is escaped.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import AsyncIterator, Iterator
from typing import Any

import xlsxwriter
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from perpetuum.core.audit import audit, jsonable
from perpetuum.core.context import request_id_var
from perpetuum.core.filters import ListFilters

FORMATS = ("csv", "xlsx")
BATCH_SIZE = 1000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def export_limit() -> int:
    """The most rows one export writes (`PERPETUUM_EXPORT_LIMIT`)."""
    return int(getattr(settings, "PERPETUUM_EXPORT_LIMIT", 100_000))


def escape_cell(value: Any) -> str:
    """The cell's text, with a leading apostrophe where a spreadsheet would otherwise run
    it as a formula (`=`, `+`, `-`, `@`, tab, carriage return)."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class ExportRun:
    """One export: the rows of the view, up to the limit, then the audit event."""

    def __init__(
        self,
        request: HttpRequest,
        *,
        spec: Any,
        filters: ListFilters,
        sort: str,
        file_format: str,
        query: str,
    ) -> None:
        self.user = request.user
        self.request_id = getattr(request, "request_id", "")
        self.spec = spec
        self.filters = filters
        self.sort = sort
        self.file_format = file_format
        self.query = query
        self.count = 0
        self.truncated = False
        self.limit = export_limit()

    def header(self) -> list[str]:
        return [escape_cell(column.label) for column in self.spec.export_columns]

    def rows(self) -> Iterator[list[list[str]]]:
        """Batches of escaped rows, until the view or the limit ends."""
        cursor = None
        while True:
            remaining = self.limit - self.count
            page = self.spec.list_selector(
                self.user,
                self.filters,
                sort=self.sort,
                cursor=cursor,
                limit=min(BATCH_SIZE, remaining),
            )
            batch = [
                [escape_cell(column.value(record)) for column in self.spec.export_columns]
                for record in page.items
            ]
            self.count += len(batch)
            if batch:
                yield batch
            cursor = page.next_cursor
            if cursor is None:
                return
            if self.count >= self.limit:
                self.truncated = True
                return

    def limit_message(self) -> str:
        return _("The export stopped at %(limit)s rows. Narrow the filters to export the rest.") % {
            "limit": number_format(self.limit, force_grouping=True)
        }

    def record(self) -> None:
        """The audit event of this export (written when the last row went out)."""
        token = request_id_var.set(self.request_id) if self.request_id else None
        try:
            audit(
                actor=self.user,
                action="export",
                object_type_label=self.spec.object_type,
                object_repr=f"{self.spec.name}.{self.file_format}",
                changes={
                    "format": self.file_format,
                    "filters": self.query,
                    "criteria": jsonable(_criteria(self.filters)),
                    "sort": self.sort,
                    "rows": self.count,
                    "truncated": self.truncated,
                },
            )
        finally:
            if token is not None:
                request_id_var.reset(token)


def _criteria(filters: ListFilters) -> dict[str, Any]:
    values = {
        key: value
        for key, value in vars(filters).items()
        if value not in (None, "", {}, []) and key != "extra"
    }
    values.update({key: value for key, value in filters.extra.items() if value is not None})
    return values


def _file_name(run: ExportRun) -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return f"{run.spec.name}-{stamp}.{run.file_format}"


def _csv_chunks(run: ExportRun) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # A byte-order mark, so that spreadsheet programs read the file as UTF-8.
    buffer.write("\ufeff")
    writer.writerow(run.header())
    try:
        for batch in run.rows():
            writer.writerows(batch)
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
        if run.truncated:
            writer.writerow([run.limit_message()])
        yield buffer.getvalue().encode()
    finally:
        run.record()


async def _async_chunks(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """Serve a synchronous generator chunk by chunk under ASGI (the database is sync)."""
    done = object()
    while True:
        chunk = await sync_to_async(next, thread_sensitive=True)(chunks, done)
        if chunk is done:
            return
        yield chunk


def _xlsx_file(run: ExportRun) -> Any:
    """The workbook, written row by row to a temporary file (constant memory)."""
    # Not a context manager: FileResponse streams the file and closes it when done.
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    workbook = xlsxwriter.Workbook(
        handle, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = workbook.add_worksheet(str(run.spec.title)[:31])
    bold = workbook.add_format({"bold": True})
    sheet.write_row(0, 0, run.header(), bold)
    row_number = 1
    try:
        for batch in run.rows():
            for row in batch:
                for column, value in enumerate(row):
                    sheet.write_string(row_number, column, value)
                row_number += 1
        if run.truncated:
            sheet.write_string(row_number, 0, run.limit_message(), bold)
    finally:
        run.record()
    workbook.close()
    handle.seek(0)
    return handle


def export_response(
    request: HttpRequest,
    *,
    spec: Any,
    filters: ListFilters,
    sort: str,
    file_format: str,
    query: str,
) -> Any:
    """The download of the list's current view in `file_format` ("csv" or "xlsx")."""
    run = ExportRun(
        request, spec=spec, filters=filters, sort=sort, file_format=file_format, query=query
    )
    name = _file_name(run)
    if file_format == "xlsx":
        return FileResponse(
            _xlsx_file(run),
            as_attachment=True,
            filename=name,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    chunks = _csv_chunks(run)
    content: Any = _async_chunks(chunks) if isinstance(request, ASGIRequest) else chunks
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
