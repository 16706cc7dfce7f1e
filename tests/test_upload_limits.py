"""Uploads to ``/admin/import`` cannot grow a web worker: a real ``kiosk serve`` worker stays
within 300 MB of its idle size for a ZIP bomb (refused in words: it unpacks past the limit) and
for a big CSV (imported by a process of its own); a body over the upload limit gets 413 before it
is read; a ZIP with too many files or that cannot be read is refused in words."""

from __future__ import annotations

import csv
import io
import re
import secrets
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session, sessionmaker

from served import Answer, Host, HttpCaseworker, fetch
from staff import PASSWORD, csrf_token, make_account, signed_in

MB = 1024 * 1024
#: How much a worker may grow above its idle size while it handles any upload.
BUDGET = 300 * MB


def zip_bomb(path: Path, unpacked: int = 480 * MB) -> Path:
    """A ZIP of one ``services.csv``: a header, then ``unpacked`` bytes of one endless field
    (bzip2 makes 480 MB a ZIP of 530 bytes)."""
    chunk = b"x" * MB
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_BZIP2) as archive:
        with archive.open("services.csv", "w", force_zip64=True) as member:
            member.write(b"id,name\n")
            for _ in range(unpacked // MB):
                member.write(chunk)
    return path


def big_csv_zip(path: Path, services: int = 100_000) -> Path:
    """A ZIP of an organization and ``services`` services with descriptions (11 MB of CSV,
    0.6 MB zipped)."""
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["id", "organization_id", "name", "description"])
    for i in range(services):
        writer.writerow([f"s{i}", "o1", f"Food pantry number {i}",
                         "Groceries, diapers and clothing for families in need; walk in weekdays."])
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big/organizations.csv", "id,name\no1,Food Bank Network\n")
        archive.writestr("big/services.csv", text.getvalue())
    return path


def multipart(fields: dict[str, str], filename: str, content: bytes) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body with ``fields`` and the file ``package``; its content type."""
    boundary = secrets.token_hex(16)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="package"; filename="{filename}"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _upload(caseworker: HttpCaseworker, filename: str, content: bytes) -> Answer:
    token = csrf_token(caseworker._fetch("/admin/import").body.decode())
    body, kind = multipart({"csrf_token": token, "source": "upload-test"}, filename, content)
    return fetch(caseworker.base_url + "/admin/import", data=body, headers={"Content-Type": kind},
                 opener=caseworker.opener, timeout=600)


def _status(pid: int) -> dict[str, int]:
    found = re.findall(r"^(Vm\w+):\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text(), re.M)
    return {name: int(kb) * 1024 for name, kb in found}


def _message(answer: Answer) -> str:
    found = re.search(r'role="alert"><p>(.*?)</p>', answer.body.decode(), re.S)
    return found.group(1) if found else ""


@pytest.mark.slow
def test_a_zip_bomb_and_a_big_csv_leave_the_worker_within_its_budget(
    tmp_path: Path, database_url: str, session_factory: sessionmaker[Session]
) -> None:
    bomb = zip_bomb(tmp_path / "bomb.zip").read_bytes()
    big = big_csv_zip(tmp_path / "big.zip").read_bytes()
    assert len(bomb) < 256 * 1024, len(bomb)
    name = make_account(session_factory, "caseworker", "case.upload")
    host = Host(tmp_path / "host", database_url, workers=1, threads=2)
    try:
        host.wait_up()
        deadline = time.monotonic() + 120
        while "warm-up done" not in host.log_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        (worker,) = host.worker_pids()
        caseworker = HttpCaseworker(host.url, name, PASSWORD)
        small = io.BytesIO()
        with zipfile.ZipFile(small, "w") as archive:  # the import's own code loaded once
            archive.writestr("organizations.csv", "id,name\no1,Warm Up\n")
        assert _upload(caseworker, "small.zip", small.getvalue()).status == 200
        grown: dict[str, int] = {}
        for label, filename, content, status in (("bomb", "bomb.zip", bomb, 422),
                                                 ("big csv", "big.zip", big, 200)):
            idle = _status(worker)["VmRSS"]
            Path(f"/proc/{worker}/clear_refs").write_text("5")  # the peak starts again from now
            answer = _upload(caseworker, filename, content)
            grown[label] = _status(worker)["VmHWM"] - idle
            print(f"{label}: the worker grew by {grown[label] / MB:.1f} MB; {answer.status} {_message(answer)}")
            assert grown[label] < BUDGET, f"{label}: the worker grew by {grown[label] / MB:.0f} MB"
            assert answer.status == status, (label, answer.status, _message(answer))
            if label == "bomb":
                assert "unpacks to 480 MB" in _message(answer) and "at most 64 MB" in _message(answer)
            else:
                page = answer.body.decode()
                assert "Import preview" in page and "100,000 services" in page
        for line in host.log_text().splitlines():
            if "largest import process" in line:
                print(line)
    finally:
        host.stop()


@pytest.fixture
def caseworker(app_factory: Callable[..., Flask], session_factory: sessionmaker[Session]):
    app = app_factory(IMPORT_MAX_UPLOAD_BYTES=MB, IMPORT_MAX_UNPACKED_BYTES=2 * MB)
    return signed_in(app, session_factory)("caseworker")


def _post(client, filename: str, content: bytes):
    token = csrf_token(client.get("/admin/import").get_data(as_text=True))
    return client.post("/admin/import", content_type="multipart/form-data",
                       data={"csrf_token": token, "package": (io.BytesIO(content), filename)})


def test_a_body_over_the_limit_gets_413_in_words(caseworker, app_factory: Callable[..., Flask]) -> None:
    answer = _post(caseworker, "big.json", b" " * (2 * MB))
    assert answer.status_code == 413
    assert "larger than 1 MB" in answer.get_data(as_text=True)
    kiosk = app_factory().test_client()  # everything else: 1 MiB
    page = kiosk.get("/referral").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    api = kiosk.post("/api/v1/referrals", data=b"[" + b"1," * MB + b"1]",
                     headers={"X-CSRFToken": token, "Content-Type": "application/json"})
    assert api.status_code == 413 and "larger than" in api.get_json()["error"]


def test_a_zip_unpacking_past_the_limit_or_with_too_many_files_is_refused(caseworker, tmp_path: Path) -> None:
    answer = _post(caseworker, "bomb.zip", zip_bomb(tmp_path / "bomb.zip", 3 * MB).read_bytes())
    assert answer.status_code == 422 and "unpacks to 3 MB" in answer.get_data(as_text=True)
    many = io.BytesIO()
    with zipfile.ZipFile(many, "w") as archive:
        for i in range(201):
            archive.writestr(f"f{i}.csv", "id\n")
    answer = _post(caseworker, "many.zip", many.getvalue())
    assert answer.status_code == 422 and "holds 201 files" in answer.get_data(as_text=True)
    answer = _post(caseworker, "broken.zip", b"PK\x03\x04 not really a zip")
    assert answer.status_code == 422 and "cannot be read" in answer.get_data(as_text=True)
