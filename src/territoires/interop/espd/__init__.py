"""The structured DUME (ESPD): build it, check it against the XSD, read it back.

The simplified candidature (in the spirit of the former MPS): the operator
gives its SIRET, its identity, legal and financial data are pre-filled (API
Entreprise / SIRENE, by the caller), it answers the exclusion grounds and the
global selection indicator, and we generate the ESPD response the buyer
receives, ESPD-EDM v4.1.0 (UBL 2.3), valid against
`reference/marches/espd/xsd`.

Django-free like the rest of `interop`: dataclasses in (data.py), bytes out
(build.py), and back (parse.py). XSDs are read from the reference folder
passed by the caller (schema.py), never from settings.
"""
