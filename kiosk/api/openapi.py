"""The OpenAPI 3.1 document of the public API (``GET /api/v1/openapi.json``).

It describes what the endpoints do, and the test suite holds them to it (schemathesis calls every
operation with generated parameters and checks status codes, content types and response
schemas). The schemas state what the answers promise (required fields, types, formats, the
current fields only, offsets on schedule times) without copying the whole HSDS 3.0 schemas; the
conformance tests (``tests/test_api_conformance.py``) check every HSDS answer against the
official ones as well.
"""

from __future__ import annotations

from typing import Any

from kiosk import __version__

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


def _answer(schema: str, description: str) -> Schema:
    """A JSON answer following the component schema ``schema``."""
    return json_response(description, ref(schema))


def error(description: str) -> Schema:
    """An answer with the API's JSON error."""
    return _answer("Error", description)


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
        "responses": {"200": _answer(schema, summary), "400": error("A parameter that is not taken"),
                      "404": error("No such record")},
    }}


PATHS: dict[str, Any] = {
    "/api/v1/": {"get": {
        "operationId": "apiInfo", "summary": "The HSDS version, profile and OpenAPI document of this API",
        "responses": {"200": _answer("ApiInfo", "What this API is"),
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


# The search, referral and health parts ------------------------------------------------------

_NULLABLE_INT = {"type": ["integer", "null"]}
_TEXTS = array(TEXT)
_ID_ONLY = {"type": "object", "required": ["id"]}

ERROR = obj(["error", "status"], {"error": TEXT, "status": {"type": "integer"},
                                  "parameter": {"type": "string", "description": "the query parameter at fault"}})

ATTRIBUTE = obj(["id", "link_id", "link_type", "link_entity", "taxonomy_term_id"], {
    **{name: TEXT for name in ("id", "link_id", "link_type", "link_entity", "taxonomy_term_id")},
    "value": NULLABLE_TEXT})

PHONE = obj(["id", "number"], {"id": TEXT, "number": TEXT, "type": NULLABLE_TEXT, "description": NULLABLE_TEXT,
                               "attributes": refs("Attribute")})

LOCATION = obj(["id", "location_type"], {
    "id": TEXT,
    "location_type": {"type": "string", "enum": ["physical", "postal", "virtual"]},
    "name": NULLABLE_TEXT,
    "latitude": {"type": ["number", "null"]},
    "longitude": {"type": ["number", "null"]},
    "addresses": array(_ID_ONLY),
    "phones": refs("Phone"),
    "schedules": refs("Schedule"),
    "attributes": refs("Attribute"),
})

SERVICE = obj(["id", "name", "status"], {
    "id": TEXT,
    "name": TEXT,
    "alternate_name": NULLABLE_TEXT,
    "description": NULLABLE_TEXT,
    "status": {"type": "string", "enum": ["active", "inactive", "defunct", "temporarily closed"]},
    "url": NULLABLE_TEXT,
    "email": NULLABLE_TEXT,
    "assured_date": NULLABLE_TEXT,
    "organization": {"type": "object", "required": ["id", "name"]},
    "phones": refs("Phone"),
    "languages": array(_ID_ONLY),
    "cost_options": array(_ID_ONLY),
    "service_at_locations": array(obj(["id", "location"], {
        "id": TEXT, "location": ref("Location"), "schedules": refs("Schedule")})),
    "attributes": refs("Attribute"),
    "last_modified": {"type": "string", "format": "date-time",
                      "description": "When the service or anything it shows last changed (the "
                                     "change journal), or its zone's UTC offset did"},
    "schedules": refs("Schedule"),
    "wait_time": False, "fees": False, "licenses": False,  # deprecated HSDS fields, never sent
    "capacities": array(obj(["id", "unit", "available", "updated"], {
        "id": TEXT, "service_id": TEXT, "unit_id": TEXT,
        "unit": obj(["id", "name"], {"id": TEXT, "name": TEXT, "scheme": TEXT, "identifier": TEXT, "uri": _URI}),
        "available": {"type": "integer", "minimum": 0}, "maximum": {"type": "integer", "minimum": 0},
        "description": TEXT,
        "updated": {"type": "string", "format": "date-time", "description": "when the count was true"},
    }), description="HSDS 3.1 service_capacity objects (fully nested services only): how many of "
                     "each unit the service has free, as of when"),
}, description="An Open Referral HSDS 3.0 service: its own fields and its organization's (the "
               "list form), only id, name, status and last_modified (minimal), or fully "
               "nested. For anonymous callers, officer-only "
               "phones and officer notes are left out, and a confidential location keeps only "
               "its id, name, type, public phones (without descriptions), hours (without "
               "notes) and languages: no addresses, coordinates, accessibility or other free "
               "text, and no service-at-location description.")

SEARCH_ERROR = obj(["error", "fields"], {"error": TEXT,
                                         "fields": {"type": "object", "additionalProperties": TEXT}})

SEARCH_RESULT = obj(["id", "sample", "name", "categories", "snippet", "phones", "address", "distance_km",
                     "open_now", "languages", "stale", "crisis", "availability"], {
    "id": TEXT,
    "sample": {"type": "boolean", "description": "one of the fictional sample directory's listings, not a real service"},
    "name": TEXT,
    "organization": NULLABLE_TEXT,
    "categories": _TEXTS,
    "taxonomy": array({"type": "object"}),
    "snippet": {"type": "string", "description": "HTML-safe; matches in <mark>"},
    "phones": array(obj(["number", "type"], {"number": TEXT, "type": TEXT})),
    "address": {"type": ["object", "null"], "description": "null when every place of the service is confidential"},
    "distance_km": {"type": ["number", "null"],
                    "description": "km to the nearest place; for anonymous callers a "
                                   "confidential place counts at the centre of its 5.6 km grid "
                                   "cell, rounded to whole km"},
    "open_now": {"type": ["boolean", "null"]},
    "languages": _TEXTS,
    "stale": FLAG,
    "crisis": FLAG,
    "availability": array(obj(["unit", "unit_es", "available", "maximum", "call_to_check", "updated"], {
        "unit": TEXT, "unit_es": NULLABLE_TEXT,
        "available": {"type": ["integer", "null"], "minimum": 0,
                      "description": "free now; null when the count is older than the configured age"},
        "maximum": {"type": ["integer", "null"], "minimum": 0},
        "call_to_check": {"type": "boolean", "description": "the count is too old to show: call to check"},
        "updated": {"type": "string", "format": "date-time", "description": "when the count was true"},
    }), description="The service's capacities (HSDS 3.1 service_capacity), as of each count's time"),
})

_CRISIS_LINE = {"type": "object", "properties": {
    **{name: TEXT for name in ("key", "name", "for", "call")}, "phones": _TEXTS, "hours": TEXT, "actions": _TEXTS}}

SEARCH_RESULTS = obj(["query", "total", "page", "per_page", "results", "facets", "suggestion", "crisis",
                      "needs", "out_of_scope", "unmet_needs", "scope_message"], {
    "query": TEXT,
    "needs": array(TEXT, description="keys of the needs read from q (directory_data/needs.csv)"),
    "out_of_scope": {"type": "boolean",
                     "description": "q asks only for needs no listing serves: results holds no listing "
                                    "(pinned crisis lines only)"},
    "unmet_needs": array(obj(["category", "name", "handoff"], {"category": TEXT, "name": TEXT, "handoff": TEXT})),
    "scope_message": NULLABLE_TEXT,
    "total": {"type": "integer", "minimum": 0},
    "page": {"type": "integer", "minimum": 1},
    "per_page": {"type": "integer", "minimum": 1},
    "results": refs("SearchResult"),
    "facets": {"type": "object", "properties": {
        "category": {"type": "object", "additionalProperties": {"type": "integer"}}}},
    "suggestion": NULLABLE_TEXT,
    "crisis": {"type": ["object", "null"], "properties": {
        "message": TEXT, "danger": FLAG,
        "now": {"type": "boolean", "description": "the danger may be happening now: lead with Call 911 now"},
        "language": {"type": "string", "enum": ["en", "es", "ht"]},
        "heading": TEXT, "lead": TEXT, "lines": array(_CRISIS_LINE)}},
})

HEALTH_INDEX = obj(["usable", "problems"], {
    "usable": {"type": "boolean", "description": "this worker can search its index"},
    "documents": _NULLABLE_INT,
    "generation": NULLABLE_TEXT,
    "position": {**_NULLABLE_INT, "description": "the journal position this index has applied"},
    "journal_head": {**_NULLABLE_INT, "description": "the journal's newest entry"},
    "lag": {**_NULLABLE_INT, "description": "journal entries not applied yet"},
    "seconds_behind": {"type": ["number", "null"], "description": "age of the oldest entry not applied"},
    "writable": {"type": ["boolean", "null"]},
    "free_bytes": _NULLABLE_INT,
    "problems": _TEXTS,
})

HEALTH = obj(["status", "database", "version", "index", "problems"], {
    "status": {"type": "string", "enum": ["ok", "degraded", "unavailable"]},
    "database": FLAG, "version": TEXT, "index": HEALTH_INDEX, "problems": _TEXTS})

REFERRAL_REQUEST = obj(["service_ids"], {
    "service_ids": array(TEXT, minItems=1, maxItems=10, description="Ids of listed services (duplicates count once)"),
    "note": {"type": "string", "maxLength": 280, "description": "Optional; never a name"},
    "lang": {"type": "string", "enum": ["en", "es"]},
    "mode": {"type": "string", "enum": ["link", "text", "contact", "hotline"],
             "description": "What the QR code carries: the page's URL, the referral as text, "
                            "the first service as a MECARD contact, or a tel: crisis line. "
                            "Left out: link, or text when the site has no public address "
                            "(PUBLIC_BASE_URL), which refuses link then"},
    "discreet": {"type": "boolean", "description": "Neutral title and names; left out: on for abuse services"},
})

REFERRAL = obj(["token", "url", "print_url", "qr_svg_url", "qr_png_url", "expires_at"], {
    "token": {"type": "string", "pattern": "^[A-Za-z0-9_-]{22}$"},
    "url": {"type": "string", "description": "On the site's public address (PUBLIC_BASE_URL), "
                                             "or a path on this site when it has none"},
    "print_url": TEXT, "qr_svg_url": TEXT, "qr_png_url": TEXT,
    "expires_at": {"type": "string", "format": "date-time"},
    "mode": TEXT,
    "qr_mode": {"type": "string", "description": "link when a text referral did not fit"},
    "discreet": FLAG,
})


def _int_param(name: str, description: str, low: int, high: int, default: int) -> Schema:
    return query(name, {"type": "integer", "minimum": low, "maximum": high, "default": default}, description)


_NEAR = ("^-?(90(\\.0+)?|[1-8]?[0-9](\\.[0-9]+)?),"
         "-?(180(\\.0+)?|(1[0-7][0-9]|[1-9]?[0-9])(\\.[0-9]+)?)$")

SEARCH_PATH = {"get": {
    "operationId": "search",
    "summary": "Search the directory (crisis lines pinned for queries that signal danger)",
    "description": "Rules between parameters (checked, answered with 400): lat/lon in "
                   "`near` and `zip` exclude each other, and `radius_km` needs one of them. "
                   "For anonymous callers every distance, radius test, order, total and "
                   "facet counts a confidential place at the centre of its grid cell, and "
                   "a ZIP code's centroid is the mean of its public places only.",
    "parameters": [
        query("q", {"type": "string", "maxLength": 8000}, "Free text (typos, Spanish and synonyms understood)"),
        {**query("category", array({"type": "string",
                                    "pattern": "^[a-z0-9][a-z0-9_-]{0,59}(,[a-z0-9][a-z0-9_-]{0,59})*$"}),
                 "Category slugs; repeat or comma-separate for several"), "style": "form", "explode": True},
        query("lang", {"type": "string", "pattern": "^[a-z]{2,3}$"},
              "ISO 639 code of a language the service is offered in; en/es "
              "also choose the language of snippets and crisis message"),
        query("open_now", FLAG),
        query("has_room", FLAG, "Only services with a count with room (available > 0) younger than "
                                "the configured age"),
        query("near", {"type": "string", "pattern": _NEAR}, "LAT,LON: distances from there"),
        query("zip", {"type": "string", "pattern": "^[0-9]{5}$"}),
        query("radius_km", {"type": "number", "exclusiveMinimum": 0, "maximum": 500}),
        query("free", FLAG),
        query("age", {"type": "integer", "minimum": 0, "maximum": 130}),
        _int_param("page", "Page number", 1, 1000, 1),
        _int_param("per_page", "Results per page", 1, 50, 10),
    ],
    "responses": {
        "200": _answer("SearchResults", "A page of results"),
        "400": _answer("SearchError", "Parameters that cannot make a search, by name"),
        "503": _answer("SearchError", "The index or the database is not available yet"),
    },
}}

OTHER_PATHS = {
    "/api/v1/openapi.json": {"get": {
        "operationId": "openapi", "summary": "This document",
        "responses": {"200": json_response("The OpenAPI 3.1 document", {"type": "object"})},
    }},
    "/api/v1/referrals": {"post": {
        "operationId": "createReferral",
        "summary": "Make a referral: its page, printable slip and QR codes (expires after 30 days "
                   "by default). Stores no address, user agent or session.",
        "description": "Needs the CSRF token of the app's pages (`<meta name=\"csrf-token\">`) "
                       "in the `X-CSRFToken` header, with the same session cookie.",
        "parameters": [{"name": "X-CSRFToken", "in": "header", "required": False, "schema": TEXT}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": ref("ReferralRequest")}}},
        "responses": {"201": _answer("Referral", "The referral"),
                      "400": _answer("SearchError", "A bad body (by field), or no valid CSRF token; nothing is stored"),
                      "413": _answer("SearchError", "A body over 1 MiB; nothing is read or stored"),
                      "429": _answer("SearchError", "Too many referrals from this address; wait a minute")},
    }},
    "/healthz": {"get": {
        "operationId": "health",
        "summary": "Whether this worker, its database and its search index answer, and how current the index is",
        "responses": {"200": _answer("Health", "Healthy (status ok), or answering with problems (status degraded)"),
                      "503": _answer("Health", "The database does not answer or the index cannot be searched")},
    }},
}


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document."""
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Community resource directory API",
            "version": __version__,
            "description": "Read-only access to the directory: the Open Referral HSDS 3.0 API "
                           "(every path and parameter of its OpenAPI document, under /api/v1), "
                           "the directory search, referrals and health. No key is needed; nothing "
                           "about callers is kept. Errors under /api/ are JSON.",
        },
        "servers": [{"url": "/"}],
        "paths": {"/api/v1/search": SEARCH_PATH, **OTHER_PATHS, **PATHS},
        "components": {"schemas": {
            "Error": ERROR, "Attribute": ATTRIBUTE, "Phone": PHONE, "Location": LOCATION,
            "Service": SERVICE, "Health": HEALTH, **SCHEMAS,
            "SearchResult": SEARCH_RESULT, "SearchResults": SEARCH_RESULTS, "SearchError": SEARCH_ERROR,
            "ReferralRequest": REFERRAL_REQUEST, "Referral": REFERRAL,
        }},
    }
