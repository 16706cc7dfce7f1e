"""The HSDS 3.0 part of the OpenAPI document: the paths of :mod:`kiosk.api.directory` and the
schemas of their answers, and the small builders both parts of the document use.

The schemas state what the answers promise (required fields, types, formats, the current fields
only, offsets on schedule times) without copying the whole HSDS schemas; the conformance tests
(``tests/test_api_conformance.py``) check every answer against the official ones as well.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

TEXT: Schema = {"type": "string"}
NULLABLE_TEXT: Schema = {"type": ["string", "null"]}
FLAG: Schema = {"type": "boolean"}


def ref(name: str) -> Schema:
    """A reference to the component schema ``name``."""
    return {"$ref": f"#/components/schemas/{name}"}


def array(items: Schema, **more: Any) -> Schema:
    """An array of ``items``."""
    return {"type": "array", "items": items, **more}


def refs(name: str) -> Schema:
    """An array of the component schema ``name``."""
    return array(ref(name))


def obj(required: list[str], properties: Schema, **more: Any) -> Schema:
    """An object with these ``required`` fields and ``properties``."""
    return {"type": "object", **more, "required": required, "properties": properties}


def json_response(description: str, schema: Schema) -> Schema:
    """A response whose JSON body follows ``schema``."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def query(name: str, schema: Schema, description: str | None = None) -> Schema:
    """An optional query parameter."""
    param = {"name": name, "in": "query", "required": False, "schema": schema}
    return param if description is None else {**param, "description": description}


def error(description: str) -> Schema:
    """An answer with the API's JSON error."""
    return json_response(description, ref("Error"))


_TIME_WITH_OFFSET = {"type": "string", "pattern": r"^\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})$",
                     "description": "Wall-clock time with the UTC offset of its zone at the time of "
                                    "the answer, e.g. 09:00-05:00"}
_URI = {"type": "string", "format": "uri"}

SCHEDULE = obj(["id", "timezone"], {
    "id": TEXT,
    "timezone": {"type": "number", "minimum": -12, "maximum": 14,
                 "description": "UTC offset in hours of the schedule's zone (IANA name in the "
                                "kiosk:timezone attribute, else the directory's zone) at the "
                                "time of the answer"},
    "opens_at": _TIME_WITH_OFFSET,
    "closes_at": _TIME_WITH_OFFSET,
    "freq": {"type": "string", "enum": ["WEEKLY", "MONTHLY"]},
    "byday": TEXT,
    "valid_from": {"type": "string", "format": "date"},
    "valid_to": {"type": "string", "format": "date"},
})

# ``False``: a deprecated HSDS 3.0 field the API never sends (the property may not appear).
ORGANIZATION = obj(["id", "name", "description"], {
    "id": TEXT, "name": TEXT, "description": TEXT, "email": TEXT, "website": _URI,
    "phones": refs("Phone"), "locations": refs("Location"), "services": refs("Service"),
    "tax_status": False, "tax_id": False,
}, description="An HSDS 3.0 organization: its own fields (the list form); fully nested "
               "(phones, locations, attributes) with full=true or by id; with services "
               "(in the list form, or fully nested with full_service=true).")

TAXONOMY = obj(["id", "name", "description"], {"id": TEXT, "name": TEXT, "description": TEXT,
                                               "uri": _URI, "version": TEXT})

TAXONOMY_TERM = obj(["id", "name", "description"], {
    "id": TEXT, "code": TEXT, "name": TEXT, "description": TEXT, "parent_id": TEXT, "taxonomy": TEXT,
    "taxonomy_id": TEXT, "taxonomy_detail": ref("Taxonomy")})

SERVICE_AT_LOCATION = obj(["id", "service_id", "location_id", "location", "service"], {
    "id": TEXT, "service_id": TEXT, "location_id": TEXT, "description": TEXT,
    "location": ref("Location"), "service": ref("Service"), "schedules": refs("Schedule"),
}, description="A service at one of its places: the link's fields, its place and its service "
               "(their own fields; fully nested with full=true or by id). A confidential place "
               "shows anonymous callers no position, address or free text.")

API_INFO = obj(["version", "profile", "openapi_url"], {
    "version": {"type": "string", "const": "3.0"}, "profile": _URI, "openapi_url": _URI})

#: Fields every service object has beyond the base schema of :mod:`kiosk.api.openapi`.
SERVICE_EXTRA = {
    "last_modified": {"type": "string", "format": "date-time",
                      "description": "When the service or anything it shows last changed (the "
                                     "change journal), or its zone's UTC offset did"},
    "schedules": refs("Schedule"),
    "wait_time": False, "fees": False, "licenses": False,
    "capacities": array(obj(["id", "unit", "available", "updated"], {
        "id": TEXT, "service_id": TEXT, "unit_id": TEXT,
        "unit": obj(["id", "name"], {"id": TEXT, "name": TEXT, "scheme": TEXT, "identifier": TEXT, "uri": _URI}),
        "available": {"type": "integer", "minimum": 0}, "maximum": {"type": "integer", "minimum": 0},
        "description": TEXT,
        "updated": {"type": "string", "format": "date-time", "description": "when the count was true"},
    }), description="HSDS 3.1 service_capacity objects (fully nested services only): how many of "
                     "each unit the service has free, as of when"),
}


def page_schema(item: str, description: str) -> Schema:
    """The HSDS paged list of ``item`` objects."""
    counts = {name: {"type": "integer", "minimum": low}
              for name, low in (("total_items", 0), ("total_pages", 1), ("page_number", 1), ("size", 0))}
    flags = {name: FLAG for name in ("first_page", "last_page", "empty")}
    properties = {**counts, **flags, "contents": refs(item)}
    return obj(list(properties), properties, description=description)


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

_ID = {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[^\\x00-\\x1f\\x7f]+$"}

SEARCH = query("search", {"type": "string", "maxLength": 200},
               "Text to search for. Services: ranked by the search index, listed services only; "
               "organizations, taxonomies and terms: held in their name, code or description")
PAGING = [
    query("page", {"type": "integer", "minimum": 1, "maximum": 10000, "default": 1}, "Page number"),
    query("per_page", {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50},
          "Items per page (minimal lists: up to 10000, default 10000)"),
    query("format", {"type": "string", "enum": ["json", "ndjson"], "default": "json"},
          "json: a page; ndjson: every result, one JSON object a line, without paging "
          "(then page and per_page may not be given)"),
]
FULL = query("full", FLAG, "Fully nested objects")
FULL_SERVICE = query("full_service", FLAG, "With their services fully nested")
SERVICE_FILTERS = [
    query("taxonomy_term_id", _ID, "Services carrying this taxonomy term (not a kiosk:* term: 400)"),
    query("taxonomy_id", _ID, "Services carrying any term of this taxonomy (not kiosk-extensions: 400)"),
    query("organization_id", _ID, "Services of this organization"),
    query("modified_after", {"type": "string", "format": "date-time"},
          "Services whose last_modified is at or after this instant (ISO 8601; without an offset: "
          "UTC; a date: its midnight UTC), of every status, in id order. The list starts "
          "API_SYNC_OVERLAP_SECONDS (120) earlier, so a change committed late is not missed by "
          "a client syncing from the start of its previous sync (the Date header of its first "
          "page)."),
]


def _listing(operation: str, summary: str, page: str, parameters: list[Schema],
             description: str = "") -> Schema:
    ok = json_response("A page (format=json) or every item as a line (format=ndjson)", ref(page))
    ok["content"]["application/x-ndjson"] = {"schema": TEXT}
    return {"get": {
        "operationId": operation, "summary": summary, "description": description,
        "parameters": [SEARCH, *parameters, *PAGING],
        "responses": {"200": ok, "400": error("A parameter that is not taken, given twice, or cannot be honoured")},
    }}


def _by_id(operation: str, summary: str, schema: str, parameters: list[Schema] | None = None) -> Schema:
    return {"get": {
        "operationId": operation, "summary": summary,
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": TEXT}, *(parameters or [])],
        "responses": {"200": json_response(summary, ref(schema)), "400": error("A parameter that is not taken"),
                      "404": error("No such record")},
    }}


PATHS: dict[str, Any] = {
    "/api/v1/": {"get": {
        "operationId": "apiInfo", "summary": "The HSDS version, profile and OpenAPI document of this API",
        "responses": {"200": json_response("What this API is", ref("ApiInfo")),
                      "400": error("A parameter (this path takes none)")},
    }},
    "/api/v1/services": _listing(
        "listServices", "Services: the list form, minimal or fully nested", "ServicePage",
        [*SERVICE_FILTERS, query("minimal", FLAG, "Only id, name, status and last_modified, all in one page "
                                                  "by default (not with full)"),
         query("full", FLAG, "Fully nested services (not with minimal)")],
        "Services of every status (a retired listing is inactive), in id order, unless `search` "
        "ranks them. A listing held for review, or a retired sample listing, is a withdrawn stub: "
        "id, name, status inactive and last_modified only. Rules between parameters (400): "
        "minimal and full exclude each other."),
    "/api/v1/services/{id}": _by_id("getService", "One service, fully nested (any status; a retired "
                                                  "listing inactive; a held one its withdrawn stub)", "Service"),
    "/api/v1/taxonomies": _listing("listTaxonomies", "Taxonomies (the kiosk-extensions one last)",
                                   "TaxonomyPage", []),
    "/api/v1/taxonomies/{id}": _by_id("getTaxonomy", "One taxonomy", "Taxonomy"),
    "/api/v1/taxonomy_terms": _listing(
        "listTaxonomyTerms", "Taxonomy terms (the kiosk:* terms last)", "TaxonomyTermPage",
        [query("taxonomy_id", _ID, "Terms of this taxonomy"),
         query("top_only", FLAG, "Only terms without a parent (not with parent_id)"),
         query("parent_id", _ID, "Only the children of this term")]),
    "/api/v1/taxonomy_terms/{id}": _by_id("getTaxonomyTerm", "One taxonomy term, with its taxonomy",
                                          "TaxonomyTerm"),
    "/api/v1/organizations": _listing("listOrganizations", "Organizations", "OrganizationPage",
                                      [FULL_SERVICE, FULL]),
    "/api/v1/organizations/{id}": _by_id(
        "getOrganization", "One organization, fully nested, with its services", "Organization",
        [query("full_service", FLAG, "Its services fully nested (else in the list form)")]),
    "/api/v1/service_at_locations": _listing(
        "listServiceAtLocations", "Services at their places", "ServiceAtLocationPage",
        [*SERVICE_FILTERS, FULL,
         query("postcode", {"type": "string", "pattern": "^[0-9]{5}(-[0-9]{4})?$"},
               "Alone: places with this postcode (never a confidential place, for anonymous "
               "callers). With proximity: the centre to measure from (the mean of the listed "
               "public places with that ZIP code)"),
         query("proximity", {"type": "number", "exclusiveMinimum": 0, "maximum": 500000},
               "Metres from the postcode's centroid (needs postcode): places within it, nearest "
               "first. For anonymous callers a confidential place counts at the centre of its "
               "5.6 km grid cell, the distance rounded to whole km")],
        "Rules between parameters (400): proximity needs postcode, and that postcode must have a "
        "centroid (a listed public place with it)."),
    "/api/v1/service_at_locations/{id}": _by_id(
        "getServiceAtLocation", "One service at one place, fully nested, with its service",
        "ServiceAtLocation"),
}
