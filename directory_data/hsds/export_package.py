"""The ``datapackage.json`` of the CSV export, derived from the HSDS 3.0 spec's own (and, for
``service_capacity`` and ``unit``, from the HSDS 3.1 development branch: :mod:`.export_spec31`)."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from .export_spec import PACKAGE_METADATA
from .export_spec31 import ALL_RESOURCES


def resource_path(table: str) -> str:
    """The CSV file name of ``table`` in an HSDS 3.0/3.1 data package (``service`` -> ``services.csv``)."""
    for resource in ALL_RESOURCES:
        if resource["name"] == table:
            return str(resource["path"])
    raise KeyError(f"HSDS 3.0/3.1 has no table {table!r} among the exported ones")


def package_descriptor(tables: Iterable[str]) -> dict[str, Any]:
    """The spec's data package descriptor with only ``tables``, in the spec's resource order.

    Foreign keys to tables left out (``program``, ``contact`` ...) are dropped, so the package
    stands on its own; everything else (types, formats, constraints) is the spec's.
    """
    wanted = set(tables)
    unknown = wanted - {resource["name"] for resource in ALL_RESOURCES}
    if unknown:
        raise KeyError(f"HSDS 3.0/3.1 has no tables {sorted(unknown)} among the exported ones")
    resources = []
    for resource in ALL_RESOURCES:
        if resource["name"] not in wanted:
            continue
        resource = copy.deepcopy(resource)
        schema = resource["schema"]
        foreign_keys = [
            key for key in schema.pop("foreignKeys", []) if key["reference"]["resource"] in wanted
        ]
        if foreign_keys:
            schema["foreignKeys"] = foreign_keys
        resources.append(resource)
    return {**copy.deepcopy(PACKAGE_METADATA), "resources": resources}
