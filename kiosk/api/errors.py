"""Errors under ``/api/`` are JSON: ``{"error": message, "status": code}`` (and ``parameter``
for a bad query parameter), whatever went wrong -- an unknown path (404), a method the path does
not take (405, with ``Allow``), a bad parameter (400), or a fault (500). Other paths keep their
HTML pages. Blueprints with their own error shape (``/api/v1/search``) keep it."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger(__name__)

API_PREFIX = "/api/"


def error_response(status: int, message: str, **extra: str) -> ResponseReturnValue:
    """The JSON error answer."""
    return jsonify({"error": message, "status": status, **extra}), status


def fields_error(status: int, message: str, fields: dict[str, str] | None = None) -> ResponseReturnValue:
    """The error answer of the search and referral endpoints: ``{"error", "fields": {name: message}}``."""
    return jsonify({"error": message, "fields": fields or {}}), status


def fields_http_error(error: HTTPException) -> ResponseReturnValue:
    """An HTTP error in the shape of :func:`fields_error`."""
    return fields_error(error.code or 500, error.description or error.name)


def _http_error(error: HTTPException) -> ResponseReturnValue:
    if not request.path.startswith(API_PREFIX):
        return error
    extra = {"parameter": error.parameter} if getattr(error, "parameter", None) else {}
    body, status = error_response(error.code or 500, error.description or error.name, **extra)
    allow = dict(error.get_headers()).get("Allow")
    return (body, status, {"Allow": allow}) if allow else (body, status)


def _fault(error: Exception) -> ResponseReturnValue:
    if not request.path.startswith(API_PREFIX):
        raise error
    log.exception("unexpected error on %s %s", request.method, request.endpoint)
    return error_response(500, InternalServerError.description)


def init_app(app: Flask) -> None:
    """Answer every error under ``/api/`` with JSON (see the module docstring)."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _fault)
