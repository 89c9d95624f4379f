"""e-actes: drafting, signing, transmitting acts to the prefecture over the
@CTES/ACTES protocol, following them, and publishing them.

The protocol itself (messages, naming, archives) and PDF signing live in
`interop.actes` and `interop.pdf`, free of Django; this app is the
service built on both.
"""
