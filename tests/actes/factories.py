"""Acts, classifications and small documents for the e-actes tests."""

from fpdf import FPDF

from territoires.actes.models import Classification
from territoires.actes.simulator import CLASSIFICATION_DATE

SMALL_CLASSIFICATION = {
    "natures": [
        {"code": 1, "abbr": "DE", "label": "Délibérations",
         "typologies": [["99_DE", "Délibération"], ["99_SE", "Fichier de signature électronique"],
                        ["21_RP", "Rapport de présentation"]]},
        {"code": 3, "abbr": "AI", "label": "Actes individuels",
         "typologies": [["99_AI", "Acte individuel"], ["99_SE", "Fichier de signature électronique"]]},
        {"code": 5, "abbr": "BF", "label": "Documents budgétaires et financiers",
         "typologies": [["99_BU", "Document budgétaire"], ["99_SE", "Fichier de signature électronique"]]},
    ],
    "matieres": [
        {"code": "1", "label": "Commande publique"},
        {"code": "1.1", "label": "Marchés publics"},
        {"code": "7", "label": "Finances locales"},
        {"code": "7.1", "label": "Décisions budgétaires"},
        {"code": "7.10", "label": "Divers"},
    ],
}


def classification(body, date=CLASSIFICATION_DATE) -> Classification:
    return Classification.objects.create(body=body, date=date, data=SMALL_CLASSIFICATION)


def pdf_bytes(text: str = "Délibération n° 1") -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


def png_bytes() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue()
