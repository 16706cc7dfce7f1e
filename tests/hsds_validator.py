"""What Open Referral's API validator does to an HSDS 3.0 API, over HTTP (imported as a module).

The validator (Open Referral UK's ``oruk-validator``, profile for HSDS 3.0) runs two groups of
checks against a base URL and its OpenAPI document:

* **Level 1** (errors; the API fails): ``GET /`` answers its meta information; ``GET /services``
  is paginated (its first page, a page in the middle and its last page); ``GET /services/{id}``
  answers a fully nested service, for an id taken from the list.
* **Level 2** (warnings): the same for ``/taxonomies``, ``/taxonomy_terms``, ``/organizations`` and
  ``/service_at_locations`` and their ``/{id}``; an empty list is a warning too.

Every response is validated against the schema the specification's OpenAPI document names
for it, with format checking on (``uuid``, ``uri``, ``email``, ``date-time``, ``date``), and every
page's metadata is checked: ``total_items`` the same on every page, ``size`` equal to
``per_page`` but on the last page and to the number of items, ``first_page`` and ``last_page``
right. This module does the same with the specification's own files
(``../shared/hsds/openreferral-specification-3.0/schema``): :func:`validate` returns the failures
of each level. Where the specification's document names a compiled schema its folder does not
hold, the uncompiled one of the same object is used with its references resolved
(``organization.json``); ``/service_at_locations/{id}`` is checked against
``service_at_location.json`` and its nested service against the full service schema (the
document names ``compiled/service.json`` there, a service, which a service-at-location cannot be).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from served import fetch

BASE = "https://hsds.invalid/schema/"
FORMATS = ("uuid", "uri", "email", "date-time", "date")


@dataclass
class Report:
    """The failures of each level (Level 1: errors, Level 2: warnings) and what was checked."""

    level1: list[str] = field(default_factory=list)
    level2: list[str] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)

    def count(self, what: str, n: int = 1) -> None:
        self.checked[what] = self.checked.get(what, 0) + n


class Schemas:
    """The specification's schemas, each a validator with format checking on."""

    def __init__(self, spec_dir: Path) -> None:
        schema_dir = spec_dir / "schema"
        checker = jsonschema.FormatChecker()
        missing = [f for f in FORMATS if f not in checker.checkers]
        assert not missing, f"format checking of {missing} is not installed (jsonschema[format])"
        resources = []
        for path in [*schema_dir.glob("*.json"), *(schema_dir / "compiled").glob("*.json")]:
            contents = json.loads(path.read_text(encoding="utf-8"))
            name = path.relative_to(schema_dir).as_posix()
            contents = {**contents, "$id": BASE + name} if isinstance(contents, dict) else contents
            resources.append((BASE + name, Resource.from_contents(contents, default_specification=DRAFT202012)))
        self.registry: Registry = Registry().with_resources(resources)
        self.checker = checker
        self.openapi = json.loads((schema_dir / "openapi.json").read_text(encoding="utf-8"))

    def validator(self, name: str) -> jsonschema.Draft202012Validator:
        """The validator of schema file ``name`` (``service.json``, ``compiled/service_list.json``)."""
        schema = self.registry.contents(BASE + name)
        return jsonschema.Draft202012Validator(schema, registry=self.registry, format_checker=self.checker)

    def page(self, item: str) -> jsonschema.Draft202012Validator:
        """A ``Page`` of the specification's OpenAPI document holding ``item`` objects."""
        schema = copy.deepcopy(self.openapi["components"]["schemas"]["Page"])
        schema["required"] = list(schema["properties"])
        schema["properties"]["contents"] = {"type": "array", "items": {"$ref": BASE + item}}
        return jsonschema.Draft202012Validator(schema, registry=self.registry, format_checker=self.checker)

    def root(self) -> jsonschema.Draft202012Validator:
        """``GET /``'s schema, with the three fields the validator requires."""
        schema = copy.deepcopy(self.openapi["paths"]["/"]["get"]["responses"]["200"]["content"]
                               ["application/json"]["schema"])
        schema["required"] = ["version", "profile", "openapi_url"]
        return jsonschema.Draft202012Validator(schema, format_checker=self.checker)


def _errors(validator: jsonschema.Draft202012Validator, document: Any, where: str, limit: int = 5) -> list[str]:
    found = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    return [f"{where}: {'/'.join(map(str, e.absolute_path))}: {e.message[:300]}" for e in found[:limit]]


#: (path, schema of a list item, schema of the answer by id, level)
ENDPOINTS: list[tuple[str, str, str, int]] = [
    ("/services", "compiled/service_list.json", "compiled/service_with_definitions.json", 1),
    ("/taxonomies", "taxonomy.json", "taxonomy.json", 2),
    ("/taxonomy_terms", "taxonomy_term.json", "taxonomy_term.json", 2),
    ("/organizations", "compiled/organization_list.json", "organization.json", 2),
    ("/service_at_locations", "compiled/service_at_location_list.json", "service_at_location.json", 2),
]


def validate(base_url: str, schemas: Schemas, *, ids_per_list: int = 3) -> Report:
    """Run the validator's Level 1 and Level 2 checks against the API at ``base_url``."""
    report = Report()
    root = _get(base_url + "/", report.level1)
    if root is not None:
        report.level1 += _errors(schemas.root(), root, "GET /")
        report.count("GET /")
    for path, item, by_id, level in ENDPOINTS:
        failures = report.level1 if level == 1 else report.level2
        ids = _paginated(base_url, path, schemas.page(item), failures, report)
        validator = schemas.validator(by_id)
        extra = _nested_service_check(schemas) if path == "/service_at_locations" else None
        for object_id in ids[:ids_per_list]:
            answer = _get(f"{base_url}{path}/{object_id}", failures)
            if answer is None:
                continue
            failures += _errors(validator, answer, f"GET {path}/{object_id}")
            if extra is not None:
                failures += extra(answer, f"GET {path}/{object_id}")
            report.count(f"GET {path}/{{id}}")
    return report


def _nested_service_check(schemas: Schemas) -> Callable[[Any, str], list[str]]:
    full = schemas.validator("compiled/service_with_definitions.json")

    def check(answer: Any, where: str) -> list[str]:
        if "service" not in answer:
            return [f"{where}: no nested service"]
        return _errors(full, answer["service"], where + " service")

    return check


def _get(url: str, failures: list[str]) -> Any:
    answer = fetch(url, timeout=120)
    if answer.status != 200:
        failures.append(f"GET {url}: {answer.status} {answer.body[:200]!r}")
        return None
    if not answer.headers.get("content-type", "").startswith("application/json"):
        failures.append(f"GET {url}: content type {answer.headers.get('content-type')}")
        return None
    return answer.json()


def _paginated(base_url: str, path: str, page: jsonschema.Draft202012Validator, failures: list[str],
               report: Report) -> list[str]:
    """The first, a middle and the last page of ``path`` (default page size, then 20 a page as
    the validator asks): schema and metadata checks. The ids of the items seen, spread over the
    list (first page first, then middle, then last)."""
    first = _get(f"{base_url}{path}", failures)
    if first is None:
        return []
    failures += _errors(page, first, f"GET {path}")
    if not first.get("contents"):
        failures.append(f"GET {path}: the list is empty")
        return []
    ids: list[list[str]] = []
    for per_page in (None, 20):
        query = "" if per_page is None else f"&per_page={per_page}"
        size = per_page or first["size"]
        total_pages = first["total_pages"] if per_page is None else -(-first["total_items"] // per_page)
        for number in sorted({1, max(1, total_pages // 2), total_pages}):
            url = f"{base_url}{path}?page={number}{query}"
            body = _get(url, failures)
            if body is None:
                continue
            failures += _errors(page, body, f"GET {path}?page={number}{query}")
            failures += _metadata(body, number, total_pages, size, first["total_items"], f"{path}?page={number}{query}")
            ids.append([item["id"] for item in body.get("contents", []) if isinstance(item, dict)])
            report.count(f"GET {path} pages")
            report.count(f"{path} items", len(body.get("contents", [])))
    return [i for group in ids for i in group[:1]] + [i for group in ids for i in group[1:]]


def _metadata(body: Any, number: int, total_pages: int, per_page: int, total_items: int, where: str) -> list[str]:
    found = []
    if body.get("total_items") != total_items:
        found.append(f"{where}: total_items changed from {total_items} to {body.get('total_items')}")
    if body.get("total_pages") != total_pages:
        found.append(f"{where}: total_pages is {body.get('total_pages')}, not {total_pages}")
    if number < total_pages and body.get("size") != per_page:
        found.append(f"{where}: size {body.get('size')} when {per_page} were asked for")
    if body.get("size") != len(body.get("contents", [])):
        found.append(f"{where}: size {body.get('size')} but {len(body.get('contents', []))} items")
    if body.get("page_number") != number:
        found.append(f"{where}: page_number {body.get('page_number')}")
    if body.get("first_page") != (number == 1):
        found.append(f"{where}: first_page is {body.get('first_page')} on page {number}")
    if body.get("last_page") != (number == total_pages):
        found.append(f"{where}: last_page is {body.get('last_page')} on page {number} of {total_pages}")
    if body.get("empty") != (not body.get("contents")):
        found.append(f"{where}: empty is {body.get('empty')}")
    return found
