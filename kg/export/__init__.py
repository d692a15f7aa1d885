"""The channels that are not RDF, made from the published graph: OAI-PMH records, Crossref and DOAJ files."""
