"""The HSDS 3.0 part of the OpenAPI document: the paths of :mod:`kiosk.api.directory` and the
schemas of their answers.

The schemas state what the answers promise (required fields, types, formats, the current fields
only, offsets on schedule times) without copying the whole HSDS schemas; the conformance tests
(``tests/test_api_conformance.py``) check every answer against the official ones as well.
"""

from __future__ import annotations

from typing import Any

_TEXT = {"type": "string"}
_NULLABLE_TEXT = {"type": ["string", "null"]}

#: Deprecated HSDS 3.0 fields the API never sends (``false``: the property may not appear).
_NOT_SENT_SERVICE = {"wait_time": False, "fees": False, "licenses": False}
_NOT_SENT_ORGANIZATION = {"tax_status": False, "tax_id": False}

_TIME_WITH_OFFSET = {"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})$",
                     "description": "Wall-clock time with the UTC offset of its zone at the time of "
                                    "the answer, e.g. 09:00-05:00"}

SCHEDULE = {
    "type": "object",
    "required": ["id", "timezone"],
    "properties": {
        "id": _TEXT,
        "timezone": {"type": "number", "minimum": -12, "maximum": 14,
                     "description": "UTC offset in hours of the schedule's zone (IANA name in the "
                                    "kiosk:timezone attribute, else the directory's zone) at the "
                                    "time of the answer"},
        "opens_at": _TIME_WITH_OFFSET,
        "closes_at": _TIME_WITH_OFFSET,
        "freq": {"type": "string", "enum": ["WEEKLY", "MONTHLY"]},
        "byday": _TEXT,
        "valid_from": {"type": "string", "format": "date"},
        "valid_to": {"type": "string", "format": "date"},
    },
}

ORGANIZATION = {
    "type": "object",
    "description": "An HSDS 3.0 organization: its own fields (the list form); fully nested "
                   "(phones, locations, attributes) with full=true or by id; with services "
                   "(in the list form, or fully nested with full_service=true).",
    "required": ["id", "name", "description"],
    "properties": {
        "id": _TEXT, "name": _TEXT, "description": _TEXT, "email": _TEXT,
        "website": {"type": "string", "format": "uri"},
        "phones": {"type": "array", "items": {"$ref": "#/components/schemas/Phone"}},
        "locations": {"type": "array", "items": {"$ref": "#/components/schemas/Location"}},
        "services": {"type": "array", "items": {"$ref": "#/components/schemas/Service"}},
        **_NOT_SENT_ORGANIZATION,
    },
}

TAXONOMY = {
    "type": "object",
    "required": ["id", "name", "description"],
    "properties": {"id": _TEXT, "name": _TEXT, "description": _TEXT,
                   "uri": {"type": "string", "format": "uri"}, "version": _TEXT},
}

TAXONOMY_TERM = {
    "type": "object",
    "required": ["id", "name", "description"],
    "properties": {"id": _TEXT, "code": _TEXT, "name": _TEXT, "description": _TEXT,
                   "parent_id": _TEXT, "taxonomy": _TEXT, "taxonomy_id": _TEXT,
                   "taxonomy_detail": {"$ref": "#/components/schemas/Taxonomy"}},
}

SERVICE_AT_LOCATION = {
    "type": "object",
    "description": "A service at one of its places: the link's fields, its place and its service "
                   "(their own fields; fully nested with full=true or by id). A confidential place "
                   "shows anonymous callers no position, address or free text.",
    "required": ["id", "service_id", "location_id", "location", "service"],
    "properties": {
        "id": _TEXT, "service_id": _TEXT, "location_id": _TEXT, "description": _TEXT,
        "location": {"$ref": "#/components/schemas/Location"},
        "service": {"$ref": "#/components/schemas/Service"},
        "schedules": {"type": "array", "items": {"$ref": "#/components/schemas/Schedule"}},
    },
}

API_INFO = {
    "type": "object",
    "required": ["version", "profile", "openapi_url"],
    "properties": {"version": {"type": "string", "const": "3.0"},
                   "profile": {"type": "string", "format": "uri"},
                   "openapi_url": {"type": "string", "format": "uri"}},
}

#: Fields every service object has beyond the base schema of :mod:`kiosk.api.openapi`.
SERVICE_EXTRA = {
    "last_modified": {"type": "string", "format": "date-time",
                      "description": "When the service or anything it shows last changed (the "
                                     "change journal), or its zone's UTC offset did"},
    "schedules": {"type": "array", "items": {"$ref": "#/components/schemas/Schedule"}},
    **_NOT_SENT_SERVICE,
}


def page_schema(item: str, description: str) -> dict[str, Any]:
    """The HSDS paged list of ``item`` objects."""
    return {
        "type": "object",
        "description": description,
        "required": ["total_items", "total_pages", "page_number", "size", "first_page", "last_page",
                     "empty", "contents"],
        "properties": {
            "total_items": {"type": "integer", "minimum": 0},
            "total_pages": {"type": "integer", "minimum": 1},
            "page_number": {"type": "integer", "minimum": 1},
            "size": {"type": "integer", "minimum": 0},
            "first_page": {"type": "boolean"},
            "last_page": {"type": "boolean"},
            "empty": {"type": "boolean"},
            "contents": {"type": "array", "items": {"$ref": f"#/components/schemas/{item}"}},
        },
    }


SCHEMAS = {
    "Schedule": SCHEDULE, "Organization": ORGANIZATION, "Taxonomy": TAXONOMY,
    "TaxonomyTerm": TAXONOMY_TERM, "ServiceAtLocation": SERVICE_AT_LOCATION, "ApiInfo": API_INFO,
    "ServicePage": page_schema("Service", "A page of services: the list form, minimal (id, name, "
                                          "status, last_modified) or fully nested"),
    "OrganizationPage": page_schema("Organization", "A page of organizations"),
    "TaxonomyPage": page_schema("Taxonomy", "A page of taxonomies"),
    "TaxonomyTermPage": page_schema("TaxonomyTerm", "A page of taxonomy terms"),
    "ServiceAtLocationPage": page_schema("ServiceAtLocation", "A page of services at their places"),
}


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema}


_FLAG = {"type": "boolean"}
_ID = {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[^\\x00-\\x1f\\x7f]+$"}

SEARCH = _query("search", {"type": "string", "maxLength": 200},
                "Text to search for. Services: ranked by the search index, listed services only; "
                "organizations, taxonomies and terms: held in their name, code or description")
PAGE = _query("page", {"type": "integer", "minimum": 1, "maximum": 10000, "default": 1}, "Page number")
PER_PAGE = _query("per_page", {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50},
                  "Items per page (minimal lists: up to 10000, default 10000)")
FORMAT = _query("format", {"type": "string", "enum": ["json", "ndjson"], "default": "json"},
                "json: a page; ndjson: every result, one JSON object a line, without paging "
                "(then page and per_page may not be given)")
FULL = _query("full", _FLAG, "Fully nested objects")
SERVICE_FILTERS = [
    _query("taxonomy_term_id", _ID, "Services carrying this taxonomy term (not a kiosk:* term: 400)"),
    _query("taxonomy_id", _ID, "Services carrying any term of this taxonomy (not kiosk-extensions: 400)"),
    _query("organization_id", _ID, "Services of this organization"),
    _query("modified_after", {"type": "string", "format": "date-time"},
           "Services whose last_modified is at or after this instant (ISO 8601; without an offset: "
           "UTC; a date: its midnight UTC), of every status, in id order. The list starts "
           "API_SYNC_OVERLAP_SECONDS (120) earlier, so a change committed late is not missed by "
           "a client syncing from the start of its previous sync (the Date header of its first "
           "page)."),
]
_JSON_OR_NDJSON = {"application/x-ndjson": {"schema": {"type": "string"}}}


def _listing(operation: str, summary: str, page: str, parameters: list[dict[str, Any]],
             description: str = "") -> dict[str, Any]:
    return {"get": {
        "operationId": operation, "summary": summary, "description": description,
        "parameters": parameters,
        "responses": {
            "200": {"description": "A page (format=json) or every item as a line (format=ndjson)",
                    "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{page}"}},
                                **_JSON_OR_NDJSON}},
            "400": _error("A parameter that is not taken, given twice, or cannot be honoured"),
        },
    }}


def _by_id(operation: str, summary: str, schema: str, parameters: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"get": {
        "operationId": operation, "summary": summary,
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                       *(parameters or [])],
        "responses": {"200": {"description": summary,
                              "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}},
                      "400": _error("A parameter that is not taken"),
                      "404": _error("No such record")},
    }}


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


PATHS: dict[str, Any] = {
    "/api/v1/": {"get": {
        "operationId": "apiInfo", "summary": "The HSDS version, profile and OpenAPI document of this API",
        "responses": {"200": {"description": "What this API is",
                              "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiInfo"}}}},
                      "400": _error("A parameter (this path takes none)")},
    }},
    "/api/v1/services": _listing(
        "listServices", "Services: the list form, minimal or fully nested", "ServicePage",
        [SEARCH, PAGE, PER_PAGE, FORMAT, *SERVICE_FILTERS,
         _query("minimal", _FLAG, "Only id, name, status and last_modified, all in one page by "
                                  "default (not with full)"),
         _query("full", _FLAG, "Fully nested services (not with minimal)")],
        "Services of every status (a retired listing is inactive), in id order, unless `search` "
        "ranks them. A listing held for review, or a retired sample listing, is a withdrawn stub: "
        "id, name, status inactive and last_modified only. Rules between parameters (400): "
        "minimal and full exclude each other."),
    "/api/v1/services/{id}": _by_id("getService", "One service, fully nested (any status; a retired "
                                                  "listing inactive; a held one its withdrawn stub)", "Service"),
    "/api/v1/taxonomies": _listing("listTaxonomies", "Taxonomies (the kiosk-extensions one last)",
                                   "TaxonomyPage", [SEARCH, PAGE, PER_PAGE, FORMAT]),
    "/api/v1/taxonomies/{id}": _by_id("getTaxonomy", "One taxonomy", "Taxonomy"),
    "/api/v1/taxonomy_terms": _listing(
        "listTaxonomyTerms", "Taxonomy terms (the kiosk:* terms last)", "TaxonomyTermPage",
        [SEARCH, PAGE, PER_PAGE, FORMAT, _query("taxonomy_id", _ID, "Terms of this taxonomy"),
         _query("top_only", _FLAG, "Only terms without a parent (not with parent_id)"),
         _query("parent_id", _ID, "Only the children of this term")]),
    "/api/v1/taxonomy_terms/{id}": _by_id("getTaxonomyTerm", "One taxonomy term, with its taxonomy",
                                          "TaxonomyTerm"),
    "/api/v1/organizations": _listing(
        "listOrganizations", "Organizations", "OrganizationPage",
        [SEARCH, _query("full_service", _FLAG, "With their services fully nested"), FULL, PAGE, PER_PAGE,
         FORMAT]),
    "/api/v1/organizations/{id}": _by_id(
        "getOrganization", "One organization, fully nested, with its services", "Organization",
        [_query("full_service", _FLAG, "Its services fully nested (else in the list form)")]),
    "/api/v1/service_at_locations": _listing(
        "listServiceAtLocations", "Services at their places", "ServiceAtLocationPage",
        [SEARCH, *SERVICE_FILTERS, FULL, PAGE, PER_PAGE, FORMAT,
         _query("postcode", {"type": "string", "pattern": "^[0-9]{5}(-[0-9]{4})?$"},
                "Alone: places with this postcode (never a confidential place, for anonymous "
                "callers). With proximity: the centre to measure from (the mean of the listed "
                "public places with that ZIP code)"),
         _query("proximity", {"type": "number", "exclusiveMinimum": 0, "maximum": 500000},
                "Metres from the postcode's centroid (needs postcode): places within it, nearest "
                "first. For anonymous callers a confidential place counts at the centre of its "
                "5.6 km grid cell, the distance rounded to whole km")],
        "Rules between parameters (400): proximity needs postcode, and that postcode must have a "
        "centroid (a listed public place with it)."),
    "/api/v1/service_at_locations/{id}": _by_id(
        "getServiceAtLocation", "One service at one place, fully nested, with its service",
        "ServiceAtLocation"),
}
