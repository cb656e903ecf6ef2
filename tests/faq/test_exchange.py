"""Rasa export of published entries, and the YAML entry list in and out."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.faq.errors import ValidationError
from bot.faq.exchange import export_entries, export_rasa, import_text, import_yaml, write_export
from bot.faq.records import PublishedEntry
from bot.faq.store import FaqStore
from tests.support.faq import NEWBORN, published_entry

MARRIAGE = PublishedEntry(
    id=2,
    key="marriage_transfer",
    question="结婚后户口能迁过来吗？",
    paraphrases=("嫁过来的[姓名]怎么落户", "投靠配偶落户"),
    answer="可以。\n带结婚证、户口簿。",
    clause_ids=("3.1.3",),
    tags=("婚姻",),
    version=4,
)


def test_rasa_export_structure(tmp_path: Path) -> None:
    paths = write_export([MARRIAGE], tmp_path / "out")
    assert [p.name for p in paths] == ["faq_nlu.yml", "faq_domain.yml", "faq_entries.yml"]
    nlu = yaml.safe_load(paths[0].read_text(encoding="utf-8"))
    domain = yaml.safe_load(paths[1].read_text(encoding="utf-8"))
    assert nlu == {
        "version": "3.1",
        "nlu": [
            {
                "intent": "faq/marriage_transfer",
                "examples": (
                    "- 结婚后户口能迁过来吗？\n- 嫁过来的【姓名】怎么落户\n- 投靠配偶落户\n"
                ),
            }
        ],
    }
    assert domain == {
        "version": "3.1",
        "intents": ["faq"],
        "responses": {"utter_faq/marriage_transfer": [{"text": "可以。\n带结婚证、户口簿。"}]},
    }
    assert "examples: |" in paths[0].read_text(encoding="utf-8")


def test_rasa_export_of_nothing_is_still_valid() -> None:
    nlu, domain = export_rasa([])
    assert yaml.safe_load(nlu) == {"version": "3.1", "nlu": []}
    assert yaml.safe_load(domain) == {"version": "3.1", "intents": ["faq"], "responses": {}}


def test_export_serves_the_published_version(store: FaqStore) -> None:
    entry = published_entry(store)
    store.update("editor", entry.id, {"answer": "未发布的新答案"}, entry.revision)
    nlu, domain = export_rasa(store.published())
    assert "未发布的新答案" not in domain
    assert yaml.safe_load(domain)["responses"] == {
        "utter_faq/newborn_documents": [{"text": NEWBORN["answer"]}]
    }
    assert yaml.safe_load(nlu)["nlu"][0]["intent"] == "faq/newborn_documents"


def test_round_trip(store: FaqStore, tmp_path: Path) -> None:
    rows = [
        {
            "key": "newborn_documents",
            "question": NEWBORN["question"],
            "paraphrases": NEWBORN["paraphrases"],
            "answer": NEWBORN["answer"],
            "clauses": ["3.1.1"],
            "tags": ["新生儿"],
        },
        {
            "key": "marriage_transfer",
            "question": MARRIAGE.question,
            "paraphrases": list(MARRIAGE.paraphrases),
            "answer": MARRIAGE.answer,
            "clauses": ["3.1.3", "3.1.1"],
            "tags": [],
        },
    ]
    source = tmp_path / "faq.yml"
    source.write_text(yaml.safe_dump(rows, allow_unicode=True), encoding="utf-8")
    report = import_yaml(store, "editor", source)
    assert report.errors == []
    assert [e.status for e in report.created] == ["draft", "draft"]
    exported = export_entries(sorted(store.list(), key=lambda e: e.id))
    assert yaml.safe_load(exported) == rows
    assert export_entries(store.published()) == "[]\n"


def test_import_reports_bad_rows_and_loads_good_ones(store: FaqStore, tmp_path: Path) -> None:
    source = tmp_path / "faq.yml"
    source.write_text(
        """
- {key: ok_one, question: 孩子上户口要什么材料, answer: 出生医学证明, clauses: [3.1.1],
   status: in_review}
- {question: 问题, clauses: [9.9]}
- {answer: 没有问题}
- {question: 直接发布, answer: 答, status: published}
- 只是一行字
- {question: 问, colour: red}
- {key: ok_one, question: 重复的标识}
- {question: 待审核却没有答案, status: in_review}
- {question: 数字条款, clauses: [3.1, 4]}
""",
        encoding="utf-8",
    )
    report = import_yaml(store, "editor", source)
    assert report.errors == [
        "第 2 条：未知的条款编号：9.9",
        "第 3 条：问题不能为空",
        "第 4 条：status 只能是 draft 或 in_review（导入的条目须经审核后发布），收到 'published'",
        "第 5 条：应为包含 question、answer 等字段的映射",
        "第 6 条：未知字段：colour",
        "第 7 条：标识 ok_one 已被条目 1 使用",
        "第 8 条：答案为空，不能以 in_review 状态导入",
    ]
    assert [(e.key, e.status) for e in report.created] == [
        ("ok_one", "in_review"),
        ("entry_2", "draft"),
    ]
    assert report.created[1].clause_ids == ("3.1", "4")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("key: value\n", "应为条目列表"),
        ("- [unclosed\n", "不是有效的 YAML"),
        ("", "应为条目列表"),
    ],
)
def test_import_refuses_a_file_that_is_not_a_list(
    store: FaqStore, tmp_path: Path, text: str, message: str
) -> None:
    source = tmp_path / "faq.yml"
    source.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError, match=message):
        import_yaml(store, "editor", source)


def test_import_of_a_missing_file(store: FaqStore, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="无法读取"):
        import_yaml(store, "editor", tmp_path / "missing.yml")


def test_the_export_passes_rasa_data_validate_with_the_project_data(
    kb: object, tmp_path: Path
) -> None:
    """The exported files, added to the project's domain and NLU data, are valid Rasa data."""
    import shutil
    import subprocess
    import sys

    from bot.paths import ROOT
    from tests.support.faq import desk, publish_file

    store = desk(f"sqlite:///{tmp_path}/faq.sqlite3")
    publish_file(store)
    out = tmp_path / "export"
    nlu, domain, _ = write_export(store.published(), out)
    domains = tmp_path / "domain"
    shutil.copytree(ROOT / "bot" / "domain", domains)
    shutil.copy(domain, domains / domain.name)
    result = subprocess.run(
        [str(Path(sys.executable).with_name("rasa")), "data", "validate",
         "--config", str(ROOT / "bot" / "config.yml"), "--domain", str(domains),
         "--data", str(ROOT / "data" / "nlu"), str(ROOT / "data" / "rules"), str(nlu)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert "ERROR" not in log, log[-3000:]
    assert "faq/land_rights" not in log  # no complaint about any exported intent or response

    # rasa data validate does not match retrieval intents with their responses: check it
    # with Rasa's own importer, as training will read the files.
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_dict(
        domain_path=str(domains), training_data_paths=[str(nlu)]
    )
    data, merged = importer.get_nlu_data(), importer.get_domain()
    keys = {m.get_full_intent() for m in data.intent_examples}
    assert keys == {f"faq/{entry.key}" for entry in store.published()}
    assert {f"utter_{key}" for key in keys} <= set(merged.responses)


def test_import_text_is_all_or_nothing_on_either_database(store: FaqStore) -> None:
    """The web import's path: a refused row leaves the database as it was (SQLite and
    PostgreSQL), a good file is created in one go, and the rows keep their file lines."""
    text = (
        "- {key: first, question: 第一个问题, answer: 答案一, clauses: [3.1.1]}\n"
        "- {key: second, question: 第二个问题, answer: 答案二, status: in_review}\n"
        "- {key: first, question: 重复的标识}\n"
    )
    with pytest.raises(ValidationError) as refused:
        import_text(store, "editor", text, "faq.yml")
    assert str(refused.value).split("\n")[1].startswith("faq.yml:3: 第 3 条：")
    assert store.list() == []
    created = import_text(store, "editor", text.rsplit("- ", 1)[0], "faq.yml")
    assert [(e.key, e.status) for e in created] == [("first", "draft"), ("second", "in_review")]
    assert {e.key for e in store.list()} == {"first", "second"}
