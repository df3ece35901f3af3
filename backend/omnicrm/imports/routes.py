"""Bulk imports: upload a CSV of subscribers or of stock (202, a worker job), follow it,
download the rows that failed."""

from __future__ import annotations

from typing import Any

from flask import Response, request, stream_with_context
from flask.views import MethodView

from omnicrm.core.auth import require_permission
from omnicrm.core.blueprint import Blueprint
from omnicrm.core.context import current_principal
from omnicrm.core.db import after_commit, request_session
from omnicrm.core.names import attach, user_names
from omnicrm.core.pagination import paginate_query
from omnicrm.extensions import default_phone_region, get_settings
from omnicrm.imports import samples
from omnicrm.imports import schemas as s
from omnicrm.imports import use_cases as uc
from omnicrm.imports.models import ImportJob, ImportKind

blp = Blueprint(
    "imports",
    __name__,
    url_prefix="/crm/import",
    description="Bulk registration from CSV (ManyRegister): validated, resumable, idempotent",
)


@blp.before_request
def _allow_large_uploads() -> None:
    """An import may be larger than MAX_CONTENT_LENGTH (IMPORT_MAX_BYTES, plus the multipart
    envelope); the importer itself stops reading past IMPORT_MAX_BYTES."""
    request.max_content_length = get_settings().import_max_bytes + 64 * 1024


def _detail(job: Any) -> dict[str, Any]:
    body = {
        name: getattr(job, name)
        for name in s.ImportSchema().fields
        if name != "created_by_user_name"
    }
    body["status"] = job.status.value
    body["kind"] = job.kind.value
    body["created_by_user_name"] = user_names(request_session(), [job.created_by_user_id]).get(
        job.created_by_user_id or 0
    )
    return body | {"errors": uc.errors_of(request_session(), job.import_id)}


def start(
    kind: ImportKind, upload: dict[str, Any], *, dry_run: bool, options: dict[str, Any]
) -> dict[str, Any]:
    """Keep the upload and queue its job for a worker (after the commit)."""
    principal = current_principal.get()
    file = upload["file"]
    session = request_session()
    job = uc.start_import(
        session,
        get_settings(),
        stream=file.stream,
        filename=file.filename or "upload.csv",
        dry_run=dry_run,
        user_id=principal.user_id if principal is not None else None,
        kind=kind,
        options=options,
    )
    import_id = job.import_id

    def hand_off() -> None:
        from omnicrm.imports.tasks import run_import_job

        run_import_job.send(import_id)

    after_commit(session, hand_off)
    return _detail(job)


def start_stock(query: dict[str, Any], upload: dict[str, Any]) -> dict[str, Any]:
    """A stock import of the form's template (404 naming `template` when there is none)."""
    options = uc.stock_options(request_session(), upload["template"])
    return start(ImportKind.stock, upload, dry_run=query["dry_run"], options=options)


_IN_PROGRESS = "`import_in_progress`: this file is being imported already (`import_id`)"
_TOO_LARGE = "The file is larger than IMPORT_MAX_BYTES"


@blp.route("/subscribers")
class SubscriberImport(MethodView):
    @require_permission("import.write")
    @blp.arguments(s.ImportQuerySchema, location="query")
    @blp.arguments(s.SubscriberUploadSchema, location="files")
    @blp.response(202, s.ImportDetailSchema)
    @blp.alt_response(409, description=_IN_PROGRESS)
    @blp.alt_response(413, description=_TOO_LARGE)
    @blp.alt_response(
        422,
        description="`invalid_file`: not UTF-8, empty, no rows, or wrong headers (unknown, "
        "missing, repeated), each in `problems`; nothing was written",
    )
    def post(self, query: dict[str, Any], upload: dict[str, Any]) -> Any:
        """Register subscribers from a CSV: the structure is checked now, the rows by a worker
        (follow `GET /crm/import/<id>` or the `/imports` Socket.IO room `import:<id>`). Each row
        creates or updates a customer (by `external_id`, then e-mail), with a primary contact
        and a site when new, and sells the named product with its SIM. Bad rows are listed and
        change nothing; the same file again changes nothing."""
        return start(ImportKind.subscribers, upload, dry_run=query["dry_run"], options={})


@blp.route("/stock")
class StockImport(MethodView):
    @require_permission("import.write", "inventory.write")
    @blp.arguments(s.ImportQuerySchema, location="query")
    @blp.arguments(s.StockUploadSchema, location="multipart")
    @blp.response(202, s.ImportDetailSchema)
    @blp.alt_response(404, description="No such template")
    @blp.alt_response(409, description=_IN_PROGRESS)
    @blp.alt_response(413, description=_TOO_LARGE)
    @blp.alt_response(
        422,
        description="`invalid_file`: not UTF-8, empty, no rows, or wrong headers for the "
        "template (unknown, missing, repeated), each in `problems`; nothing was written",
    )
    def post(self, query: dict[str, Any], upload: dict[str, Any]) -> Any:
        """Add stock from a CSV of items of one template: the structure is checked now, the
        rows by a worker (follow it as a subscriber import). A new serial adds an item in
        state `new`; a known one is updated while still `new`, else unchanged or refused. Bad
        rows are listed and change nothing; the same file again changes nothing."""
        return start_stock(query, upload)


# The stock import's first address, kept for integrators that call it: the same job as
# ``POST /crm/import/stock`` (it used to import synchronously, all rows or none).
legacy_blp = Blueprint(
    "inventory_import",
    __name__,
    url_prefix="/crm/inventory",
    description="Stock import at its first address (deprecated: use /crm/import/stock)",
)
_SUCCESSOR = {"Deprecation": "true", "Link": '</crm/import/stock>; rel="successor-version"'}


@legacy_blp.route("/import")
class LegacyStockImport(MethodView):
    @require_permission("import.write", "inventory.write")
    @legacy_blp.arguments(s.ImportQuerySchema, location="query")
    @legacy_blp.arguments(s.StockUploadSchema, location="multipart")
    @legacy_blp.response(202, s.ImportDetailSchema)
    @legacy_blp.alt_response(404, description="No such template")
    @legacy_blp.alt_response(409, description=_IN_PROGRESS)
    @legacy_blp.alt_response(413, description=_TOO_LARGE)
    @legacy_blp.alt_response(422, description="`invalid_file`: as `POST /crm/import/stock`")
    @legacy_blp.doc(deprecated=True, tags=["inventory"])
    def post(self, query: dict[str, Any], upload: dict[str, Any]) -> Any:
        """Deprecated: `POST /crm/import/stock`, which this is (the same form, the same job;
        the answer names it in `Link`)."""
        return start_stock(query, upload), 202, _SUCCESSOR


@blp.route("/")
class Imports(MethodView):
    @require_permission("import.write")
    @blp.arguments(s.ImportListQuerySchema, location="query")
    @blp.response(200, s.ImportSchema(many=True))
    @blp.paginate()
    def get(self, query: dict[str, Any], pagination_parameters: Any) -> Any:
        """Imports, newest first."""
        stmt = uc.imports_query()
        if "kind" in query:
            stmt = stmt.where(ImportJob.kind == ImportKind(query["kind"]))
        session = request_session()
        jobs = paginate_query(session, stmt, pagination_parameters)
        names = user_names(session, (job.created_by_user_id for job in jobs))
        attach(jobs, names, id_attr="created_by_user_id", name_attr="created_by_user_name")
        return jobs


def _csv_download(body: str, filename: str) -> Response:
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@blp.route("/subscribers/sample.csv")
class SubscriberSample(MethodView):
    @require_permission("import.write")
    @blp.response(200, description="text/csv: every subscriber header and a few valid rows")
    def get(self) -> Any:
        """A sample subscriber CSV: the importer's headers and example customers that import
        cleanly (random names and e-mails, so each download adds new customers)."""
        return _csv_download(
            samples.subscriber_sample(region=default_phone_region()), "subscribers-sample.csv"
        )


@blp.route("/stock/sample.csv")
class StockSample(MethodView):
    @require_permission("import.write", "inventory.write")
    @blp.arguments(s.StockSampleQuerySchema, location="query")
    @blp.response(200, description="text/csv: the template's headers and a few valid items")
    @blp.alt_response(404, description="No such template")
    def get(self, query: dict[str, Any]) -> Any:
        """A sample stock CSV for a template: the headers its import accepts and example items
        that import cleanly (random serials, so each download adds new items)."""
        template = samples.sample_template(request_session(), query["template"])
        body = samples.stock_sample(template, region=default_phone_region())
        slug = "".join(c if c.isalnum() else "-" for c in template.item.lower()).strip("-")
        return _csv_download(body, f"{slug or 'stock'}-sample.csv")


@blp.route("/<int:import_id>")
class ImportItem(MethodView):
    @require_permission("import.write")
    @blp.response(200, s.ImportDetailSchema)
    @blp.alt_response(404, description="No such import")
    def get(self, import_id: int) -> Any:
        """An import's progress and counts, with its first 100 row errors."""
        return _detail(uc.get_import(request_session(), import_id))


@blp.route("/<int:import_id>/errors.csv")
class ImportErrors(MethodView):
    @require_permission("import.write")
    @blp.response(200, description="text/csv: the failed rows as uploaded, plus line, field, error")
    @blp.alt_response(404, description="No such import")
    def get(self, import_id: int) -> Any:
        """The rows that failed, as uploaded, with `line`, `field` and `error` columns: fix
        them and upload this file again. Cells that a spreadsheet would run as a formula are
        prefixed with `'`."""
        session = request_session()
        job = uc.get_import(session, import_id)
        header = uc.header_of(job)
        body = stream_with_context(uc.error_csv(session, job, header))
        return Response(
            body,
            mimetype="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="import-{import_id}-errors.csv"'
            },
        )
