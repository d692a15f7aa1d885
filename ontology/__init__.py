"""kg's ontology, its JSON-LD context and the vocabularies it uses, installed as ``kg.ontology``; no code.

The files here are read through ``kg.resources``.
"""
