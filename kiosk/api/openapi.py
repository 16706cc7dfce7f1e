"""The OpenAPI 3.1 document of the public API (``GET /api/v1/openapi.json``).

It describes what the endpoints do, and the test suite holds them to it (schemathesis calls every
operation with generated parameters and checks status codes, content types and response
schemas). The HSDS service object is described by its main fields; the full HSDS 3.0 schema is
checked separately in the tests.
"""

from __future__ import annotations

from typing import Any

from kiosk import __version__
from kiosk.api.openapi_hsds import (FLAG, NULLABLE_TEXT, PATHS, SCHEMAS, SERVICE_EXTRA, TEXT, Schema, array,
                                    json_response, obj, query, ref, refs)

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
    **SERVICE_EXTRA,
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


def _answer(schema: str, description: str) -> Schema:
    return json_response(description, ref(schema))


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
