"""HSDS import and export in the browser.

Import in two steps: the uploaded package (an HSDS JSON file, or a ZIP of a CSV folder) is
imported and rolled back, and the report is shown as a preview (with the listings it would hold
for review, and why); confirming imports it for real in one transaction, retiring the sample
directory's listings in it when the preview's box (ticked while they are shown) says so. The
upload waits in ``KIOSK_HOME/uploads/<random token>/`` (the token also in the caseworker's
session, so nobody else can confirm it) and is removed after the import or after a day.

Memory stays bounded: the body may be at most ``IMPORT_MAX_UPLOAD_BYTES`` (413 beyond, unread);
the upload is streamed to disk; a ZIP may hold :data:`MAX_FILES` files unpacking to at most
``IMPORT_MAX_UNPACKED_BYTES``, checked against its directory and again while unpacking (a ZIP
bomb is refused in words); the import runs in a process with a memory limit
(:mod:`kiosk.admin.import_runner`).
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

from werkzeug.datastructures import FileStorage

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext, ngettext

from kiosk.db import get_session
from kiosk.admin.common import ActionForm, actor, bp
from kiosk.admin.import_runner import run_import
from kiosk.pages import attachment, redirect_with

UPLOAD_KEY = "import_upload"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
#: Default total size of the files in an uploaded ZIP.
MAX_UNPACKED = 64 * 1024 * 1024
#: Most files an uploaded ZIP may hold.
MAX_FILES = 200
#: Uploads older than this (seconds) are removed.
UPLOAD_LIFETIME = 24 * 3600
_CHUNK = 1024 * 1024


class UploadError(ValueError):
    """The upload cannot be imported (why, in words)."""


def _uploads() -> Path:
    return Path(current_app.config["KIOSK_HOME"]) / "uploads"


def _clean_old_uploads() -> None:
    root = _uploads()
    if not root.is_dir():
        return
    for folder in root.iterdir():
        if folder.is_dir() and time.time() - folder.stat().st_mtime > UPLOAD_LIFETIME:
            shutil.rmtree(folder, ignore_errors=True)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB" if size >= 1024 * 1024 else f"{size:,} bytes"


def _too_large(size: int | None, limit: int) -> UploadError:
    """The message for an archive that unpacks past ``limit`` (``size``: as far as known)."""
    unpacked = gettext("more than %(limit)s", limit=_megabytes(limit)) if size is None else _megabytes(size)
    return UploadError(gettext(
        "The ZIP file unpacks to %(size)s; an upload may unpack to at most %(limit)s "
        "(IMPORT_MAX_UNPACKED_BYTES). Nothing was imported. Import a package this large on the "
        "server with kiosk import.", size=unpacked, limit=_megabytes(limit)))


def unpack(upload: FileStorage, folder: Path, *, max_unpacked: int = MAX_UNPACKED,
           max_files: int = MAX_FILES) -> Path:
    """Save an upload in ``folder`` as a stream (a ZIP unpacked within the limits, see the module
    docstring); the path to give the importer."""
    name = Path(upload.filename or "upload").name.lower()
    if name.endswith(".json"):
        target = folder / "package.json"
        upload.save(target, _CHUNK)
        return target
    if not name.endswith(".zip"):
        raise UploadError(gettext("Upload an HSDS JSON file or a ZIP of an HSDS CSV folder."))
    saved = folder / "upload.zip"
    upload.save(saved, _CHUNK)
    try:
        root = _unzip(saved, (folder / "package").resolve(), max_unpacked, max_files)
    finally:
        saved.unlink(missing_ok=True)
    entries = [p for p in root.iterdir()] if root.is_dir() else []
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]  # a ZIP of one folder
    return root


def _unzip(archive_path: Path, root: Path, max_unpacked: int, max_files: int) -> Path:
    """Unpack the ZIP at ``archive_path`` into ``root``, refusing it in words when it holds too
    many files, unpacks past ``max_unpacked`` (declared or actual), or cannot be read."""
    try:
        archive = zipfile.ZipFile(archive_path)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise UploadError(gettext("The ZIP file cannot be read.")) from error
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > max_files:
            raise UploadError(gettext("The ZIP file holds %(count)s files; an upload may hold at "
                                      "most %(limit)s.", count="{:,}".format(len(members)), limit=max_files))
        declared = sum(m.file_size for m in members)
        if declared > max_unpacked:
            raise _too_large(declared, max_unpacked)
        written = 0
        for member in members:
            target = (root / member.filename).resolve()
            if not target.is_relative_to(root) or member.filename.startswith(("/", "\\")):
                raise UploadError(gettext("The ZIP file holds a path outside its folder."))
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with archive.open(member) as source, target.open("wb") as out:
                    while chunk := source.read(_CHUNK):
                        written += len(chunk)
                        if written > max_unpacked:  # whatever the directory says
                            raise _too_large(None, max_unpacked)
                        out.write(chunk)
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, OSError) as error:
                raise UploadError(gettext("The ZIP file cannot be read.")) from error
    return root


@bp.route("/import", methods=["GET", "POST"])
def import_package() -> ResponseReturnValue:
    """Upload an HSDS package and see what importing it would do."""
    form = ActionForm()
    if request.method == "GET":
        return render_template("admin/import.html", form=form, error=None)
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
        path = unpack(upload, folder, max_unpacked=int(current_app.config["IMPORT_MAX_UNPACKED_BYTES"]))
        outcome = run_import(path, source, commit=False)
        if outcome.error is not None:
            raise UploadError(outcome.error)
    except UploadError as error:
        shutil.rmtree(folder, ignore_errors=True)
        return render_template("admin/import.html", form=form, error=str(error)), 422
    session[UPLOAD_KEY] = {"token": token, "path": str(path.relative_to(folder)), "source": source}
    return render_template("admin/import_preview.html", form=form, report=outcome.report, token=token)


@bp.post("/import/confirm")
def confirm_import() -> ResponseReturnValue:
    """Import the previewed package for real (or drop it)."""
    pending = session.get(UPLOAD_KEY) or {}
    token = request.form.get("token", "")
    if not _TOKEN.match(token) or pending.get("token") != token:
        abort(400)
    folder = _uploads() / token
    session.pop(UPLOAD_KEY, None)
    if request.form.get("decision") != "import":
        shutil.rmtree(folder, ignore_errors=True)
        return redirect_with(gettext("The upload was dropped; nothing was imported."), url_for("admin.import_package"))
    retire_sample = request.form.get("retire_sample") == "1"
    try:
        outcome = run_import(folder / pending["path"], pending.get("source"), commit=True, actor=actor(),
                             retire_sample=retire_sample)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if outcome.error is not None:
        return redirect_with(outcome.error, url_for("admin.import_package"))
    flash(gettext("Imported: %(summary)s", summary=outcome.report["summary"]))
    if outcome.report.get("sample_retired"):
        retired = int(outcome.report["sample_retired"])
        flash(ngettext("%(count)s sample listing was retired; the real national and Florida help lines stay.",
                       "%(count)s sample listings were retired; the real national and Florida help lines stay.",
                       retired, count="{:,}".format(retired)))
    if outcome.report.get("held"):
        held = int(outcome.report["held"])
        flash(ngettext("%(count)s listing is held for review: residents and officers do not see it until it "
                       "is fixed.", "%(count)s listings are held for review: residents and officers do not see "
                       "them until they are fixed.", held, count="{:,}".format(held)))
        return redirect(url_for("admin.home", status="held"), 303)
    return redirect(url_for("admin.home"), 303)


@bp.get("/export")
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
    return attachment(body, mimetype, filename)
