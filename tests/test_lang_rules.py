"""Reading rules per language: years, ordinals, decimals, percentages, money, units, dates.

Each expected reading follows the language's own conventions (decimal comma, thousands
separator, ordinal marks such as ``3.``, ``1er``, ``1.º``, ``1º``, ``1e``; where the unit and the
currency go). Exact in/out, one sentence at a time through the language's whole rule chain.
"""

from __future__ import annotations

import pytest

from articast.lang import NATIVE, get_language
from articast.text.rules import apply_rules

CASES: dict[str, dict[str, list[tuple[str, str]]]] = {
    "en": {
        "years": [("It began in 1995.", "It began in nineteen ninety-five.")],
        "ordinals": [("The 21st time.", "The twenty-first time.")],
        "decimals": [("It was 3.5 times.", "It was three point five times.")],
        "percentages": [("About 45 % agreed.", "About forty-five percent agreed.")],
        "currency": [("It cost $4.50.", "It cost four dollars and fifty cents.")],
        "units": [("She ran 30 km.", "She ran thirty kilometers.")],
    },
    "de": {
        "years": [
            ("Im Jahr 1995 begann es.", "Im Jahr neunzehnhundertfünfundneunzig begann es."),
            ("In den 1990er Jahren.", "In den neunzehnhundertneunziger Jahren."),
            ("Seit 2024 gilt das.", "Seit zweitausendvierundzwanzig gilt das."),
        ],
        "ordinals": [
            ("Am 3. Mai kam sie.", "Am dritten Mai kam sie."),
            ("Der 2. Platz ging an ihn.", "Der zweite Platz ging an ihn."),
            ("Im 19. Jahrhundert.", "Im neunzehnten Jahrhundert."),
            ("Es waren 12.", "Es waren zwölf."),
        ],
        "decimals": [
            ("Er maß 3,14 m.", "Er maß drei Komma eins vier Meter."),
            ("Es waren 1.500 Menschen.", "Es waren eintausendfünfhundert Menschen."),
        ],
        "percentages": [("Etwa 45 % stimmten zu.", "Etwa fünfundvierzig Prozent stimmten zu.")],
        "currency": [
            ("Das kostet 2,50 €.", "Das kostet zwei Euro fünfzig."),
            ("Das kostet 1 €.", "Das kostet ein Euro."),
            ("Es kostet 2,5 Mio. €.", "Es kostet zwei Komma fünf Millionen Euro."),
            ("Nur 0,50 € mehr.", "Nur fünfzig Cent mehr."),
        ],
        "units": [
            ("Sie lief etwa 30 km.", "Sie lief etwa dreißig Kilometer."),
            ("Bei 60 °C und 16 Hz.", "Bei sechzig Grad Celsius und sechzehn Hertz."),
            ("Es dauerte 1 h, dann 2 h.", "Es dauerte ein Stunde, dann zwei Stunden."),
            ("Mit 50 km/h.", "Mit fünfzig Kilometer pro Stunde."),
        ],
        "dates and times": [
            (
                "Am 3. Mai 2024 um 10:30 Uhr.",
                "Am dritten Mai zweitausendvierundzwanzig um zehn Uhr dreißig.",
            ),
            ("Von 11–16 Hz.", "Von elf bis sechzehn Hertz."),
        ],
    },
    "fr": {
        "years": [
            ("En 1995, tout change.", "En mille neuf cent quatre-vingt-quinze, tout change.")
        ],
        "ordinals": [
            ("Le 1er mai.", "Le premier mai."),
            ("La 1re fois.", "La première fois."),
            ("Le 3e jour.", "Le troisième jour."),
            ("Au XXIe siècle.", "Au vingt et unième siècle."),
        ],
        "decimals": [
            ("Il mesure 3,5 m.", "Il mesure trois virgule cinq mètres."),
            ("Ils étaient 1 500.", "Ils étaient mille cinq cents."),
        ],
        "percentages": [("Environ 45 % des gens.", "Environ quarante-cinq pour cent des gens.")],
        "currency": [
            ("Il coûte 2,50 €.", "Il coûte deux euros cinquante."),
            ("Il coûte 1 €.", "Il coûte un euro."),
            ("Un budget de 3 millions €.", "Un budget de trois millions d'euros."),
        ],
        "units": [
            ("Elle a couru 30 km.", "Elle a couru trente kilomètres."),
            ("Un trajet de 1,5 km.", "Un trajet de un virgule cinq kilomètre."),
            ("Il fait -5 °C.", "Il fait moins cinq degrés Celsius."),
        ],
        "dates and times": [
            (
                "Le 1er mai 2024 à 10h30.",
                "Le premier mai deux mille vingt-quatre à dix heures trente.",
            )
        ],
    },
    "es": {
        "years": [("En 1995 todo cambió.", "En mil novecientos noventa y cinco todo cambió.")],
        "ordinals": [
            ("El 1.º de mayo.", "El primero de mayo."),
            ("La 2.ª edición.", "La segunda edición."),
            ("El 3er día.", "El tercer día."),
            ("En el siglo XXI.", "En el siglo veintiuno."),
        ],
        "decimals": [
            ("Mide 3,5 m.", "Mide tres coma cinco metros."),
            ("Eran 1.500 participantes.", "Eran mil quinientos participantes."),
        ],
        "percentages": [("El 45 % votó.", "El cuarenta y cinco por ciento votó.")],
        "currency": [
            ("Cuesta 2,50 €.", "Cuesta dos euros con cincuenta céntimos."),
            ("Cuesta 1 €.", "Cuesta un euro."),
            ("Cuesta 21 €.", "Cuesta veintiún euros."),
            ("Son 3 millones de €.", "Son tres millones de euros."),
        ],
        "units": [
            ("Corrió 30 km.", "Corrió treinta kilómetros."),
            ("A 60 °C.", "A sesenta grados Celsius."),
        ],
        "dates and times": [
            (
                "El 1.º de mayo de 2024 a las 10:30.",
                "El primero de mayo de dos mil veinticuatro a las diez y treinta.",
            )
        ],
    },
    "it": {
        "years": [("Nel 1884 nacque.", "Nel milleottocentottantaquattro nacque.")],
        "ordinals": [
            ("Il 1º maggio.", "Il primo maggio."),
            ("La 2ª edizione.", "La seconda edizione."),
            ("Nel XXI secolo.", "Nel ventunesimo secolo."),
        ],
        "decimals": [
            ("Misura 3,5 m.", "Misura tre virgola cinque metri."),
            ("Erano 1.500 persone.", "Erano millecinquecento persone."),
        ],
        "percentages": [("Il 45 % ha votato.", "Il quarantacinque per cento ha votato.")],
        "currency": [
            ("Costa 1,20 €.", "Costa un euro e venti centesimi."),
            ("Costa 3 €.", "Costa tre euro."),
            ("Sono 3 milioni di €.", "Sono tre milioni di euro."),
        ],
        "units": [
            ("Ha corso 30 km.", "Ha corso trenta chilometri."),
            ("A 90 °C e 1 km.", "A novanta gradi Celsius e un chilometro."),
        ],
        "dates and times": [
            (
                "Il 1º maggio 2024 alle 10:30.",
                "Il primo maggio duemilaventiquattro alle dieci e trenta.",
            )
        ],
    },
    "pt": {
        "years": [("Em 1995 tudo mudou.", "Em mil novecentos e noventa e cinco tudo mudou.")],
        "ordinals": [
            ("O 1.º lugar.", "O primeiro lugar."),
            ("A 2.ª edição.", "A segunda edição."),
            ("No século XXI.", "No século vinte e um."),
        ],
        "decimals": [
            ("Mede 3,5 m.", "Mede três vírgula cinco metros."),
            ("Eram 1.500 participantes.", "Eram mil e quinhentos participantes."),
        ],
        "percentages": [("Cerca de 45 % votou.", "Cerca de quarenta e cinco por cento votou.")],
        "currency": [
            ("Custa 2,50 €.", "Custa dois euros e cinquenta cêntimos."),
            ("Custa 0,50 €.", "Custa cinquenta cêntimos."),
            ("São 3 milhões de €.", "São três milhões de euros."),
        ],
        "units": [
            ("Correu 30 km.", "Correu trinta quilómetros."),
            ("A 60 °C.", "A sessenta graus Celsius."),
        ],
        "dates and times": [
            (
                "A 1 de maio de 2024 às 10h30.",
                "A um de maio de dois mil e vinte e quatro às dez e trinta.",
            )
        ],
    },
    "nl": {
        "years": [
            ("In 1953 brak de dijk.", "In negentienhonderddrieënvijftig brak de dijk."),
            ("In 2019 opende het.", "In tweeduizendnegentien opende het."),
        ],
        "ordinals": [
            ("De 1e plaats.", "De eerste plaats."),
            ("De 21ste eeuw.", "De eenentwintigste eeuw."),
            ("Het 3de huis.", "Het derde huis."),
        ],
        "decimals": [
            ("Het is 6,76 m.", "Het is zes komma zesenzeventig meter."),
            ("Er waren 12.500 fietsen.", "Er waren twaalfduizendvijfhonderd fietsen."),
        ],
        "percentages": [("Ongeveer 26 % ligt laag.", "Ongeveer zesentwintig procent ligt laag.")],
        "currency": [
            ("Het kost € 2,50.", "Het kost twee euro vijftig."),
            ("Het kost € 0,68.", "Het kost achtenzestig cent."),
            ("Het kost € 1,5 miljard.", "Het kost één komma vijf miljard euro."),
        ],
        "units": [
            ("De dijk is 32 km lang.", "De dijk is tweeëndertig kilometer lang."),
            ("Het duurde 1 min, toen 2 min.", "Het duurde één minuut, toen twee minuten."),
        ],
        "dates and times": [
            (
                "Op 1 mei 2024 om 10:30 uur.",
                "Op één mei tweeduizendvierentwintig om tien uur dertig.",
            )
        ],
    },
}

REQUIRED = {"years", "ordinals", "decimals", "percentages", "currency", "units"}

PARAMS = [
    pytest.param(code, kind, given, said, id=f"{code}-{kind}-{given[:18]}")
    for code, kinds in CASES.items()
    for kind, pairs in kinds.items()
    for given, said in pairs
]


@pytest.mark.parametrize(("code", "kind", "given", "said"), PARAMS)
def test_reading_rules_say_numbers_the_languages_way(
    code: str, kind: str, given: str, said: str
) -> None:
    rules = get_language(code).reading(None)
    assert apply_rules(given, rules) == said


def test_every_native_language_has_every_required_kind_of_case() -> None:
    assert set(CASES) == set(NATIVE)
    for code, kinds in CASES.items():
        assert set(kinds) >= REQUIRED, code


@pytest.mark.parametrize("code", [c for c in NATIVE if c != "en"])
def test_every_rule_is_named_and_documented(code: str) -> None:
    for rule in get_language(code).reading(None):
        assert rule.__name__.startswith(("read_", "expand_", "spell_", "tidy_")), rule
        assert rule.__doc__, rule.__name__


_AFTER_NUMBERS = [
    ("es", "Hace 30 años ya se sabía; eran 20 ya cansados.", "20", "veinte"),
    ("es", "A las 10:30 ya estaban.", "10:30", "diez y treinta"),
    ("es", "Había 5 y 6 casos, 12 e iguales, 3 o más.", "12", "doce"),
    ("es", "Tengo 1 y medio.", "1", "uno"),
    ("fr", "Il y a 4 à 5 cas, ou 1 et 2.", "4", "quatre"),
    ("de", "Es gibt 7 und 8 Fälle, 1 oder 2.", "1", "eins"),
    ("it", "Erano 3 e 4, poi 1 o 2.", "1", "uno"),
    ("pt", "Eram 3 e 4, ou 2 ou 5.", "3", "três"),
    ("nl", "Er waren 3 en 4 of 1 tot 5.", "3", "drie"),
]


@pytest.mark.parametrize(("code", "text", "number", "said"), _AFTER_NUMBERS)
def test_number_reading_never_crosses_into_the_next_word(
    code: str, text: str, number: str, said: str
) -> None:
    """The map from the written to the spoken text (what script.md shows as ``N{...}``) never
    ends or starts inside a word: ``30 ya`` is ``30{treinta} ya``, not ``[30 y]{treinta y}a``.
    A number before a conjunction keeps its own form (``1 y medio``: ``uno``)."""
    from articast.text.rules import apply_mapped
    from articast.textmap import MappedText

    mapped = apply_mapped(MappedText.plain(text), get_language(code).reading(None))
    at = 0
    pieces = []
    for part in mapped._parts:
        end = at + len(part.display)
        if part.changed:
            for edge in (at, end):
                inside = 0 < edge < len(text) and text[edge - 1].isalpha() and text[edge].isalpha()
                assert not inside, (code, part, text[max(0, edge - 5) : edge + 5])
            pieces.append((part.display.strip(), part.spoken.strip()))
        at = end
    assert (number, said) in pieces, pieces
