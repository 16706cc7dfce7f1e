"""Export the directory as Open Referral HSDS 3.0: a JSON service list or a CSV data package.

``kiosk export PATH --format json|csv`` calls :func:`export_directory`. Both formats carry every
field the model holds; what HSDS 3.0 has no field for travels as ``kiosk:*`` attributes
(:mod:`directory_data.hsds.extensions`), so the importer reads an export back without loss.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from .export_csv import write_csv
from .export_json import write_json

#: The export formats: ``json`` (one HSDS 3.0 service list file), ``csv`` (a data package folder).
EXPORT_FORMATS: tuple[str, ...] = ("json", "csv")


def export_directory(session: Session, path: Path, fmt: str) -> int:
    """Write the whole directory to ``path`` as HSDS 3.0 in ``fmt``; the number of services written.

    ``json``: ``path`` is the file to write (or an existing directory, then ``path/directory.json``)
    holding one paginated service list with every service fully nested. ``csv``: ``path`` is a
    folder (created when missing) that receives a tabular data package: ``datapackage.json`` and
    one CSV per table. Only reads from ``session``; nothing is written to the database.
    """
    if fmt == "json":
        return write_json(session, Path(path))
    if fmt == "csv":
        return write_csv(session, Path(path))
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
