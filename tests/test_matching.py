"""People to meet: normalisation and ranking, deterministic and with reasons."""

from meetup.people.matching import Person, clean_items, key, suggest


def test_topics_normalise_case_spacing_umlauts_and_sharp_s():
    assert key("Digitalisierung") == key(" digitalisierung ") == key("DIGITALISIERUNG")
    assert key("Straßenbau") == key("Strassenbau") == key("STRASSENBAU")
    assert key("Außen  handel") == key("aussen handel")
    assert key("Übernahme") == key("uebernahme")


def test_clean_items_keeps_the_first_spelling_and_the_limit():
    items = ["Export", " export ", "EXPORT", "", "Digitalisierung", "  Nachfolge  "]
    assert clean_items(items, 10) == ["Export", "Digitalisierung", "Nachfolge"]
    assert clean_items([f"T{n}" for n in range(20)], 5) == [f"T{n}" for n in range(5)]


def test_a_complementary_offer_outranks_a_shared_industry_and_topic():
    me = Person(1, "Mara", industry="finance", topics=("Export",), needs=("Steuerberatung",))
    same_industry = Person(2, "Anton", industry="finance", topics=("Export",))
    adviser = Person(3, "Zora", industry="law", offers=("steuerberatung",))
    ranked = suggest(me, [same_industry, adviser])
    assert [s.person.name for s in ranked] == ["Zora", "Anton"]
    assert ranked[0].they_offer == ["steuerberatung"]
    assert ranked[1].shared_topics == ["Export"] and ranked[1].same_industry


def test_both_directions_count_and_every_suggestion_has_a_reason():
    me = Person(1, "Mara", offers=("Steuerberatung",), needs=("Kapital",))
    investor = Person(2, "Ina", offers=("Kapital",), needs=("STEUERBERATUNG",))
    ranked = suggest(me, [investor])
    assert ranked[0].they_need == ["Steuerberatung"] and ranked[0].they_offer == ["Kapital"]
    assert ranked[0].score == 6
    nobody = Person(3, "Olaf")
    assert suggest(me, [nobody]) == []  # no reason, no suggestion


def test_ties_are_broken_by_name_then_id():
    me = Person(1, "Mara", topics=("Export",))
    others = [Person(9, "berta", topics=("Export",)), Person(4, "Anna", topics=("export",)),
              Person(5, "Anna", topics=("EXPORT",))]
    assert [s.person.user_id for s in suggest(me, others, limit=5)] == [4, 5, 9]
    assert suggest(me, others, limit=5) == suggest(me, list(reversed(others)), limit=5)


def test_i_am_never_suggested_to_myself():
    me = Person(1, "Mara", topics=("Export",))
    assert suggest(me, [me]) == []


def test_the_same_industry_alone_is_no_reason_to_meet():
    me = Person(1, "Mara", industry="tax", topics=("Export",), offers=("Steuerberatung",))
    competitor = Person(2, "Theo", industry="tax")
    assert suggest(me, [competitor]) == []


def test_one_complementary_offer_outranks_two_shared_topics():
    me = Person(1, "Mara", topics=("Export", "Nachfolge"), needs=("Finanzierung",))
    talker = Person(2, "Anton", topics=("export", "NACHFOLGE"))
    banker = Person(3, "Zora", offers=("Finanzierung",))
    assert [s.person.name for s in suggest(me, [talker, banker])] == ["Zora", "Anton"]


def test_the_industry_orders_people_with_equal_reasons():
    me = Person(1, "Mara", industry="it", topics=("KI",))
    other_field = Person(2, "Anna", industry="law", topics=("KI",))
    same_field = Person(3, "Zora", industry="it", topics=("KI",))
    assert [s.person.name for s in suggest(me, [other_field, same_field])] == ["Zora", "Anna"]


def test_complementary_needs_in_both_directions_lead():
    me = Person(1, "Mara", topics=("Gründung", "KI", "Export"), offers=("Steuerberatung",),
                needs=("Kapital",))
    investor = Person(2, "Ina", offers=("Kapital",), needs=("Steuerberatung",))
    one_way = Person(3, "Olaf", offers=("Kapital",))
    topics_only = Person(4, "Paul", industry="tax", topics=("Gründung", "KI", "Export"))
    ranked = suggest(me, [topics_only, one_way, investor], limit=5)
    assert [s.person.name for s in ranked] == ["Ina", "Olaf", "Paul"]
    assert [s.score for s in ranked] == [6, 3, 3]
