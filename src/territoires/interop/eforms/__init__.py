"""EU eForms (TED) notices: read them, write them, check them against the XSD.

Django-free like the rest of `interop`: dataclasses in, bytes out, and back.
Reference files (XSDs) are read from the `marches` reference folder passed
by the caller, never from settings.
"""
