"""The curated directory every new kiosk installation can start with, in two parts.

* **The real lines** (:func:`national_path`, source :data:`NATIONAL_SOURCE`): the national and
  Florida help lines of ``source/national.toml`` (988, the National Domestic Violence Hotline,
  Childhelp, RAINN, 211, the trafficking and poison lines, the Florida Abuse Hotline). They are
  real; ``kiosk init`` loads them into every directory and keeps them up to date.
* **The sample** (:func:`sample_path`, source :data:`SAMPLE_SOURCE`): fictional Seminole County
  listings for trying the kiosk out (every organization's description ends with
  :data:`SAMPLE_SENTENCE`, every phone number is a 555-01xx number, every address is plausible
  but invented). Every surface marks them "Sample listing". ``kiosk init`` loads the sample only
  into an empty directory, ``kiosk sample load`` on request; the first import of real data offers
  to retire it (:mod:`directory_data.sample`).

Both parts' taxonomy terms (real AIRS/211 terms) are upserted under :data:`TAXONOMY_SOURCE`
with their code as source id, so both files share one record per term.

Each part is a single HSDS 3.0 API page (``total_items`` ... ``contents``) of fully nested
service objects, authored in ``source/*.toml`` and expanded by::

    python -m directory_data.curated.build_curated          # rewrite the JSON files
    python -m directory_data.curated.build_curated --check  # exit 1 if a JSON file is out of date

The build is deterministic: every id comes from
``directory_data.models.base.stable_id(ID_SEED, table, key)`` and every date is written in the
source.
"""

from __future__ import annotations

import pathlib

#: Import source name of the fictional sample listings (the ``source`` column of their records).
SAMPLE_SOURCE = "sample"

#: Import source name of the real national and Florida lines.
NATIONAL_SOURCE = "national"

#: Import source name of the curated taxonomy terms (their source id is the term's code).
TAXONOMY_SOURCE = "airs-211"

#: What every id of the curated directory is derived from (the source name of releases that kept
#: both parts under one source; kept so that ids never change).
ID_SEED = "seminole-sample"

#: The sentence every fictional local organization's description ends with.
SAMPLE_SENTENCE = "Fictional sample listing for demonstration."

_HERE = pathlib.Path(__file__).resolve().parent


def sample_path() -> pathlib.Path:
    """The path of the built HSDS 3.0 JSON file of the fictional sample directory."""
    return _HERE / "seminole_county.json"


def national_path() -> pathlib.Path:
    """The path of the built HSDS 3.0 JSON file of the real national and Florida lines."""
    return _HERE / "national.json"


def source_dir() -> pathlib.Path:
    """The folder holding the human-editable TOML source of the curated directory."""
    return _HERE / "source"


def parts() -> tuple[tuple[pathlib.Path, str], ...]:
    """Each part's JSON file and source name: the real lines first, then the sample."""
    return ((national_path(), NATIONAL_SOURCE), (sample_path(), SAMPLE_SOURCE))
