"""Sample inputs for every builder, shared by the schema and round-trip tests."""

from datetime import date

from territoires.interop import actes as a

EMITTER = a.Emitter(siren="214502494", departement="45", arrondissement=1, nature_code="31")
ID_ACTE = "045-214502494-20170717-D201717-DE"
REF = a.CourrierRef(id_acte=ID_ACTE, date_courrier_pref=date(2017, 8, 1))
DOC = a.FileRef("045-214502494-20170717-D201717-DE-2-2_1.pdf")

ACTE = a.ActeData(
    numero_interne="D201717",
    nature_code=1,
    decision_date=date(2017, 7, 17),
    matiere_codes=(7, 1),
    objet="Décision modificative n° 2 – budget annexe de l'eau (œuvre, 10 €)",
    classification_date=date(2017, 1, 1),
    document=a.FileRef("99_DE-045-214502494-20170717-D201717-DE-1-1_1.pdf"),
    annexes=(a.FileRef("99_SE-045-214502494-20170717-D201717-DE-1-1_2.pdf"),
             a.FileRef("21_RP-045-214502494-20170717-D201717-DE-1-1_3.pdf")),
    document_papier=False,
    precedent_id_acte="045-214502494-20170710-D201716-DE",
)
ENVELOPE = a.EnvelopeData(
    emitter=EMITTER,
    return_emails=("actes@mairie-exemple.fr", "dgs@mairie-exemple.fr"),
    messages=(a.FileRef("045-214502494-20170717-D201717-DE-1-1_0.xml"),
              a.FileRef("045-214502494-20170717-D201718-AI-1-1_0.xml")),
    referent=a.Referent(nom="Secrétariat de mairie", telephone="0238000000", email="secretariat@mairie-exemple.fr"),
)

# (code or root, builder call) for every message we can produce.
CL_BUILDERS = {
    "EnveloppeCLMISILL": lambda: a.build_enveloppe_cl_misill(ENVELOPE),
    "1-1": lambda: a.build_acte(ACTE),
    "2-2": lambda: a.build_reponse_courrier_simple(REF, DOC),
    "3-2": lambda: a.build_ar_demande_piece_complementaire(REF),
    "3-3": lambda: a.build_refus_piece_complementaire(REF, DOC),
    "3-4": lambda: a.build_piece_complementaire(REF, [DOC, "045-214502494-20170717-D201717-DE-3-4_2.pdf"]),
    "4-2": lambda: a.build_ar_lettre_observations(REF),
    "4-3": lambda: a.build_rejet_lettre_observations(REF, DOC),
    "4-4": lambda: a.build_reponse_lettre_observations(REF, DOC),
    "6-1": lambda: a.build_annulation(ID_ACTE),
    "7-1": lambda: a.build_demande_classification(date(2017, 1, 1)),
}
PREF_BUILDERS = {
    "EnveloppeMISILLCL": lambda: a.build_enveloppe_misill_cl(
        a.PrefectureSender("45"), siren="214502494", messages=["045-214502494-20170717-D201717-DE-1-2_0.xml"]),
    "1-2": lambda: a.build_ar_acte(ACTE, id_acte=ID_ACTE, date_reception=date(2017, 7, 18),
                                   classification_date_en_cours=date(2017, 1, 1)),
    "1-3": lambda: a.build_anomalie_acte(
        ACTE, date_anomalie=date(2017, 7, 18), nature=1,
        detail="ODT-VERIF-01 : L'acte utilise une date de classification qui n'est pas à jour",
        classification_date_en_cours=date(2017, 6, 1)),
    "AnomalieEnveloppe": lambda: a.build_anomalie_enveloppe(
        ENVELOPE, date_anomalie=date(2017, 7, 17), nature=2,
        detail="PREF-VERIF-02 : SIREN pas encore enregistré"),
    "2-1": lambda: a.build_courrier_simple(REF, "045-214502494-20170717-D201717-DE-2-1_1.pdf"),
    "3-1": lambda: a.build_demande_piece_complementaire(REF, "Le tableau des effectifs.", DOC),
    "3-5": lambda: a.build_ar_piece_complementaire(REF, date(2017, 8, 20)),
    "4-1": lambda: a.build_lettre_observations(REF, "Incompétence de l'auteur de l'acte.", DOC),
    "4-5": lambda: a.build_ar_reponse_rejet_lettre_observations(REF, date(2017, 9, 2)),
    "5-1": lambda: a.build_defere_ta(ID_ACTE, date_depot=date(2017, 9, 15),
                                     nature_illegalite="Vice de procédure", pieces=[DOC]),
    "6-2": lambda: a.build_ar_annulation(ID_ACTE, date(2017, 7, 19)),
    "7-2": lambda: a.build_retour_classification(a.default_classification(date(2017, 1, 1))),
    "7-3": lambda: a.build_reponse_classification_sans_changement(date(2017, 1, 1)),
}
ALL_BUILDERS = {**CL_BUILDERS, **PREF_BUILDERS}
