"""The crisis data files (``directory_data/crisis_*.csv``): every trigger row catches its example,
every guard row stops a pin of its own, every word group is used, every card word is written in
English, Spanish and Haitian Creole; and the text reading they rely on (case, accents,
apostrophes, glued words, misspellings, real words left alone, Creole spellings)."""

from __future__ import annotations

import csv
import dataclasses
import io

import pytest

from search_index.query.crisis import (
    CARD_LANGUAGES,
    CARD_PATH,
    GUARDS_PATH,
    LINES_PATH,
    TRIGGERS_PATH,
    WORDS_PATH,
    CrisisDataError,
    card_language,
    load_rules,
    parse_rules,
)
from search_index.query.text_forms import phonetic_key, tokens
from search_index.query.word_patterns import PatternIndex

RULES = load_rules()
TRIGGERS = {t.row: t for t in RULES.triggers}
GUARDS = {g.row: g for g in RULES.guards}


@pytest.mark.parametrize("row", sorted(TRIGGERS), ids=lambda r: f"trigger-line-{r}")
def test_every_trigger_row_catches_its_example(row: int) -> None:
    trigger = TRIGGERS[row]
    assert trigger.example, f"crisis_triggers.csv line {row} has no example"
    found = RULES.detect(trigger.example)
    assert row in found.triggers, f"line {row} ({trigger.pattern.source!r}) does not catch {trigger.example!r}: {found}"
    assert trigger.lines[0] in found.lines
    if trigger.now:
        assert found.now, trigger.example


@pytest.mark.parametrize("row", sorted(GUARDS), ids=lambda r: f"guard-line-{r}")
def test_every_guard_row_stops_a_pin_of_its_own(row: int) -> None:
    """Without this guard its example pins the guard's line (any line for "*"); with every guard
    it does not, and this guard is among those that stopped a row."""
    guard = GUARDS[row]
    assert guard.example, f"crisis_guards.csv line {row} has no example"
    stopped = (lambda lines: lines == ()) if guard.line == "*" else (lambda lines: guard.line not in lines)
    without = RULES.detect(guard.example, skip_guards=frozenset({row}))
    assert not stopped(without.lines), (
        f"{guard.example!r} pins no {guard.line} line even without guard line {row}: the guard is not exercised")
    found = RULES.detect(guard.example)
    assert stopped(found.lines), f"{guard.example!r} still pins {found.lines}"
    assert row in found.stopped_by


def test_every_word_group_is_used() -> None:
    named = {g for t in RULES.triggers for g in t.pattern.groups} | {g for x in RULES.guards for g in x.pattern.groups}
    groups = {row["group"] for row in rows(WORDS_PATH.read_text(encoding="utf-8"))}
    unused = groups - named - {"LANG", "NOW", "WEAPON", "NEG_GAP", "NEG_VERB"}
    assert unused == set(), f"word groups no pattern uses: {sorted(unused)}"


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO("\n".join(l for l in text.splitlines() if l and not l.startswith("#")))))


def test_every_line_and_card_word_in_three_languages() -> None:
    card = {row["key"]: row for row in rows(CARD_PATH.read_text(encoding="utf-8"))}
    for row in card.values():
        for lang in CARD_LANGUAGES:
            assert row[lang].strip(), f"crisis_card.csv {row['key']} has no {lang} text"
    keys = {row["line"] for row in rows(LINES_PATH.read_text(encoding="utf-8"))}
    assert keys == {"988", "dv", "rainn", "childhelp", "florida-abuse", "trafficking", "poison"}
    for key in keys:
        assert f"{key}.name" in card and f"{key}.for" in card
    for shared in ("card.heading", "lead.now", "lead.maybe", "lead.desk", "action.call", "hours.24/7"):
        assert shared in card
    assert {key for t in RULES.triggers for key in t.lines} == keys, "a line no trigger pins"


def test_the_card_in_each_language() -> None:
    match = RULES.match("m vle touye tet mwen kounye a", "en")
    assert match is not None and match.language == "ht"
    card = match.card()
    assert card.now and card.lead == "Rele 911 kounye a"
    assert card.lines[0].name.startswith("988") and card.lines[0].call_label == "Rele 988"
    spanish = RULES.match("quiero morir", "en")
    assert spanish is not None and spanish.card().lead.startswith("Si está en peligro")
    english = RULES.match("my boyfriend has a gun and is hitting me", "es")
    assert english is not None and english.language == "es" and english.card().lead == "Llame al 911 ahora"
    dv = english.card().lines[0]
    assert dv.key == "dv" and dv.text_label == "Envíe START por mensaje de texto al 88788"
    assert card_language("en", None) == "en" and card_language("fr", "en") == "en"


@pytest.mark.parametrize(("query", "line"), [
    ("I WANT TO KILL MYSELF", "988"),
    ("i want to kil my self", "988"),
    ("iwanttokillmyself", "988"),
    ("I dont want to live", "988"),
    ("i don’t want to live anymore", "988"),
    ("suicde", "988"),
    ("quiero morirme", "988"),
    ("kiero matarme", "988"),
    ("no quiero vivir", "988"),
    ("mwen vle mouri", "988"),
    ("m vle mouri", "988"),
    ("M'ap touye tèt mwen", "988"),
    ("map touye tet mwen", "988"),
    ("moin vle touye tet moin", "988"),
    ("mari m bat mwen", "dv"),
    ("mari mwen bat mwen", "dv"),
    ("mennaj mwen frape m", "dv"),
    ("mi esposo me golpea", "dv"),
    ("mi esposo me pega", "dv"),
    ("MI ESPOSO ME PEGA", "dv"),
    ("he raped me", "rainn"),
    ("li vyole m", "rainn"),
    ("my stepdad touches me", "florida-abuse"),
    ("my grandmas aide hits her", "florida-abuse"),
    ("they took my passport and make me work", "trafficking"),
    ("my toddler drank bleach", "poison"),
    ("papam bat mwen ak senti", "florida-abuse"),
    ("frem bwe klowoks li pa respire", "poison"),
    ("mi esposo me esta golpiando", "dv"),
])
def test_how_people_type(query: str, line: str) -> None:
    assert line in RULES.detect(query).lines, query


@pytest.mark.parametrize("query", [
    "I'm not suicidal, I need food",
    "my husband doesn't hit me, we need counseling",
    "no me pega, necesito trabajo",
    "li pa bat mwen, mwen bezwen manje",
    "my husband cooked me dinner",
    "the rapper concert tickets",
    "therapist near me",
    "suicide prevention training",
    "sucide prevention trainning",
    "domestic violence shelter donations",
    "kill bugs",
    "child care",
    "my dog ate chocolate",
    "im not going to kill myself, i need a counselor",
    "no quiero matarme, solo necesito hablar con alguien",
    "m pa vle touye tèt mwen, m bezwen yon doktè",
    "mwen pa ta janm touye tet mwen",
    "$165 per week plus field-trip fees",
    "i have my papers ready for the interview",
    "carbon monoxide detector batteries",
    "my phone is dead where can i charge it",
    "loteria de visas dv 2026",
])
def test_look_alikes_and_negations_pin_nothing(query: str) -> None:
    assert RULES.detect(query).lines == (), query


def test_the_index_finds_what_trying_every_row_finds() -> None:
    """Rows filed under their rarest element: a query tries only some rows, and finds the same."""
    every = dataclasses.replace(
        RULES,
        trigger_index=PatternIndex({}, tuple(range(len(RULES.triggers)))),
        guard_index=PatternIndex({}, tuple(range(len(RULES.guards)))),
    )
    queries = [t.example for t in RULES.triggers] + [g.example for g in RULES.guards]
    for query in queries:
        assert RULES.detect(query) == every.detect(query), query


def test_text_forms() -> None:
    assert tokens("I’m DON'T m'ap l'ap grandma's Tèt") == ["im", "dont", "m", "ap", "l", "ap", "grandma", "tet"]
    assert tokens("my 2yo and her 18mo") == ["my", "2", "year", "old", "and", "her", "18", "month", "old"]
    assert phonetic_key("suiside") == phonetic_key("suicide")
    assert phonetic_key("biolo") == phonetic_key("violo")
    assert phonetic_key("kiero") == phonetic_key("quiero")
    assert phonetic_key("pastiyas") == phonetic_key("pastillas")
    assert phonetic_key("refujio") == phonetic_key("refugio")


def test_real_words_are_not_corrected_into_danger_words() -> None:
    lexicon = RULES.lexicon
    assert lexicon.corrections("cooked") == ()
    assert lexicon.corrections("taped") == ()
    assert "suicide" in lexicon.corrections("suicdie") or "suicide" in lexicon.corrections("suicde")
    assert lexicon.split("wanttodie") == ["want", "to", "die"]
    assert lexicon.split("therapist") is None
    assert lexicon.split("suisid") is None
    assert lexicon.split("papam") == ["papa", "m"]  # a Creole pronoun glued on
    assert lexicon.split("program") is None


def test_two_tokens_join_into_a_word_but_not_with_a_small_common_word() -> None:
    """"my self" is "myself"; "at a" is not the Spanish "ata" (ties), "be at" is not "beat", and
    Creole "pitit fi m" (my daughter) is not "fim" (a film)."""
    assert "myself" in RULES.read("i want to kill my self").present
    for text, word in (("volunteer at a nursing home", "ata"), ("i will be at home", "beat"),
                       ("pitit fi m malad", "fim")):
        assert word not in RULES.read(text).present, (text, word)
    assert RULES.detect("volunteer at a nursing home").lines == ()


def test_language_guess() -> None:
    assert RULES.read("mwen bezwen ed").language == "ht"
    assert RULES.read("necesito ayuda con mi esposo").language == "es"
    assert RULES.read("i need help with my husband").language == "en"


def test_bad_rows_are_reported_with_their_file_and_line() -> None:
    texts = [p.read_text(encoding="utf-8") for p in (WORDS_PATH, TRIGGERS_PATH, GUARDS_PATH, LINES_PATH, CARD_PATH)]
    broken = texts[1] + "988,danger,,en,NO_SUCH_GROUP kill,x,\n"
    with pytest.raises(CrisisDataError, match="crisis_triggers.csv line .*NO_SUCH_GROUP"):
        parse_rules(texts[0], broken, *texts[2:])
    with pytest.raises(CrisisDataError, match="crisis_guards.csv"):
        parse_rules(texts[0], texts[1], texts[2] + "nope,topic,en,x,,\n", *texts[3:])
