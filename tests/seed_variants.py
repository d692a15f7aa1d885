"""The seed export made richer for the channel tests (Crossref, DOAJ, JATS, OAI-PMH): its DOI filled in and
a second author with an ORCID iD, which the seed's own record lacks."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SEED

DOI = "10.61186/mshsj.10.4.355"
ORCID = "0000-0002-1825-0097"
_SECOND_AUTHOR = """	<author>
	<first_name>Sara</first_name>
	<last_name>Ahmadi</last_name>
	<first_name_fa>سارا</first_name_fa>
	<last_name_fa>احمدی</last_name_fa>
	<orcid>{orcid}</orcid>
	<affiliation>Department of Health Management, Yazd, Iran</affiliation>
{persian}	</author>
</author_list>"""
_PERSIAN_AFFILIATION = "\t<affiliation_fa>گروه مدیریت سلامت، یزد، ایران</affiliation_fa>\n"


def write_rich_seed(folder: Path, *, persian_affiliation: bool = True) -> Path:
    """Write the seed with ``DOI`` and a second author (ORCID ``ORCID``) into ``folder``; its path."""
    author = _SECOND_AUTHOR.format(orcid=ORCID, persian=_PERSIAN_AFFILIATION if persian_affiliation else "")
    text = SEED.read_text(encoding="utf-8")
    text = text.replace("<article_id_doi></article_id_doi>", f"<article_id_doi>{DOI}</article_id_doi>", 1)
    path = folder / SEED.name
    path.write_text(text.replace("</author_list>", author, 1), encoding="utf-8")
    return path
