"""The OpenAPI 3.1 document of the public API (``GET /api/v1/openapi.json``).

It describes what the endpoints do, and the test suite holds them to it (schemathesis calls every
operation with generated parameters and checks status codes, content types and response
schemas). The HSDS service object is described by its main fields; the full HSDS 3.0 schema is
checked separately in the tests.
"""

from __future__ import annotations

from typing import Any

from kiosk import __version__
from kiosk.api.openapi_hsds import PATHS, SCHEMAS, SERVICE_EXTRA

_NULLABLE_STRING = {"type": ["string", "null"]}

ERROR = {
    "type": "object",
    "required": ["error", "status"],
    "properties": {"error": {"type": "string"}, "status": {"type": "integer"},
                   "parameter": {"type": "string", "description": "the query parameter at fault"}},
}

ATTRIBUTE = {
    "type": "object",
    "required": ["id", "link_id", "link_type", "link_entity", "taxonomy_term_id"],
    "properties": {
        "id": {"type": "string"},
        "link_id": {"type": "string"},
        "link_type": {"type": "string"},
        "link_entity": {"type": "string"},
        "taxonomy_term_id": {"type": "string"},
        "value": _NULLABLE_STRING,
    },
}

PHONE = {
    "type": "object",
    "required": ["id", "number"],
    "properties": {"id": {"type": "string"}, "number": {"type": "string"},
                   "type": _NULLABLE_STRING, "description": _NULLABLE_STRING,
                   "attributes": {"type": "array", "items": {"$ref": "#/components/schemas/Attribute"}}},
}

LOCATION = {
    "type": "object",
    "required": ["id", "location_type"],
    "properties": {
        "id": {"type": "string"},
        "location_type": {"type": "string", "enum": ["physical", "postal", "virtual"]},
        "name": _NULLABLE_STRING,
        "latitude": {"type": ["number", "null"]},
        "longitude": {"type": ["number", "null"]},
        "addresses": {"type": "array", "items": {"type": "object", "required": ["id"]}},
        "phones": {"type": "array", "items": {"$ref": "#/components/schemas/Phone"}},
        "schedules": {"type": "array", "items": {"$ref": "#/components/schemas/Schedule"}},
        "attributes": {"type": "array", "items": {"$ref": "#/components/schemas/Attribute"}},
    },
}

SERVICE = {
    "type": "object",
    "description": "An Open Referral HSDS 3.0 service: its own fields and its organization's (the "
                   "list form), only id, name, status and last_modified (minimal), or fully "
                   "nested. For anonymous callers, officer-only "
                   "phones and officer notes are left out, and a confidential location keeps only "
                   "its id, name, type, public phones (without descriptions), hours (without "
                   "notes) and languages: no addresses, coordinates, accessibility or other free "
                   "text, and no service-at-location description.",
    "required": ["id", "name", "status"],
    "properties": {
        "id": {"type": "string"},
        "name": {"type": "string"},
        "alternate_name": _NULLABLE_STRING,
        "description": _NULLABLE_STRING,
        "status": {"type": "string",
                   "enum": ["active", "inactive", "defunct", "temporarily closed"]},
        "url": _NULLABLE_STRING,
        "email": _NULLABLE_STRING,
        "assured_date": _NULLABLE_STRING,
        "organization": {"type": "object", "required": ["id", "name"]},
        "phones": {"type": "array", "items": {"$ref": "#/components/schemas/Phone"}},
        "languages": {"type": "array", "items": {"type": "object", "required": ["id"]}},
        "cost_options": {"type": "array", "items": {"type": "object", "required": ["id"]}},
        "service_at_locations": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "location"],
                "properties": {"id": {"type": "string"},
                               "location": {"$ref": "#/components/schemas/Location"},
                               "schedules": {"type": "array", "items": {"$ref": "#/components/schemas/Schedule"}}},
            },
        },
        "attributes": {"type": "array", "items": {"$ref": "#/components/schemas/Attribute"}},
        **SERVICE_EXTRA,
    },
}

SEARCH_ERROR = {
    "type": "object",
    "required": ["error", "fields"],
    "properties": {"error": {"type": "string"},
                   "fields": {"type": "object", "additionalProperties": {"type": "string"}}},
}

SEARCH_RESULT = {
    "type": "object",
    "required": ["id", "sample", "name", "categories", "snippet", "phones", "address", "distance_km",
                 "open_now", "languages", "stale", "crisis"],
    "properties": {
        "id": {"type": "string"},
        "sample": {"type": "boolean",
                   "description": "one of the fictional sample directory's listings, not a real service"},
        "name": {"type": "string"},
        "organization": _NULLABLE_STRING,
        "categories": {"type": "array", "items": {"type": "string"}},
        "taxonomy": {"type": "array", "items": {"type": "object"}},
        "snippet": {"type": "string", "description": "HTML-safe; matches in <mark>"},
        "phones": {"type": "array", "items": {
            "type": "object", "required": ["number", "type"],
            "properties": {"number": {"type": "string"}, "type": {"type": "string"}}}},
        "address": {"type": ["object", "null"],
                    "description": "null when every place of the service is confidential"},
        "distance_km": {"type": ["number", "null"],
                        "description": "km to the nearest place; for anonymous callers a "
                                       "confidential place counts at the centre of its 5.6 km grid "
                                       "cell, rounded to whole km"},
        "open_now": {"type": ["boolean", "null"]},
        "languages": {"type": "array", "items": {"type": "string"}},
        "stale": {"type": "boolean"},
        "crisis": {"type": "boolean"},
    },
}

SEARCH_RESULTS = {
    "type": "object",
    "required": ["query", "total", "page", "per_page", "results", "facets", "suggestion", "crisis",
                 "needs", "out_of_scope", "unmet_needs", "scope_message"],
    "properties": {
        "query": {"type": "string"},
        "needs": {"type": "array", "items": {"type": "string"},
                  "description": "keys of the needs read from q (directory_data/needs.csv)"},
        "out_of_scope": {"type": "boolean",
                         "description": "q asks only for needs no listing serves: results holds no listing "
                                        "(pinned crisis lines only)"},
        "unmet_needs": {"type": "array", "items": {"type": "object", "required": ["category", "name", "handoff"],
                        "properties": {"category": {"type": "string"}, "name": {"type": "string"},
                                       "handoff": {"type": "string"}}}},
        "scope_message": _NULLABLE_STRING,
        "total": {"type": "integer", "minimum": 0},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1},
        "results": {"type": "array", "items": {"$ref": "#/components/schemas/SearchResult"}},
        "facets": {"type": "object", "properties": {
            "category": {"type": "object", "additionalProperties": {"type": "integer"}}}},
        "suggestion": _NULLABLE_STRING,
        "crisis": {"type": ["object", "null"], "properties": {
            "message": {"type": "string"}, "danger": {"type": "boolean"},
            "now": {"type": "boolean", "description": "the danger may be happening now: lead with Call 911 now"},
            "language": {"type": "string", "enum": ["en", "es", "ht"]},
            "heading": {"type": "string"}, "lead": {"type": "string"},
            "lines": {"type": "array", "items": {"type": "object", "properties": {
                "key": {"type": "string"}, "name": {"type": "string"}, "for": {"type": "string"},
                "call": {"type": "string"}, "phones": {"type": "array", "items": {"type": "string"}},
                "hours": {"type": "string"}, "actions": {"type": "array", "items": {"type": "string"}}}}}}},
    },
}

_NULLABLE_INT = {"type": ["integer", "null"]}

HEALTH_INDEX = {
    "type": "object",
    "required": ["usable", "problems"],
    "properties": {
        "usable": {"type": "boolean", "description": "this worker can search its index"},
        "documents": _NULLABLE_INT,
        "generation": {"type": ["string", "null"]},
        "position": {**_NULLABLE_INT, "description": "the journal position this index has applied"},
        "journal_head": {**_NULLABLE_INT, "description": "the journal's newest entry"},
        "lag": {**_NULLABLE_INT, "description": "journal entries not applied yet"},
        "seconds_behind": {"type": ["number", "null"], "description": "age of the oldest entry not applied"},
        "writable": {"type": ["boolean", "null"]},
        "free_bytes": _NULLABLE_INT,
        "problems": {"type": "array", "items": {"type": "string"}},
    },
}

HEALTH = {
    "type": "object",
    "required": ["status", "database", "version", "index", "problems"],
    "properties": {"status": {"type": "string", "enum": ["ok", "degraded", "unavailable"]},
                   "database": {"type": "boolean"}, "version": {"type": "string"},
                   "index": HEALTH_INDEX,
                   "problems": {"type": "array", "items": {"type": "string"}}},
}


REFERRAL_REQUEST = {
    "type": "object",
    "required": ["service_ids"],
    "properties": {
        "service_ids": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 10,
                        "description": "Ids of listed services (duplicates count once)"},
        "note": {"type": "string", "maxLength": 280, "description": "Optional; never a name"},
        "lang": {"type": "string", "enum": ["en", "es"]},
        "mode": {"type": "string", "enum": ["link", "text", "contact", "hotline"],
                 "description": "What the QR code carries: the page's URL, the referral as text, "
                                "the first service as a MECARD contact, or a tel: crisis line. "
                                "Left out: link, or text when the site has no public address "
                                "(PUBLIC_BASE_URL), which refuses link then"},
        "discreet": {"type": "boolean",
                     "description": "Neutral title and names; left out: on for abuse services"},
    },
}

REFERRAL = {
    "type": "object",
    "required": ["token", "url", "print_url", "qr_svg_url", "qr_png_url", "expires_at"],
    "properties": {
        "token": {"type": "string", "pattern": "^[A-Za-z0-9_-]{22}$"},
        "url": {"type": "string", "description": "On the site's public address (PUBLIC_BASE_URL), "
                                                 "or a path on this site when it has none"},
        "print_url": {"type": "string"},
        "qr_svg_url": {"type": "string"}, "qr_png_url": {"type": "string"},
        "expires_at": {"type": "string", "format": "date-time"},
        "mode": {"type": "string"},
        "qr_mode": {"type": "string", "description": "link when a text referral did not fit"},
        "discreet": {"type": "boolean"},
    },
}


def _json(schema_ref: str, description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}}


def _int_param(name: str, description: str, low: int, high: int, default: int) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "integer", "minimum": low, "maximum": high, "default": default}}


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document."""
    paths: dict[str, Any] = {
        "/api/v1/search": {"get": {
            "operationId": "search",
            "summary": "Search the directory (crisis lines pinned for queries that signal danger)",
            "description": "Rules between parameters (checked, answered with 400): lat/lon in "
                           "`near` and `zip` exclude each other, and `radius_km` needs one of them. "
                           "For anonymous callers every distance, radius test, order, total and "
                           "facet counts a confidential place at the centre of its grid cell, and "
                           "a ZIP code's centroid is the mean of its public places only.",
            "parameters": [
                {"name": "q", "in": "query", "required": False,
                 "schema": {"type": "string", "maxLength": 8000},
                 "description": "Free text (typos, Spanish and synonyms understood)"},
                {"name": "category", "in": "query", "required": False, "style": "form",
                 "explode": True, "schema": {"type": "array", "items": {
                     "type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,59}(,[a-z0-9][a-z0-9_-]{0,59})*$"}},
                 "description": "Category slugs; repeat or comma-separate for several"},
                {"name": "lang", "in": "query", "required": False,
                 "schema": {"type": "string", "pattern": "^[a-z]{2,3}$"},
                 "description": "ISO 639 code of a language the service is offered in; en/es "
                                "also choose the language of snippets and crisis message"},
                {"name": "open_now", "in": "query", "required": False, "schema": {"type": "boolean"}},
                {"name": "near", "in": "query", "required": False,
                 "schema": {"type": "string",
                            "pattern": "^-?(90(\\.0+)?|[1-8]?[0-9](\\.[0-9]+)?),-?(180(\\.0+)?|(1[0-7][0-9]|[1-9]?[0-9])(\\.[0-9]+)?)$"},
                 "description": "LAT,LON: distances from there"},
                {"name": "zip", "in": "query", "required": False,
                 "schema": {"type": "string", "pattern": "^[0-9]{5}$"}},
                {"name": "radius_km", "in": "query", "required": False,
                 "schema": {"type": "number", "exclusiveMinimum": 0, "maximum": 500}},
                {"name": "free", "in": "query", "required": False, "schema": {"type": "boolean"}},
                {"name": "age", "in": "query", "required": False,
                 "schema": {"type": "integer", "minimum": 0, "maximum": 130}},
                _int_param("page", "Page number", 1, 1000, 1),
                _int_param("per_page", "Results per page", 1, 50, 10),
            ],
            "responses": {
                "200": _json("SearchResults", "A page of results"),
                "400": _json("SearchError", "Parameters that cannot make a search, by name"),
                "503": _json("SearchError", "The index or the database is not available yet"),
            },
        }},
        "/api/v1/openapi.json": {"get": {
            "operationId": "openapi",
            "summary": "This document",
            "responses": {"200": {"description": "The OpenAPI 3.1 document",
                                  "content": {"application/json": {"schema": {"type": "object"}}}}},
        }},
        "/api/v1/referrals": {"post": {
            "operationId": "createReferral",
            "summary": "Make a referral: its page, printable slip and QR codes (expires after 30 days "
                       "by default). Stores no address, user agent or session.",
            "description": "Needs the CSRF token of the app's pages (`<meta name=\"csrf-token\">`) "
                           "in the `X-CSRFToken` header, with the same session cookie.",
            "parameters": [{"name": "X-CSRFToken", "in": "header", "required": False,
                            "schema": {"type": "string"}}],
            "requestBody": {"required": True, "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/ReferralRequest"}}}},
            "responses": {"201": _json("Referral", "The referral"),
                          "400": _json("SearchError", "A bad body (by field), or no valid CSRF token; "
                                                      "nothing is stored"),
                          "413": _json("SearchError", "A body over 1 MiB; nothing is read or stored"),
                          "429": _json("SearchError", "Too many referrals from this address; wait a "
                                                      "minute")},
        }},
        "/healthz": {"get": {
            "operationId": "health",
            "summary": "Whether this worker, its database and its search index answer, and how current the index is",
            "responses": {"200": _json("Health", "Healthy (status ok), or answering with problems (status degraded)"),
                          "503": _json("Health", "The database does not answer or the index cannot be searched")},
        }},
    }
    paths.update(PATHS)
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
        "paths": paths,
        "components": {"schemas": {
            "Error": ERROR, "Attribute": ATTRIBUTE, "Phone": PHONE, "Location": LOCATION,
            "Service": SERVICE, "Health": HEALTH, **SCHEMAS,
            "SearchResult": SEARCH_RESULT, "SearchResults": SEARCH_RESULTS, "SearchError": SEARCH_ERROR,
            "ReferralRequest": REFERRAL_REQUEST, "Referral": REFERRAL,
        }},
    }
