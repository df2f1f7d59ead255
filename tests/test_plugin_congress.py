from __future__ import annotations

from datetime import date

from attest_pipeline.models import Family, Nature
from attest_pipeline.testing import identify_all, run_issuer, winner
from attest_pipeline.testing import pdf_document as read
from attest_plugins.congress import CongressIssuer

ISSUER = CongressIssuer()


CMGF = """CONGRÈS DE LA MÉDECINE GÉNÉRALE FRANCE
ATTESTATION DE PRÉSENCE
Nous soussignés, le comité d'organisation, attestons que
le Dr Jean-Pierre DUPONT
a participé au Congrès de la Médecine Générale France (CMGF) 2025
qui s'est tenu au Palais des Congrès de Paris du 27 au 29 mars 2025.
Fait à Paris, le 31 mars 2025
Le Président du comité d'organisation, Dr Paul MARCHAND"""

REAGJIR = """ATTESTATION DE PARTICIPATION
XIIes Rencontres nationales ReAGJIR
Toulouse, 4 et 5 décembre 2024
Participant : Claire MARTIN
RPPS : 10101010105"""


def attendance(name: str) -> str:
    return f"""ATTESTATION DE PRÉSENCE
Journées nationales de la FCPTS 2025
Nous attestons que {name}
a assisté aux Journées nationales des CPTS les 12 et 13 juin 2025 à Dunkerque.
Le comité d'organisation"""


def test_identifies_an_attendance_certificate_strongly() -> None:
    answer = ISSUER.identify(read(CMGF))
    assert answer is not None
    assert 0.8 <= answer.score <= 0.95
    assert any("attendance certificate" in reason for reason in answer.reasons)


def test_reads_a_congress_attestation() -> None:
    # Run as the core runs it: identify, split, extract, then the core's checks.
    extraction = run_issuer(ISSUER, read(CMGF)).extraction
    assert extraction.family is Family.CONGRESS
    assert extraction.participant is not None
    assert extraction.participant.value == "Jean-Pierre DUPONT"
    assert extraction.event is not None
    assert extraction.event.value == "Congrès de la Médecine Générale France (CMGF) 2025"
    assert extraction.title is not None and extraction.title.value == extraction.event.value
    assert extraction.start is not None and extraction.start.value == date(2025, 3, 27)
    assert extraction.end is not None and extraction.end.value == date(2025, 3, 29)
    assert extraction.nature is not None and extraction.nature.value is Nature.CONGRES
    assert extraction.extras["place"].value == "Palais des Congrès de Paris"
    assert extraction.rpps is None


def test_never_takes_the_signature_date_nor_the_signatory() -> None:
    extraction = ISSUER.extract(read(CMGF))
    assert extraction.end is not None and extraction.end.value != date(2025, 3, 31)
    assert extraction.participant is not None
    assert "MARCHAND" not in extraction.participant.value


def test_reads_a_meeting_with_an_ordinal_and_listed_days() -> None:
    extraction = ISSUER.extract(read(REAGJIR))
    assert extraction.event is not None
    assert extraction.event.value == "XIIes Rencontres nationales ReAGJIR"
    assert extraction.participant is not None
    assert extraction.participant.value == "Claire MARTIN"
    assert extraction.rpps is not None and extraction.rpps.value == "10101010105"
    assert extraction.start is not None and extraction.start.value == date(2024, 12, 4)
    assert extraction.end is not None and extraction.end.value == date(2024, 12, 5)


def test_a_day_theme_is_the_title() -> None:
    text = CMGF.replace(
        "Fait à Paris", "Thème de la journée : Soins primaires et numérique\nFait à Paris"
    )
    extraction = ISSUER.extract(read(text))
    assert extraction.title is not None
    assert extraction.title.value == "Soins primaires et numérique"
    assert extraction.event is not None
    assert extraction.event.value.startswith("Congrès de la Médecine Générale France")


def test_an_uppercase_attestation() -> None:
    document = read(CMGF.upper())
    answer = ISSUER.identify(document)
    assert answer is not None and answer.score >= 0.8
    extraction = ISSUER.extract(document)
    assert extraction.event is not None
    assert extraction.event.value == "CONGRÈS DE LA MÉDECINE GÉNÉRALE FRANCE (CMGF) 2025"


def test_declines_a_training_day() -> None:
    text = """ATTESTATION DE FIN DE FORMATION
Journée de formation : insuffisance cardiaque
Le Dr Claire MARTIN a suivi la formation le 12 mai 2025."""
    assert ISSUER.identify(read(text)) is None


def test_a_dpc_action_held_as_a_congress_is_andpc() -> None:
    text = CMGF + "\nCette journée est l'action DPC n° 12342500012 (ANDPC, ODPC n° 1234)."
    found = identify_all(read(text))
    assert found["congress"] < found["andpc"]
    assert winner(read(text)) == "andpc"


def test_a_day_about_peer_groups_is_a_congress() -> None:
    text = """ATTESTATION DE PRÉSENCE
Journée nationale des groupes de pairs SFMG - congrès annuel
Le Dr Claire MARTIN a assisté à la journée du 14 novembre 2025 à Paris."""
    assert winner(read(text)) == "congress"


def test_splits_one_attestation_per_page_without_the_cover() -> None:
    cover = "Comité d'organisation des Journées nationales des CPTS\nListe des attestations"
    document = read(
        cover,
        attendance("le Dr Jean-Pierre DUPONT"),
        attendance("le Dr Claire MARTIN"),
        "Programme des journées : ateliers, plénières",
        attendance("le Dr Paul LEFEBVRE"),
    )
    assert ISSUER.split(document) == [[2], [3, 4], [5]]
    extraction = ISSUER.extract(document.subset([3, 4]))
    assert extraction.participant is not None
    assert extraction.participant.value == "Claire MARTIN"
    assert extraction.event is not None
    assert extraction.event.value == "Journées nationales de la FCPTS 2025"


def test_a_single_attestation_is_not_split() -> None:
    assert ISSUER.split(read(CMGF)) is None
    assert ISSUER.split(read(CMGF, "Programme du congrès : plénières")) is None


def test_a_thousand_pages_are_split_into_a_thousand_attestations() -> None:
    # bench/split_bench.py measures the cost of large PDFs.
    names = [f"le Dr Jean{chr(65 + i % 26)}{chr(65 + i // 26 % 26)} DUPONT" for i in range(1000)]
    document = read(*(attendance(name) for name in names))
    groups = ISSUER.split(document)
    assert groups is not None and len(groups) == 1000
    assert ISSUER.identify(document) is not None


def test_a_speaker_on_a_continuation_page_does_not_open_an_attestation() -> None:
    document = read(
        attendance("le Dr Jean-Pierre DUPONT"),
        "Programme : séance plénière animée par le Dr Paul LEFEBVRE",
        attendance("le Dr Claire MARTIN"),
    )
    assert ISSUER.split(document) == [[1, 2], [3]]


def test_pages_without_heading_split_on_each_named_participant() -> None:
    page = "Journées nationales des CPTS 2025 - 12 et 13 juin 2025\nParticipant : {}"
    document = read(page.format("Jean-Pierre DUPONT"), page.format("Claire MARTIN"))
    assert ISSUER.split(document) == [[1], [2]]


def test_the_venue_is_not_the_event_and_a_name_may_span_two_lines() -> None:
    text = """ReAGJIR
Centre de Congrès de Lyon
Lyon, le 29 juin 2023
Objet : attestation de présence
Je soussignée, Dr Clémence VASSEUR, Présidente de ReAGJIR, atteste que
Docteur Arnaud DU PLESSIS a assisté à l'intégralité des Rencontres
nationales ReAGJIR (ReAGJIR 2023), qui se sont déroulées les 1er et 2 juin 2023 à Lyon.
Dr Clémence VASSEUR"""
    extraction = run_issuer(ISSUER, read(text)).extraction
    assert extraction.event is not None
    assert extraction.event.value == "Rencontres nationales ReAGJIR (ReAGJIR 2023)"
    assert extraction.participant is not None
    assert extraction.participant.value == "Arnaud DU PLESSIS"


def test_reads_a_participant_named_before_the_verb_without_a_marker() -> None:
    text = """JMGB Association des Généralistes de Bretagne
Attestation de présence
RAPHAËL BONNET
a assisté aux Journées de Médecine Générale de Bretagne (JMGB 2025),
du 30 septembre au 2 octobre 2025, Palais du Grand Large, Saint-Malo.
Président
Dr Loïc TANGUY
Saint-Malo, le 16 octobre 2025"""
    extraction = run_issuer(ISSUER, read(text)).extraction
    assert extraction.participant is not None
    assert extraction.participant.value == "RAPHAËL BONNET"
    assert extraction.start is not None and extraction.start.value == date(2025, 9, 30)
    assert extraction.end is not None and extraction.end.value == date(2025, 10, 2)


WONCA_LETTER = """WONCA Europe Conference 2026
Paris, France - 29 June to 3 July 2026
CERTIFICATE OF ATTENDANCE
This is to certify that
Dr Claire MARTIN
has attended the WONCA Europe Conference 2026,
held at the Palais des Congrès, Paris, France, from 29 June to 3 July 2026.
The conference is accredited with 21 CME credits.
Paris, 3 July 2026
Prof. Anna SMITH, President of WONCA Europe
"""

WONCA_FIELDS = """CERTIFICATE OF ATTENDANCE
WONCA Europe 2026 - Paris
Name: MARTIN Claire
Participant ID: 12345
Dates of attendance: 29/06/2026 - 03/07/2026
We hereby confirm that the above-named participant attended the conference.
Issued on 10 July 2026
Signed by the Chair of the Organising Committee, Dr Paul LEROY
"""


def test_reads_an_english_certificate_of_attendance() -> None:
    for text in (WONCA_LETTER, WONCA_FIELDS):
        document = read(text)
        assert winner(document) == "congress"
        run = run_issuer(CongressIssuer(), document)
        extraction = run.extraction
        assert extraction is not None and extraction.participant is not None
        assert "MARTIN" in extraction.participant.value
        assert "Claire" in extraction.participant.value
        assert extraction.start is not None and extraction.end is not None
        assert (extraction.start.value, extraction.end.value) == (
            date(2026, 6, 29),
            date(2026, 7, 3),
        )


def test_the_english_certificate_names_its_event() -> None:
    run = run_issuer(CongressIssuer(), read(WONCA_LETTER))
    assert run.extraction is not None and run.extraction.event is not None
    assert run.extraction.event.value == "WONCA Europe Conference 2026"


TICKET = """billetterie
Attestation de présence
Journées nationales des CPTS - JNCPTS 2024
Participant Patrick O'Neill
Dates du 16 au 17 mai 2024
Lieu Centre de Congrès de Lyon, Lyon
L'organisateur, Fédération nationale des CPTS (FCPTS), certifie la présence du participant
ci-dessus, attestée par le scan de son badge à chaque journée."""


BANNER = """7E ÉDITION
Journée régionale de gériatrie en soins primaires
le mardi 14 janvier 2025 - Amphithéâtre de la Faculté des Sciences de Santé
ATTESTATION DE PRÉSENCE
Nous certifions que
Dr Léa Moreau
a participé au Journée régionale de gériatrie en soins primaires (7e édition) qui s'est
tenu le mardi 14 janvier 2025 à Dijon."""


def test_the_organiser_named_by_a_ticketing_platform() -> None:
    extraction = run_issuer(ISSUER, read(TICKET)).extraction
    assert extraction.issuer is not None
    assert extraction.issuer.value == "Fédération nationale des CPTS (FCPTS)"


def test_neither_the_event_nor_its_venue_nor_its_date_is_the_organiser() -> None:
    venue = "Pédiatrie Ambulatoire Ouest\nCentre de congrès Jean Monnier\nAngers\n"
    event = "Congrès national des centres de santé\nATTESTATION DE PRÉSENCE\n"
    # Each line has a letterhead's word (Santé, Centre): better no organiser than those.
    for text in (BANNER, venue + CMGF, event + CMGF.split("\n", 1)[1]):
        assert run_issuer(ISSUER, read(text)).extraction.issuer is None
