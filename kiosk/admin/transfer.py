"""HSDS import and export in the browser.

Import in two steps: the uploaded package (an HSDS JSON file, or a ZIP of a CSV folder with or
without ``datapackage.json``) is imported and rolled back, and the importer's report is shown as
a preview; confirming imports it again, for real, in one transaction. The upload waits in
``KIOSK_HOME/uploads/<random token>/`` (the token is also kept in the caseworker's session, so
nobody else can confirm it) and is removed after the import or after a day.
"""

from __future__ import annotations

import io
import re
import secrets
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

from flask import Response, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from directory_data.audit import record_action

from ..auth import role_required
from ..db import get_session
from .blueprint import bp
from .common import ActionForm, actor

UPLOAD_KEY = "import_upload"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
#: Largest total size of the files in an uploaded ZIP, and most files.
MAX_UNPACKED, MAX_FILES = 512 * 1024 * 1024, 200
#: Uploads older than this (seconds) are removed.
UPLOAD_LIFETIME = 24 * 3600


class UploadError(ValueError):
    """The upload is not something the importer can read."""


def _uploads() -> Path:
    return Path(current_app.config["KIOSK_HOME"]) / "uploads"


def _clean_old_uploads() -> None:
    root = _uploads()
    if not root.is_dir():
        return
    for folder in root.iterdir():
        if folder.is_dir() and time.time() - folder.stat().st_mtime > UPLOAD_LIFETIME:
            shutil.rmtree(folder, ignore_errors=True)


def unpack(data: bytes, filename: str, folder: Path) -> Path:
    """Save an upload in ``folder``; the path to give the importer."""
    name = Path(filename or "upload").name.lower()
    if name.endswith(".json"):
        target = folder / "package.json"
        target.write_bytes(data)
        return target
    if not name.endswith(".zip"):
        raise UploadError(gettext("Upload an HSDS JSON file or a ZIP of an HSDS CSV folder."))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as error:
        raise UploadError(gettext("The ZIP file cannot be read.")) from error
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > MAX_FILES or sum(m.file_size for m in members) > MAX_UNPACKED:
        raise UploadError(gettext("The ZIP file is too large."))
    root = (folder / "package").resolve()
    for member in members:
        target = (root / member.filename).resolve()
        if not target.is_relative_to(root) or member.filename.startswith(("/", "\\")):
            raise UploadError(gettext("The ZIP file holds a path outside its folder."))
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(member) as source, target.open("wb") as out:
            shutil.copyfileobj(source, out)
    entries = [p for p in root.iterdir()] if root.is_dir() else []
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]  # a ZIP of one folder
    return root


def _dry_run(path: Path, source: str | None) -> object:
    from directory_data.hsds.importer import import_path

    db = get_session()
    try:
        return import_path(db, path, source=source)
    finally:
        db.rollback()


@bp.route("/import", methods=["GET", "POST"])
@role_required("caseworker")
def import_package() -> ResponseReturnValue:
    """Upload an HSDS package and see what importing it would do."""
    from directory_data.hsds.importer import HSDSImportError

    form = ActionForm()
    if request.method == "GET":
        return render_template("admin/import.html", form=form, error=None)
    if not form.validate_on_submit():
        abort(400)
    upload = request.files.get("package")
    source = (request.form.get("source") or "").strip()[:100] or None
    if upload is None or not upload.filename:
        return render_template("admin/import.html", form=form,
                               error=gettext("Choose a file to upload.")), 422
    _clean_old_uploads()
    token = secrets.token_hex(16)
    folder = _uploads() / token
    folder.mkdir(parents=True)
    try:
        path = unpack(upload.read(), upload.filename, folder)
        report = _dry_run(path, source)
    except (UploadError, HSDSImportError) as error:
        shutil.rmtree(folder, ignore_errors=True)
        return render_template("admin/import.html", form=form, error=str(error)), 422
    session[UPLOAD_KEY] = {"token": token, "path": str(path.relative_to(folder)), "source": source}
    return render_template("admin/import_preview.html", form=form, report=report.to_dict(),  # type: ignore[attr-defined]
                           token=token)


@bp.post("/import/confirm")
@role_required("caseworker")
def confirm_import() -> ResponseReturnValue:
    """Import the previewed package for real (or drop it)."""
    from directory_data.hsds.importer import HSDSImportError, import_path

    if not ActionForm().validate_on_submit():
        abort(400)
    pending = session.get(UPLOAD_KEY) or {}
    token = request.form.get("token", "")
    if not _TOKEN.match(token) or pending.get("token") != token:
        abort(400)
    folder = _uploads() / token
    session.pop(UPLOAD_KEY, None)
    if request.form.get("decision") != "import":
        shutil.rmtree(folder, ignore_errors=True)
        flash(gettext("The upload was dropped; nothing was imported."))
        return redirect(url_for("admin.import_package"), 303)
    db = get_session()
    try:
        report = import_path(db, folder / pending["path"], source=pending.get("source"))
        record_action(db, action="import", actor=actor(), resource_type="import",
                      resource_id=report.source[:60], replacement=report.summary()[:2000])
        db.commit()
    except HSDSImportError as error:
        db.rollback()
        flash(str(error))
        return redirect(url_for("admin.import_package"), 303)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    from ..search import get_search

    get_search().after_commit(max(report.journaled, 1))
    flash(gettext("Imported: %(summary)s", summary=report.summary()))
    return redirect(url_for("admin.home"), 303)


@bp.get("/export")
@role_required("caseworker")
def export_package() -> ResponseReturnValue:
    """The whole directory as HSDS 3.0: ``format=json`` (one file) or ``csv`` (a ZIP)."""
    from directory_data.hsds.exporter import export_directory

    fmt = request.args.get("format", "json")
    if fmt not in ("json", "csv"):
        abort(404)
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / ("directory.json" if fmt == "json" else "directory")
        export_directory(get_session(), target, fmt)
        if fmt == "json":
            body, mimetype, filename = target.read_bytes(), "application/json", "directory.json"
        else:
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for file in sorted(target.rglob("*")):
                    if file.is_file():
                        archive.write(file, f"directory/{file.relative_to(target)}")
            body, mimetype, filename = buffer.getvalue(), "application/zip", "directory-csv.zip"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
