"""Rebuild the sample PDFs of samples/ from the texts below (needs reportlab).

The expected values (samples/*.json) are written by hand, never generated: they are what
a person reads on the page.
"""

from __future__ import annotations

from pathlib import Path

from attest_pipeline.testing import make_pdf

SAMPLES = Path(__file__).resolve().parent.parent / "samples"

HEADER = [
    "MédFormation Ouest",
    "Organisme de formation continue des professionnels de santé",
    "Certifié Qualiopi au titre des actions de formation",
    "NDA 53 29 01234 29 - SIRET 412 345 678 00012",
    "",
    "CERTIFICAT DE PARTICIPATION",
    "",
]

SINGLE = [
    *HEADER,
    "Participant        Dr Claire MARTIN",
    "N° RPPS            10101010105",
    "Code stage         MFO-25-017",
    "Intitulé           Dépistage et prise en charge de la BPCO en médecine générale",
    "Dates              du 12/03/2025 au 13/03/2025",
    "Volume horaire     14 h",
    "Modalité           présentiel, Brest",
    "",
    "Fait à Brest, le 14/03/2025",
    "Le responsable pédagogique, Yann KERGUELEN",
]


def session_page(participant: str, rpps: str | None) -> list[str]:
    """One certificate of the session MFO-25-021."""
    lines = [*HEADER, f"Participant        {participant}"]
    if rpps:
        lines.append(f"N° RPPS            {rpps}")
    return [
        *lines,
        "Code stage         MFO-25-021",
        "Intitulé           Antibiothérapie en ville : bon usage et résistances",
        "Dates              le 4 avril 2025",
        "Volume horaire     7 h 30",
        "Modalité           classe virtuelle",
        "",
        "Fait à Quimper, le 7 avril 2025",
        "Le responsable pédagogique, Yann KERGUELEN",
    ]


SUMMARY = [
    "MédFormation Ouest",
    "Récapitulatif de la session MFO-25-021",
    "2 certificats émis, 0 absence",
]

INVOICE = [
    "MédFormation Ouest",
    "FACTURE N° F-2025-112",
    "Session MFO-25-017, certificat de participation inclus",
    "Montant : 450,00 EUR",
]


def main() -> None:
    """Write every sample PDF."""
    samples = {
        "single.pdf": [SINGLE],
        "session.pdf": [
            session_page("Dr Jean-Pierre DUPONT", "10005682603"),
            session_page("Mme Anne-Sophie LE GALL", None),
            SUMMARY,
        ],
        "invoice.pdf": [INVOICE],
    }
    for name, pages in samples.items():
        (SAMPLES / name).write_bytes(make_pdf(pages, producer="MédFormation Ouest"))


if __name__ == "__main__":
    main()
