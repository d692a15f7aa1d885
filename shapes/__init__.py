"""The SHACL shapes, installed as the package ``kg.shapes`` (see ``pyproject.toml``); no code.

The ``*.ttl`` files here are read through ``kg.resources``.
"""
