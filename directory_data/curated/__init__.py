"""The curated sample directory that every new kiosk installation starts with.

``kiosk init`` loads :func:`curated_path` through the HSDS 3.0 importer under the source name
:data:`CURATED_SOURCE`. The file is a single HSDS 3.0 API page (``total_items`` ... ``contents``)
of fully nested service objects for Seminole County, Florida: local listings are fictional and
marked as such (every local organization's description ends with :data:`SAMPLE_SENTENCE`, every
local phone number is a 555-01xx number, every address is plausible but invented), while the
national lines (988, the National Domestic Violence Hotline, Childhelp, RAINN and 211) are real.

The listings are authored in ``source/*.toml`` (one file per category, plus organizations,
locations and taxonomy terms) and expanded into ``seminole_county.json`` by::

    python -m directory_data.curated.build_curated          # rewrite the JSON
    python -m directory_data.curated.build_curated --check  # exit 1 if the JSON is out of date

The build is deterministic: every id comes from
``directory_data.models.base.stable_id(CURATED_SOURCE, table, key)`` and every date is written in
the source.
"""

from __future__ import annotations

import pathlib

#: Import source name of the curated listings (the ``source`` column of every imported record).
CURATED_SOURCE = "seminole-sample"

#: The sentence every fictional local organization's description ends with.
SAMPLE_SENTENCE = "Fictional sample listing for demonstration."

_HERE = pathlib.Path(__file__).resolve().parent


def curated_path() -> pathlib.Path:
    """The path of the built HSDS 3.0 JSON file of the curated directory."""
    return _HERE / "seminole_county.json"


def source_dir() -> pathlib.Path:
    """The folder holding the human-editable TOML source of the curated directory."""
    return _HERE / "source"
