"""Text analysis: accent folding, English and Spanish stems, query normalisation, concepts."""

from __future__ import annotations

from search_index.engine.analysis import ENGLISH_ANALYZER, PLAIN_ANALYZER, SPANISH_ANALYZER, fold, terms, words
from search_index.query.normalize import MAX_QUERY_CHARS, normalize_query
from search_index.query.synonyms import load_synonyms, parse_synonyms
from search_index.query.understanding import parse_query


def test_accents_fold_before_stemming() -> None:
    assert terms(SPANISH_ANALYZER, "Guardería") == terms(SPANISH_ANALYZER, "guarderia")
    assert terms(SPANISH_ANALYZER, "CONSEJERÍA") == terms(SPANISH_ANALYZER, "consejeria")
    assert terms(ENGLISH_ANALYZER, "Café") == ["cafe"]
    assert fold("Niños Señora") == "ninos senora"
    assert words("¿Dónde está la guardería?") == ["donde", "esta", "la", "guarderia"]


def test_english_and_spanish_stems() -> None:
    en = ENGLISH_ANALYZER
    assert terms(en, "counseling") == terms(en, "counselling") == terms(en, "counsel")
    assert terms(en, "shelters") == terms(en, "shelter")
    es = SPANISH_ANALYZER
    assert terms(es, "viviendas") == terms(es, "vivienda")
    assert terms(es, "guarderías") == terms(es, "guardería")
    assert terms(es, "la de los") == []  # Spanish stop words
    assert terms(en, "the of and") == []


def test_plain_channel_keeps_words_whole() -> None:
    assert terms(PLAIN_ANALYZER, "Counseling for the Shelters") == ["counseling", "for", "the", "shelters"]


def test_normalize_query_strips_controls_and_bounds_length() -> None:
    assert normalize_query("  food\x00\x07 pantry\u200b\n\t near  ") == "food pantry near"
    assert normalize_query("I\u2019m scared") == "I'm scared"
    assert normalize_query(None) == ""
    assert normalize_query(12) == ""
    assert len(normalize_query("x" * 10_000)) == MAX_QUERY_CHARS
    assert normalize_query("\ud800 lone surrogate") == "lone surrogate"
    assert normalize_query("ｆｏｏｄ") == "food"  # full-width letters (NFKC)


def test_filler_is_dropped_but_not_everything() -> None:
    table = load_synonyms()
    parsed = parse_query("Where can I find a place to sleep tonight?", table)
    assert [c.typed for c in parsed.concepts] == [("place", "to", "sleep")]
    assert ("help",) in [c.typed for c in parse_query("I need help", table).concepts]
    assert [c.typed for c in parse_query("necesito ayuda con la renta", table).concepts] == [
        ("ayuda", "con", "la", "renta")
    ]
    assert [c.typed for c in parse_query("busco una guarderia cerca", table).concepts] == [("guarderia",)]


def test_query_syntax_is_just_text() -> None:
    parsed = parse_query('title:"food" AND (shelter OR NOT clinic*) ^2 ~ -x', load_synonyms())
    assert [c.typed[0] for c in parsed.concepts] == ["title", "food", "shelter", "clinic", "2", "x"]


def test_synonym_table_format() -> None:
    table = parse_synonyms(
        "# comment\nphrases,means,note\nDV|violencia doméstica,,x\nbaker act,crisis stabilization|csu,\n"
    )
    assert table.expand(("dv",)) == (("violencia", "domestica"),)
    assert table.expand(("violencia", "domestica")) == (("dv",),)
    assert table.expand(("baker", "act")) == (("crisis", "stabilization"), ("csu",))
    assert table.expand(("csu",)) == ()  # "means" is one way
    assert table.match(["my", "baker", "act", "dv"]) == [(1, 3), (3, 4)]


def test_shipped_synonyms_cover_police_florida_and_spanish_terms() -> None:
    table = load_synonyms()
    for phrase in [
        "dv", "ipv", "baker act", "marchman act", "section 8", "hud", "snap", "cps", "dcf",
        "pre k", "vpk", "guarderia", "vivienda", "refugio", "violencia domestica", "salud mental",
        "consejeria", "alquiler",
    ]:
        assert table.expand(tuple(words(phrase))), phrase


def _strings(node: object) -> list[str]:
    """Every string in a parsed JSON document."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, list):
        return [s for value in node for s in _strings(value)]
    return []


def test_word_terms_match_the_analyzers_on_the_curated_vocabulary_and_awkward_text() -> None:
    """The query words' shortcut (``english_terms``/``spanish_terms``) makes exactly the terms
    the analyzers make: every string of the curated directory whole and word by word, plus
    case, accents, apostrophes, digits, stop words, scripts and characters the charset map drops."""
    import json
    from pathlib import Path

    from search_index.engine.analysis import english_terms, spanish_terms

    curated = Path(__file__).resolve().parents[1] / "directory_data" / "curated"
    texts = [s for path in sorted(curated.glob("*.json")) for s in _strings(json.loads(path.read_text("utf-8")))]
    assert len(texts) > 500
    texts += [w for text in texts for w in text.split()]
    texts += ["", "   ", "THE", "O'Brien's", "U.S.A.", "AT&T", "guardería", "GUARDERÍA", "Ñandú", "İstanbul", "straße",
              "ﬁnancial", "x\u0301y", "ǅemal", "١٢٣ help", "日本語 shelter", "emoji 🙂 food", "it's", "don't",
              "a", "I", "de la", "niños", "café-bar", "24/7", "3rd", "ÀÉÎÕÜ", "œuvre", "æsir", "ı", "ﬀ"]
    for text in texts:
        assert english_terms(text) == terms(ENGLISH_ANALYZER, text), text
        assert spanish_terms(text) == terms(SPANISH_ANALYZER, text), text
