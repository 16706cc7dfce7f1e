"""The curated directory in a test app (imported as a module by the backup and fault tests)."""

from __future__ import annotations

from flask import Flask


def with_curated_directory(app: Flask) -> Flask:
    """Run ``kiosk init`` on ``app`` (migrations, the curated directory, its index); return ``app``."""
    result = app.test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0, result.output
    return app
