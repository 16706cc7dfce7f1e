"""Every interface string is translated to Spanish, and the catalogs match the code."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "kiosk" / "translations"
METHODS = [("kiosk/**.py", "python"), ("kiosk/templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}


def _ids_in_code() -> set[str]:
    found = set()
    for _, _, message, _, _ in extract_from_dir(str(ROOT), METHODS, keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalog(name: str) -> object:
    with (TRANSLATIONS / name).open("rb") as handle:
        return read_po(handle)


def test_template_holds_every_string_of_the_code() -> None:
    template = {m.id[0] if isinstance(m.id, tuple) else m.id for m in _catalog("messages.pot") if m.id}
    missing = _ids_in_code() - template
    assert not missing, f"run pybabel extract (README): {sorted(missing)}"


def test_every_string_has_a_spanish_translation() -> None:
    spanish = _catalog("es/LC_MESSAGES/messages.po")
    template = _catalog("messages.pot")
    untranslated = []
    for message in template:
        if not message.id:
            continue
        translated = spanish.get(message.id)
        strings = translated.string if translated is not None else ""
        if not strings or (isinstance(strings, tuple) and not all(strings)):
            untranslated.append(message.id)
    assert not untranslated, untranslated


def test_compiled_catalog_matches_the_po_file() -> None:
    mo = TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.mo"
    assert mo.exists(), "pip install compiles the catalogs (setup.py)"
    compiled = read_mo(io.BytesIO(mo.read_bytes()))
    source = _catalog("es/LC_MESSAGES/messages.po")
    def table(catalog: object) -> dict[str, object]:
        return {m.id[0] if isinstance(m.id, (list, tuple)) else m.id: tuple(m.string) if isinstance(m.string, (list, tuple)) else m.string
                for m in catalog if m.id}  # type: ignore[attr-defined]

    assert table(compiled) == table(source), \
        "reinstall (pip install -e .) to recompile the Spanish catalog"
