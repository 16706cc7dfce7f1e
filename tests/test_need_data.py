"""The needs data files (``directory_data/need*.csv``): every phrase row reads its example, every
guard cancels a need in its example, every need, word group and category is used, every taxonomy
code is a real AIRS/211 code, a broken row is reported with its file and line; and how queries are
read (negation, words that carry no need, overlaps and refinements, context that cancels a need,
misspellings, Haitian Creole for the four topics)."""

from __future__ import annotations

import csv
import io

import pytest

from search_index.query.text_forms import tokens

from search_index.query.needs import (
    CATEGORIES_PATH,
    CATEGORY_LANGUAGES,
    CRISIS_WORDS_PATH,
    GUARDS_PATH,
    NEEDS_PATH,
    PHRASES_PATH,
    SHORTHAND_PATH,
    WORDS_PATH,
    CodeSet,
    NeedDataError,
    code_covers,
    load_needs,
    parse_rules,
)

RULES = load_needs()
PHRASES = {p.row: p for p in RULES.phrases}
GUARDS = {g.row: g for g in RULES.guards}


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO("\n".join(l for l in text.splitlines() if l and not l.startswith("#")))))


@pytest.mark.parametrize("row", sorted(PHRASES), ids=lambda r: f"phrase-line-{r}")
def test_every_phrase_row_reads_its_example(row: int) -> None:
    phrase = PHRASES[row]
    assert phrase.example, f"need_phrases.csv line {row} has no example"
    found = RULES.read(phrase.example)
    assert row in found.rows, (
        f"line {row} ({phrase.pattern.source!r}) does not read {phrase.example!r}: {found.keys}")
    assert set(phrase.needs) <= set(found.keys)


@pytest.mark.parametrize("row", sorted(GUARDS), ids=lambda r: f"guard-line-{r}")
def test_every_guard_cancels_a_need_in_its_example(row: int) -> None:
    """The guard takes a need it names away from its example (a phrase read it there), and the
    example is not read as that need from the guard's words."""
    guard = GUARDS[row]
    assert guard.example, f"need_guards.csv line {row} has no example"
    reading = RULES.read(guard.example)
    assert row in reading.guarded, (
        f"need_guards.csv line {row} ({guard.pattern.source!r}) cancels nothing in {guard.example!r}: {reading.keys}")
    named = set(RULES.needs) - guard.keeps if guard.needs is None else guard.needs
    if guard.scope == "all":
        assert not named & set(reading.keys), (row, reading.keys)


def test_every_need_word_group_and_category_is_used() -> None:
    phrased = {key for p in RULES.phrases for key in p.needs}
    assert set(RULES.needs) - phrased == set(), "needs no phrase expresses"
    named = {g for p in (*RULES.phrases, *RULES.guards) for g in p.pattern.groups}
    groups = {row["group"] for row in rows(WORDS_PATH.read_text(encoding="utf-8"))}
    assert groups - named - {"NONEED", "FILLER"} == set(), "word groups no phrase uses"
    used = {n.category for n in RULES.needs.values()}
    assert set(RULES.categories) == used, "categories no need uses"
    for category in RULES.categories.values():
        for lang in CATEGORY_LANGUAGES:
            assert category.names.get(lang), f"need_categories.csv {category.key} has no {lang} name"


def test_every_code_is_a_real_airs_code(miami_taxonomy: dict[str, str]) -> None:
    """Every code of needs.csv names a term of the 211 taxonomy, or a prefix of one at a code
    boundary, and covers at least one of them (as the judged sets check their codes)."""
    known = [c.lower() for c in miami_taxonomy]
    for need in RULES.needs.values():
        for entry in (*need.codes.include, *need.codes.exclude, *(need.unless.include if need.unless else ())):
            assert any(code_covers(code, entry) for code in known), f"needs.csv {need.key}: {entry} is not an AIRS code"


def test_refinements_and_unless_name_real_needs() -> None:
    for need in RULES.needs.values():
        assert set(need.refines) <= set(RULES.needs), need.key
        assert need.key not in need.refines


@pytest.mark.parametrize(("query", "need"), [
    # danger
    ("mari m bat mwen", "dv"),
    ("mari mwen bat mwen", "dv"),
    ("mennaj mwen frape m", "dv"),
    ("vyolans nan kay", "dv"),
    ("vyolans domestik", "dv"),
    ("li menase m", "dv"),
    ("m vle touye tèt mwen", "suicide"),
    ("m vle mouri", "suicide"),
    ("yo vyole m", "sexual-assault"),
    ("abi sou timoun", "child-abuse"),
    ("yo bat timoun nan", "child-abuse"),
    ("patwon an pran paspò m", "trafficking"),
    # food
    ("manje", "food"),
    ("m grangou", "food"),
    ("M GRANGOU", "food"),
    ("nou pa gen manje", "food"),
    ("koupon manje", "snap"),
    ("bank manje", "food-pantry"),
    # shelter
    ("kote pou m dòmi aswè a", "shelter"),
    ("kote pou m domi aswe a", "shelter"),
    ("kote pou m dormi", "shelter"),
    ("m pa gen kote pou m rete", "homeless"),
    ("m san kay", "homeless"),
    ("m ap dòmi nan lari", "homeless"),
    ("abri", "shelter"),
    # children
    ("gadri pou timoun", "child-care"),
    ("lagadri pou ti moun yo", "child-care"),
    ("m bezwen yon moun pou gade pitit mwen", "child-care"),
    ("rad pou timoun", "kids-clothing"),
    ("vaksen pou pitit mwen", "child-vaccines"),
    ("jaden danfan", "preschool"),
])
def test_haitian_creole_for_the_four_topics(query: str, need: str) -> None:
    assert need in RULES.read(query).keys, (query, RULES.read(query).keys)


@pytest.mark.parametrize(("query", "needs"), [
    ("I'm not homeless, I need food", {"food"}),
    ("li pa bat mwen, mwen bezwen manje", {"food"}),
    ("no tengo comida", {"food"}),
    ("I need to stop drinking", {"alcohol"}),
    ("quit smoking", {"smoking"}),
    ("a safe place for me and my kids", {"safe-place"}),
    ("food stamps", {"snap"}),
    ("immigration lawyer", {"immigration"}),
    ("domestic violence shelter", {"dv-shelter"}),
    ("going back to work next week and nobody to keep my 8 month old", {"infant-care"}),
    ("my boyfriend hits me when he drinks", {"dv", "family-alcohol", "alcohol"}),
    ("councling for my son", {"child-counseling"}),
    ("persription help", {"prescriptions"}),
    ("yo vole tout papye m", {"lost-documents"}),
])
def test_how_needs_are_read(query: str, needs: set[str]) -> None:
    assert set(RULES.read(query).keys) == needs, (query, RULES.read(query).keys)


def test_a_need_that_leads_puts_the_others_second() -> None:
    weights = RULES.read("my boyfriend hits me when he drinks and i'm out of food").weights()
    assert weights["dv"] == 1.0 and weights["food"] == 0.5 and weights["family-alcohol"] == 0.25


def test_words_that_carry_no_need_are_marked() -> None:
    reading = RULES.read("a safe place to stop by for free help")
    assert {"safe", "stop", "free", "help"} <= reading.noneed
    assert {"mwen", "pou", "nan"} <= RULES.read("mwen bezwen ed pou pitit mwen nan lekol").filler


def test_code_sets_cover_at_code_boundaries() -> None:
    codes = CodeSet(("bh-1800", "=rx-1700"), ("bh-1800.1500-100",))
    assert codes.covers("bh-1800") and codes.covers("bh-1800.8500-185")
    assert not codes.covers("bh-18000") and not codes.covers("bh-1800.1500-100")
    assert codes.covers("rx-1700") and not codes.covers("rx-1700.1700")


@pytest.mark.parametrize(("query", "needs"), [
    # the misleading word keeps its meaning where nothing else changes it
    ("pet friendly shelter", {"with-pets", "shelter"}),
    ("emergency shelter for me and my dog", {"shelter", "with-pets"}),
    ("pet friendly domestic violence shelter", {"dv-shelter"}),
    ("depression counseling", {"depression"}),
    ("trauma therapy for kids", {"trauma", "child-counseling"}),
    ("can't sleep since the hurricane, keep having nightmares", {"trauma"}),
    ("daycare for my toddler", {"child-care"}),
    ("i need a place to crash tonight", {"shelter"}),
    ("he won't let me see my friends and takes my phone", {"dv"}),
    # context gives it another meaning
    ("animal shelter near me", {"pets"}),
    ("refugio de animales", {"pets"}),
    ("abri pou bèt", {"pets"}),
    ("doggy daycare", {"pet-services"}),  # a pet's daycare, not child care
    ("emergency vet open tonight", {"pets"}),
    ("tropical depression forecast", {"weather"}),
    ("la depresión tropical viene para florida", {"weather"}),
    ("nearest trauma center", {"trauma-care"}),
    ("tax shelter for my small business", {"business"}),
    ("section 8 inspector job openings", {"jobs"}),
    ("my ex wont let me see my children", {"custody"}),
    # word classes: an object, a licence, travel, a hobby, an official beside a need's words
    ("anxiety vest for a dog", {"pets"}),
    ("liquor licence", {"licences"}),
    ("depression-era glass", {"hobbies"}),
    ("abuse of power complaint", {"government-complaint"}),
    ("cheap flights to haiti for the holidays", {"travel"}),
    ("weighted blanket for anxiety on amazon", {"shopping"}),
    ("set up autopay for my duke energy account", {"banking"}),
    # ... and the same words beside a real need keep it
    ("a shelter that takes my dog", {"shelter", "pets"}),
    ("my husband took my passport and won't let me leave", {"dv", "trafficking"}),
    ("my landlord is evicting me", {"eviction"}),
])
def test_context_that_cancels_a_need(query: str, needs: set[str]) -> None:
    assert set(RULES.read(query).keys) == needs, (query, RULES.read(query).keys)


def test_bad_rows_are_reported_with_their_file_and_line() -> None:
    texts = [p.read_text(encoding="utf-8") for p in (WORDS_PATH, PHRASES_PATH, NEEDS_PATH, CATEGORIES_PATH, CRISIS_WORDS_PATH, GUARDS_PATH)]
    with pytest.raises(NeedDataError, match="need_phrases.csv line .*NO_SUCH_GROUP"):
        parse_rules(texts[0], texts[1] + "food,en,NO_SUCH_GROUP food,x,\n", *texts[2:])
    with pytest.raises(NeedDataError, match="need_phrases.csv line .*no-such-need"):
        parse_rules(texts[0], texts[1] + "no-such-need,en,food,food,\n", *texts[2:])
    with pytest.raises(NeedDataError, match="needs.csv line .*category 'nowhere'"):
        parse_rules(texts[0], texts[1], texts[2] + "ghost,nowhere,need,,BD-1800,,,,,,\n", *texts[3:])
    with pytest.raises(NeedDataError, match="needs.csv line .*no taxonomy codes"):
        parse_rules(texts[0], texts[1], texts[2] + "ghost,food,need,,,,,,,,\n", *texts[3:])
    with pytest.raises(NeedDataError, match="need_words.csv line .*NEG is shared"):
        parse_rules(texts[0] + "NEG,en,nope,\n", *texts[1:])
    with pytest.raises(NeedDataError, match="needs.csv line .*broader code 'l'"):
        parse_rules(texts[0], texts[1], texts[2] + "ghost,food,need,,BD-1800|RF-3300,,,,,,,L\n", *texts[3:])
    with pytest.raises(NeedDataError, match="need_guards.csv line .*scope 'near'"):
        parse_rules(*texts[:5], texts[5] + "shelter,near,en,animal,animal shelter,\n")
    with pytest.raises(NeedDataError, match="need_guards.csv line .*no-such-need"):
        parse_rules(*texts[:5], texts[5] + "no-such-need,overlap,en,animal,animal shelter,\n")
    with pytest.raises(NeedDataError, match="need_guards.csv line .*'shelter\\|!jobs'"):
        parse_rules(*texts[:5], texts[5] + "shelter|!jobs,all,en,animal,animal shelter,\n")


def test_reading_is_cheap_and_kept() -> None:
    """Patterns are tried only when the query holds their anchor: a query of words no phrase
    starts with tries none but the few anchored on a prefix."""
    unrelated = RULES.phrase_index.candidates(RULES.lexicon.read("zzqx qqzx").present)
    assert len(unrelated) < 10
    assert RULES.read("manje pou fanmi m") is RULES.read("manje pou fanmi m")


def test_a_next_guard_acts_only_beside_the_needs_words() -> None:
    """A ``next`` guard cancels a need read from words right beside its own ("video game for
    stress relief"), never one read from the guard's words themselves or from words further off."""
    video = RULES.read("video game for stress relief")
    assert video.keys == () and video.guarded
    assert "dv" in RULES.read("my husband took my passport and won't let me leave").keys
    assert "anxiety" in RULES.read("my anxiety is bad and i want a weighted blanket").keys


SHORTHAND_ROWS = rows(SHORTHAND_PATH.read_text(encoding="utf-8"))


@pytest.mark.parametrize("row", SHORTHAND_ROWS, ids=lambda r: f"shorthand-{r['shorthand']}")
def test_every_shorthand_row_reads_its_example_as_its_need(row: dict[str, str]) -> None:
    """Each shorthand of need_shorthand.csv is read as its expansion in its example, and the
    shorthand itself then counts as explained (it is not searched as a word of its own)."""
    reading = RULES.read(row["example"])
    assert row["need"] in reading.keys, (row["shorthand"], row["example"], reading.keys)
    typed = set(tokens(row["shorthand"]))
    assert typed <= reading.explained, (row["shorthand"], sorted(reading.explained))


def test_shorthand_is_read_only_as_a_word_of_its_own() -> None:
    """A shorthand inside a longer word, or beside words it does not stand for, changes nothing."""
    assert "dv" not in RULES.read("dvd player").keys
    assert RULES.read("sec 8 waitlist").keys == RULES.read("section 8 waitlist").keys
    assert "protective-order" in RULES.read("how do i get an EPO").keys


def test_bad_shorthand_rows_are_reported_with_their_line() -> None:
    texts = [p.read_text(encoding="utf-8") for p in (WORDS_PATH, PHRASES_PATH, NEEDS_PATH, CATEGORIES_PATH,
                                                     CRISIS_WORDS_PATH, GUARDS_PATH, SHORTHAND_PATH)]
    with pytest.raises(NeedDataError, match="need_shorthand.csv line .*no expansion"):
        parse_rules(*texts[:6], texts[6] + "zzq,en,,dv,zzq,\n")
    with pytest.raises(NeedDataError, match="need_shorthand.csv line .*already defined"):
        parse_rules(*texts[:6], texts[6] + "dv,en,domestic violence,dv,dv,\n")


@pytest.mark.parametrize(("typed", "word"), [
    ("ijo", "hijo"), ("abuzo", "abuso"), ("bibienda", "vivienda"), ("kasa", "casa"), ("yorar", "llorar"),
])
def test_spanish_spelled_as_it_sounds_is_read_as_the_word(typed: str, word: str) -> None:
    """A Spanish word of the needs data typed as it sounds (silent h, b/v, s/z/c, y/ll, k/qu/c) is read
    as that word when it is the only one that sounds so."""
    assert RULES.lexicon.in_vocabulary(word), f"{word!r} is not a word of the needs data"
    assert RULES.respelled(typed) == word or word in RULES.lexicon.corrections(typed), typed


def test_spanish_spelling_reads_a_word_no_other_correction_finds() -> None:
    """A short Spanish word without its silent h is too short for any other correction."""
    assert RULES.lexicon.in_vocabulary("hijo") and not RULES.lexicon.corrections("ijo")
    assert RULES.respelled("ijo") == "hijo"
    assert RULES.respelled("house") == "house" and RULES.respelled("hola") == "hola"
