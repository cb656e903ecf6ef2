"""Adding the next document, end to end, with a fictional one that lives in tests/ only.

A copy of ``policy_text/`` gets ``policies/test-2027-rented/`` (``tests/policy/fictional``),
``HUKOU_POLICY_DIR`` points at the copy, and the command line is run as a city's editor
would: ``hukou check``, ``hukou policies``, ``hukou assess --date``.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.policy.loader import DEFAULT_DIR
from tests.support.cli import run

FICTIONAL = Path(__file__).resolve().parent / "fictional" / "test-2027-rented"
RENTED = '{"goal": "settle_urban", "housing": "rented"}'
OWNED = '{"goal": "settle_urban", "housing": "owned"}'


@pytest.fixture
def edition(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of policy_text/ with the fictional document added, used by ``hukou``."""
    target = tmp_path / "policy_text"
    shutil.copytree(DEFAULT_DIR, target)
    shutil.copytree(FICTIONAL, target / "policies" / FICTIONAL.name)
    monkeypatch.setenv("HUKOU_POLICY_DIR", str(target))
    return target


def _assess(
    facts: str,
    day: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, object]:
    code, out, err = run(
        ["assess", "-", "--format", "json", "--date", day],
        capsys,
        stdin=facts,
        monkeypatch=monkeypatch,
    )
    assert code == 0, err
    data: dict[str, object] = json.loads(out)
    return data


def _passages(data: dict[str, object]) -> list[str]:
    changes = data["changes"]
    assert isinstance(changes, dict)
    return [item["passage"] for item in changes["items"]]


def test_the_fictional_document_is_not_shipped() -> None:
    assert not (DEFAULT_DIR / "policies" / FICTIONAL.name).exists()
    for path in DEFAULT_DIR.rglob("*"):
        if path.is_file():
            assert "虚构测试机关" not in path.read_text(encoding="utf-8"), path


def test_check_and_policies_see_the_new_document(
    edition: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["check"], capsys)
    assert code == 0 and "4 份政策文件（之后的文件 3 份" in out
    code, out, _ = run(["policies", "--date", "2027-06-01"], capsys)
    assert code == 0 and "test-2027-rented" in out and "虚构测试机关" in out
    code, out, _ = run(["policies", "--format", "json", "--date", "2028-01-01"], capsys)
    documents = {d["id"]: d for d in json.loads(out)["documents"]}
    assert documents["test-2027-rented"]["standing"] == "expired"


def test_the_new_passage_is_shown_only_while_in_effect_and_where_it_applies(
    edition: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def shown(facts: str, day: str) -> bool:
        return "rented-proof" in _passages(_assess(facts, day, capsys, monkeypatch))

    assert not shown(RENTED, "2027-02-28")  # before its effective date
    assert shown(RENTED, "2027-03-01")
    assert shown(RENTED, "2027-12-31")
    assert not shown(RENTED, "2028-01-01")  # the document has expired
    assert not shown(OWNED, "2027-06-01")  # applies_when: housing = rented
    code, text, _ = run(
        ["assess", "-", "--date", "2027-06-01"], capsys, stdin=RENTED, monkeypatch=monkeypatch
    )
    # An official text (evidence H, not reported) is named as such and quoted as the rule.
    assert code == 0 and "虚构测试机关《虚构测试机关关于测试事项的虚构通知》" in text
    assert "“自2027年3月1日起,租住房屋的居民" in text


def test_a_mistake_in_the_new_document_is_reported_by_file_and_line(
    edition: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = edition / "policies" / FICTIONAL.name / "document.yml"
    text = document.read_text(encoding="utf-8")
    document.write_text(text.replace("须另行提交虚构", "须另行提交真实"), encoding="utf-8")
    code, _, err = run(["check"], capsys)
    assert code == 2
    assert f"policy_text/policies/{FICTIONAL.name}/document.yml:" in err
    assert "passage rented-proof: quote is not in the text of source notice" in err
