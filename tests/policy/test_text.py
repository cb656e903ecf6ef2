"""The policy text: complete, faithful to the published copy, and the source of every quote."""

from __future__ import annotations

import re

import pytest
import yaml

from bot.policy import Knowledge
from tests.support.policy_text import POLICY_DIR, TEXT

PUBLISHED = (POLICY_DIR / "source" / "liling-2017-6.source.txt").read_text(encoding="utf-8")
RESTORATIONS = yaml.safe_load((POLICY_DIR / "RESTORATIONS.yml").read_text(encoding="utf-8"))[
    "restorations"
]
CHINESE_NUMERALS = "一二三四五六七八九"


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _restore(text: str) -> str:
    """Apply the listed restorations to published text, as the cleaning did."""
    for item in RESTORATIONS:
        if text.strip() == item["as_published"] or not item["as_published"].isdigit():
            text = text.replace(item["as_published"], item["restored"])
    return text


def expected_clause_ids() -> list[str]:
    """Derive every clause id from the document's own numbering in the text."""
    ids: list[str] = []
    section = subsection = 0
    for line in TEXT.splitlines():
        if m := re.match(rf"^([{CHINESE_NUMERALS}])、", line):
            section, subsection = CHINESE_NUMERALS.index(m[1]) + 1, 0
            ids.append(str(section))
        elif m := re.match(rf"^\(([{CHINESE_NUMERALS}])\)", line):
            subsection = CHINESE_NUMERALS.index(m[1]) + 1
            ids.append(f"{section}.{subsection}")
        elif m := re.match(r"^(\d+)\. ", line):
            ids.append(f"{section}.{subsection}.{m[1]}")
        elif m := re.match(r"^(\d+) \| ", line):
            ids.append(f"annex.{m[1]}")
    return ids


def test_text_structure_is_what_the_document_numbers() -> None:
    ids = expected_clause_ids()
    assert ids[:3] == ["1", "1.1", "1.2"]
    assert "3.1.7" in ids and "3.2.9" in ids and "4.3" in ids and "6.3" in ids
    assert [i for i in ids if i.startswith("annex.")] == [f"annex.{n}" for n in range(1, 19)]
    assert len(ids) == len(set(ids))


def test_every_clause_of_the_document_is_in_the_knowledge_base(kb: Knowledge) -> None:
    missing = [cid for cid in expected_clause_ids() if cid not in kb.clauses]
    assert missing == []
    extra = [cid for cid in kb.clauses if cid not in expected_clause_ids()]
    assert extra == []


def test_every_quote_is_a_verbatim_span_of_the_policy_text(kb: Knowledge) -> None:
    for clause in kb.clauses.values():
        for quote in (clause.quote, *clause.extra_quotes):
            assert quote in TEXT, f"{clause.id}: {quote}"
            assert quote.strip() == quote and quote


def test_quotes_stand_in_their_own_clause() -> None:
    """A quote must come from its clause's part of the text, not just anywhere."""
    data = yaml.safe_load((POLICY_DIR / "clauses.yml").read_text(encoding="utf-8"))["clauses"]
    ids = expected_clause_ids()
    # Locate each clause's heading line, then its span up to the next heading.
    lines = TEXT.splitlines()
    heading_lines = [
        n
        for n, line in enumerate(lines)
        if re.match(rf"^([{CHINESE_NUMERALS}]、|\([{CHINESE_NUMERALS}]\)|\d+\. |\d+ \| )", line)
    ]
    assert len(heading_lines) == len(ids)
    spans = {}
    for k, cid in enumerate(ids):
        end = heading_lines[k + 1] if k + 1 < len(ids) else len(lines)
        spans[cid] = "\n".join(lines[heading_lines[k] : end])
    for entry in data:
        cid = entry["id"]
        own = spans[cid]
        # A section's own span runs to its first child; the paragraph after the last item
        # (3.1's residence-permit sentence, 3.2's operating rules) belongs to the section.
        family = own + "".join(text for other, text in spans.items() if other.startswith(cid + "."))
        for quote in [entry["quote"], *(entry.get("extra_quotes") or [])]:
            assert quote in family, f"{cid}: quote is outside its clause: {quote}"


@pytest.mark.parametrize("item", RESTORATIONS, ids=lambda item: item["restored"])
def test_each_restoration_is_listed_and_real(item: dict[str, str]) -> None:
    assert item["restored"] in TEXT
    assert item["as_published"] in PUBLISHED
    assert item["why"]


def test_no_citation_is_left_without_its_brackets() -> None:
    for match in re.finditer(r"[湘株醴]\w{1,3}[发通]\S{0,2}?(20\d\d)", TEXT):
        context = TEXT[match.start() : match.end() + 6]
        assert "〔" in context and "〕" in context, context


def test_every_published_sentence_is_kept() -> None:
    """Each line of the published body (chrome dropped) is in the cleaned text."""
    body = PUBLISHED.split("关于进一步推进户籍制度改革的实施意见", 2)[2]
    body = body.split("醴陵市人民政府办公室")[0]
    cleaned = _squash(TEXT).replace("|", "").replace("、", "")
    for raw in body.splitlines():
        line = _squash(_restore(raw)).replace("、", "")
        if line:
            assert line in cleaned, raw


def test_no_page_chrome_is_left() -> None:
    for chrome in ("欢迎访问", "您当前的位置", "字体[", "索 引 号", "失效日期", "主 题 词"):
        assert chrome not in TEXT


def test_metadata(kb: Knowledge) -> None:
    meta = kb.meta
    assert meta.doc_no == "醴政发〔2017〕6号"
    assert meta.issuer == "醴陵市人民政府"
    assert (meta.signed.isoformat(), meta.published.isoformat()) == ("2017-07-05", "2017-07-28")
    assert (meta.effective.isoformat(), meta.expires.isoformat()) == ("2017-07-28", "2022-07-28")
    assert meta.index_no == "LLDR-2017-00007"
    assert meta.source_office == "醴陵市法制办"
    assert meta.doc_no in TEXT
