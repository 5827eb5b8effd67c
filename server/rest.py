"""Plain HTTP endpoints beside GraphQL: streaming uploads and the CSV export of logs."""

import io
from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import aclosing

from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse

from app.domain.errors import AppError, BadUserInput
from app.domain.models import ActionLog, LogStatus
from app.domain.principal import Principal, Scope
from app.domain.spreadsheet_cells import SpreadsheetWriter
from app.infra.files import uploads
from app.infra.files.csv_records import BOM
from app.infra.files.encodings import FileEncoding, encoding_named
from app.infra.outages import as_outage, ridden_out
from app.infra.settings import get_settings
from app.usecases.input_cells import InputCells
from app.usecases.reading import exports, logs, queries
from app.usecases.reading.logs import LOG_CSV_COLUMNS
from graphql_schema.context import authenticate

STATUS_CODES = {
    "UNAUTHENTICATED": 401,
    "FORBIDDEN": 403,
    "NOT_FOUND": 404,
    "REQUEST_TIMEOUT": 408,
    "CONFLICT": 409,
    "PAYLOAD_TOO_LARGE": 413,
    "BAD_USER_INPUT": 400,
    "RATE_LIMITED": 429,
    "SERVICE_UNAVAILABLE": 503,
}


def error_response(error: AppError) -> JSONResponse:
    headers = {}
    if (retry_after := error.extensions.get("retryAfter")) is not None:
        headers["Retry-After"] = str(retry_after)
    return JSONResponse(
        {"error": {"message": error.message, **error.extensions}},
        status_code=STATUS_CODES.get(error.code, 500),
        headers=headers,
    )


def known_error(error: Exception) -> AppError | None:
    """The error as the client is told it: the platform's own, or a service outage."""
    return error if isinstance(error, AppError) else as_outage(error)


# The scope each endpoint needs (a test fails on a route without one).
NEEDED = {"create_upload": Scope.WRITE, "export_logs": Scope.READ, "export_file": Scope.READ}


async def caller(request: Request, scope: Scope) -> Principal:
    """The request's caller, if it holds `scope` (UNAUTHENTICATED, FORBIDDEN otherwise)."""
    principal = await authenticate(request.headers.get("authorization"), request)
    principal.require(scope)
    return principal


async def form_file_chunks(request: Request) -> tuple[str, str | None, AsyncIterator[bytes]]:
    """A multipart upload's file name, `encoding` field (if any) and bytes."""
    form = await request.form(max_files=1, max_fields=10)
    upload = form.get("file")
    if upload is None or isinstance(upload, str):
        raise BadUserInput("A multipart upload needs a `file` part.")
    encoding = form.get("encoding")
    return (
        upload.filename or "upload.csv",
        encoding if isinstance(encoding, str) else None,
        uploads.pieces_of(upload),
    )


async def create_upload(request: Request) -> Response:
    """POST /uploads: the raw body, or a multipart `file` part; answers {"uploadId": …}. The
    file's text encoding, when not UTF-8, is named by `?encoding=` (or a multipart field)."""
    try:
        principal = await caller(request, NEEDED["create_upload"])
        encoding = request.query_params.get("encoding")
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            filename, named, body = await form_file_chunks(request)
            encoding = encoding or named
        else:
            filename, body = request.query_params.get("filename", "upload.csv"), request.stream()
        stored = await uploads.store(
            principal.account_id,
            filename,
            body,
            encoding_named(encoding) if encoding else FileEncoding.UTF_8,
        )
    except Exception as error:
        if (known := known_error(error)) is None:
            raise
        return error_response(known)
    return JSONResponse(
        {"uploadId": stored.id, "bytes": stored.bytes, "rows": stored.rows}, status_code=201
    )


# A served CSV starts with UTF-8's byte order mark for `?bom=true`, without which Excel
# reads a file as the computer's older code page ("JosÃ©" for "José").
BOOLEANS = {"true": True, "1": True, "false": False, "0": False}
# `?decimalMark=comma`: the file as Excel saves and opens CSV where the comma is the decimal
# mark (values separated by ';', numbers with a decimal comma), which the importer reads back.
DECIMAL_MARKS = {"point": False, "comma": True}


def asked(request: Request, name: str, choices: dict[str, bool], said: str) -> bool:
    """What the query parameter `name` asks, in any case (False when it is not given);
    BAD_USER_INPUT saying what it takes (`said`) for another value."""
    given = request.query_params.get(name)
    if given is None:
        return False
    if (choice := choices.get(given.strip().lower())) is None:
        raise BadUserInput(f"`{name}` must be {said}.")
    return choice


def file_options(request: Request) -> tuple[bool, bool]:
    """A served CSV's options: its byte order mark (`bom`), and a decimal comma
    (`decimalMark`)."""
    return (
        asked(request, "bom", BOOLEANS, "true or false"),
        asked(request, "decimalMark", DECIMAL_MARKS, "POINT or COMMA"),
    )


async def export_logs(request: Request) -> Response:
    """GET /bulk-actions/{id}/logs.csv?status=FAILED: the logs as CSV, streamed (`bom=true`:
    UTF-8's byte order mark first, for Excel)."""
    try:
        principal = await caller(request, NEEDED["export_logs"])
        bom, decimal_comma = file_options(request)
        wanted = request.query_params.get("status")
        status = None
        if wanted:
            if wanted.upper() not in LogStatus.__members__:
                raise BadUserInput(f"`status` must be one of {', '.join(LogStatus)}.")
            status = LogStatus(wanted.upper())
        action_id = request.path_params["action_id"]
        action = await queries.get_action(principal, action_id)
        # The failed rows come with their input, so the file can be corrected and retried.
        with_input = status is LogStatus.FAILED
        columns = await InputCells.columns_of(action) if with_input else []
    except Exception as error:
        if (known := known_error(error)) is None:
            raise
        return error_response(known)

    def logged(after: int) -> AsyncGenerator[tuple[ActionLog, list[str]], None]:
        return logs.logs_with_input(principal, action, status, with_input, after)

    async def lines() -> AsyncIterator[str]:
        buffer = io.StringIO(BOM.decode() if bom else "")
        buffer.seek(0, io.SEEK_END)
        writer = SpreadsheetWriter(buffer, delimiter=";" if decimal_comma else ",")
        writer.writerow([*LOG_CSV_COLUMNS, *columns])
        # A database restart meanwhile costs the download only time: it goes on after the
        # last row it wrote.
        patience = get_settings().download_outage_patience_seconds
        async with aclosing(ridden_out(logged, lambda item: item[0].row, patience)) as rows:
            async for log, cells in rows:
                writer.writerow(
                    [
                        log.row,
                        log.entity_id or "",
                        log.status,
                        log.reason,
                        log.message or "",
                        log.at.isoformat(),
                        *cells,
                    ]
                )
                if buffer.tell() > 64 * 1024:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
        yield buffer.getvalue()

    filename = f"bulk-action-{action_id}-logs.csv"
    return StreamingResponse(
        lines(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


async def export_file(request: Request) -> Response:
    """GET /bulk-actions/{id}/export.csv: an ended EXPORT's file, streamed (`bom=true`: UTF-8's
    byte order mark first, for Excel)."""
    try:
        principal = await caller(request, NEEDED["export_file"])
        bom, decimal_comma = file_options(request)
        action_id = request.path_params["action_id"]
        action = await exports.finished_export(principal, action_id)
    except Exception as error:
        if (known := known_error(error)) is None:
            raise
        return error_response(known)
    filename = f"bulk-action-{action_id}-export.csv"

    def file_after(offset: int) -> AsyncGenerator[tuple[int, bytes], None]:
        return exports.export_file_after(action, decimal_comma, offset)

    async def pieces() -> AsyncIterator[bytes]:
        if bom:
            yield BOM
        # A database restart meanwhile costs the download only time: it goes on from the
        # last byte it sent.
        patience = get_settings().download_outage_patience_seconds
        async with aclosing(ridden_out(file_after, lambda piece: piece[0], patience)) as data:
            async for _, piece in data:
                yield piece

    return StreamingResponse(
        pieces(),
        media_type="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
