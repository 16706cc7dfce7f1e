"""What the path given to the import is: a tabular package (CSV files) or an HSDS JSON file.

Accepted:

* a folder of CSV files, with or without a ``datapackage.json``;
* a ``datapackage.json`` (its resources are looked for where it says, then beside it, then in a
  ``data/`` folder beside it -- real packages get this wrong);
* a folder holding a ``datapackage.json`` whose CSV files are in ``data/`` (Miami);
* an HSDS JSON file (``.json``).

Also works out the default source name: the datapackage ``name`` unless it is the template's
(``human_services_data``), else the folder's name (its parent's when the folder is ``data``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .csvfile import sniff_text
from .errors import HSDSImportError

TEMPLATE_NAMES = frozenset({"human_services_data", "hsds", ""})
DATAPACKAGE = "datapackage.json"


@dataclass
class Package:
    """A located input: ``kind`` is ``"tabular"`` or ``"json"``."""

    path: Path
    kind: str
    source_name: str
    csv_files: dict[str, Path] = field(default_factory=dict)
    json_file: Path | None = None
    datapackage: dict[str, Any] | None = None
    missing: list[str] = field(default_factory=list)


def slug(text: str) -> str:
    """A source name from free text: lower case, ``-`` between words, at most 100 characters."""
    name = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return name[:100] or "import"


def _folder_name(folder: Path) -> str:
    folder = folder.resolve()
    if folder.name.lower() == "data" and folder.parent.name:
        return folder.parent.name
    return folder.name


def _read_datapackage(path: Path) -> dict[str, Any]:
    sniff_text(path, path.name)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as error:
        raise HSDSImportError(
            f"{path.name} is not valid JSON (line {error.lineno}, column {error.colno}: "
            f"{error.msg})"
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("resources", []), list):
        raise HSDSImportError(f"{path.name} is not a data package (no list of resources)")
    return data


def _csvs_in(folder: Path) -> dict[str, Path]:
    return {
        p.name.lower(): p
        for p in sorted(folder.iterdir())
        if p.is_file() and p.suffix.lower() == ".csv" and not p.name.startswith(".")
    }


def _tabular(path: Path, folder: Path, datapackage_path: Path | None) -> Package:
    datapackage = _read_datapackage(datapackage_path) if datapackage_path else None
    files: dict[str, Path] = {}
    missing: list[str] = []
    if datapackage is not None:
        for resource in datapackage.get("resources", []):
            if not isinstance(resource, dict) or not isinstance(resource.get("path"), str):
                continue
            declared = resource["path"]
            candidates = [folder / declared, folder / Path(declared).name,
                          folder / "data" / Path(declared).name]
            found = next((c for c in candidates if c.is_file()), None)
            if found is None:
                missing.append(Path(declared).name)
            else:
                files[found.name.lower()] = found
    for base in (folder, folder / "data"):
        if base.is_dir():
            for name, p in _csvs_in(base).items():
                files.setdefault(name, p)
        if files and datapackage is None:
            break
    if not files:
        where = f"{path}" + (" or the paths its datapackage.json names" if datapackage else "")
        raise HSDSImportError(f"nothing to import: no CSV files in {where}")
    name = ""
    if datapackage is not None:
        name = str(datapackage.get("name") or "")
    source = slug(name) if name.lower() not in TEMPLATE_NAMES else slug(_folder_name(folder))
    return Package(path, "tabular", source, csv_files=files, datapackage=datapackage,
                   missing=sorted(set(missing) - set(files)))


def locate(path: Path) -> Package:
    """Work out what ``path`` is; raise :class:`HSDSImportError` when it is nothing importable."""
    path = Path(path)
    if not path.exists():
        raise HSDSImportError(f"{path} does not exist")
    if path.is_dir():
        inner = path / DATAPACKAGE
        if inner.is_file():
            return _tabular(path, path, inner)
        if not _csvs_in(path) and not (path / "data").is_dir():
            jsons = [p.name for p in path.iterdir() if p.suffix.lower() == ".json"]
            hint = f" (give one of the JSON files instead: {', '.join(sorted(jsons)[:3])})" \
                if jsons else ""
            raise HSDSImportError(f"nothing to import: {path} has no CSV files{hint}")
        return _tabular(path, path, None)
    if path.name.lower() == DATAPACKAGE:
        return _tabular(path, path.parent, path)
    if path.suffix.lower() == ".csv":
        raise HSDSImportError(
            f"{path.name} is a single CSV file; give the folder that holds the package's CSV files"
        )
    return Package(path, "json", slug(_folder_name(path.parent)), json_file=path)
