"""FAQ entries in and out: Rasa training data for the assistant, and a YAML list for people.

* :func:`export_rasa` gives Rasa 3.x NLU data with one retrieval intent ``faq/<key>`` per
  published entry (question and paraphrases as examples) and a domain with the matching
  ``utter_faq/<key>`` responses. The assistant needs a ``ResponseSelector`` and a rule
  ``intent: faq → action: utter_faq`` to use them.
* :func:`export_entries` and :func:`import_yaml` read and write a plain list of entries
  (:func:`import_text`, the web import, reads the same list, all or nothing)::

      - key: newborn_documents
        question: 孩子上户口要带什么材料？
        paraphrases: [新生儿落户需要哪些材料]
        answer: 出生医学证明、父母户口簿……
        clauses: [3.1.1]
        tags: [新生儿]
        status: draft        # or in_review; imported entries are never published directly
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.faq.errors import FaqError, RowsRefused, ValidationError
from bot.faq.records import EntryView, PublishedEntry
from bot.faq.store import Actor, FaqStore

RASA_FORMAT = "3.1"
NLU_FILE = "faq_nlu.yml"
DOMAIN_FILE = "faq_domain.yml"
ENTRIES_FILE = "faq_entries.yml"
_ROW_FIELDS = {"key", "question", "paraphrases", "answer", "clauses", "tags", "status"}
_IMPORT_STATUSES = ("draft", "in_review")


class _Block(str):
    """A string YAML writes as a literal block (``|``)."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    _Block, lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, "|")
)


def _dump(data: object) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1000)


def _example(text: str) -> str:
    """One NLU example; square brackets become 【】 so Rasa never reads them as entities."""
    return "- " + text.replace("[", "【").replace("]", "】")


def export_rasa(entries: Iterable[PublishedEntry]) -> tuple[str, str]:
    """Rasa 3.x YAML for ``entries``: (NLU data, domain with responses)."""
    entries = list(entries)
    nlu = [
        {
            "intent": f"faq/{entry.key}",
            "examples": _Block(
                "".join(_example(text) + "\n" for text in (entry.question, *entry.paraphrases))
            ),
        }
        for entry in entries
    ]
    responses = {f"utter_faq/{entry.key}": [{"text": entry.answer}] for entry in entries}
    return (
        _dump({"version": RASA_FORMAT, "nlu": nlu}),
        _dump({"version": RASA_FORMAT, "intents": ["faq"], "responses": responses}),
    )


def export_entries(entries: Iterable[PublishedEntry | EntryView]) -> str:
    """``entries`` as the YAML list :func:`import_yaml` reads."""
    return _dump(
        [
            {
                "key": entry.key,
                "question": entry.question,
                "paraphrases": list(entry.paraphrases),
                "answer": entry.answer,
                "clauses": list(entry.clause_ids),
                "tags": list(entry.tags),
            }
            for entry in entries
        ]
    )


def write_export(entries: Iterable[PublishedEntry], out_dir: Path) -> list[Path]:
    """Write the Rasa NLU and domain files and the entry list into ``out_dir``."""
    entries = list(entries)
    out_dir.mkdir(parents=True, exist_ok=True)
    nlu, domain = export_rasa(entries)
    paths = []
    for name, text in (
        (NLU_FILE, nlu),
        (DOMAIN_FILE, domain),
        (ENTRIES_FILE, export_entries(entries)),
    ):
        path = out_dir / name
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


@dataclass
class ImportReport:
    """What :func:`import_yaml` did: entries created, and rows refused with the reason."""

    created: list[EntryView] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _row_data(row: object) -> tuple[dict[str, Any], str]:
    """The store's data for one row, and the status to bring it to."""
    if not isinstance(row, Mapping):
        raise ValidationError("应为包含 question、answer 等字段的映射")
    unknown = sorted(set(row) - _ROW_FIELDS)
    if unknown:
        raise ValidationError(f"未知字段：{'、'.join(map(str, unknown))}")
    status = row.get("status", "draft")
    if status not in _IMPORT_STATUSES:
        raise ValidationError(
            f"status 只能是 draft 或 in_review（导入的条目须经审核后发布），收到 {status!r}"
        )
    if status == "in_review" and not str(row.get("answer") or "").strip():
        raise ValidationError("答案为空，不能以 in_review 状态导入")
    data = {
        name: row[name]
        for name in ("key", "question", "paraphrases", "answer", "tags")
        if name in row
    }
    if "clauses" in row:
        # YAML reads an unquoted 3.1 as a number: take it as the clause id it was meant to be.
        clauses = row["clauses"]
        data["clause_ids"] = (
            [str(c) if isinstance(c, int | float) else c for c in clauses]
            if isinstance(clauses, list)
            else clauses
        )
    return data, status


def import_yaml(store: FaqStore, user: Actor, path: Path) -> ImportReport:
    """Create an entry for each good row of the YAML list in ``path``; report the bad ones.

    Each row is loaded on its own, so one bad row does not stop the others. Errors read
    ``第 3 条：未知的条款编号：9.9`` (rows counted from 1).

    Raises:
        ValidationError: The file cannot be read or is not a YAML list.
    """
    try:
        rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"无法读取 {path}：{exc}") from None
    except yaml.YAMLError as exc:
        raise ValidationError(f"{path} 不是有效的 YAML：{exc}") from None
    if not isinstance(rows, list):
        raise ValidationError(f"{path} 应为条目列表（每条含 question、answer 等字段）")
    report = ImportReport()
    for number, row in enumerate(rows, start=1):
        try:
            data, status = _row_data(row)
            view = store.create(user, data)
            if status == "in_review":
                view = store.submit(user, view.id)
        except FaqError as exc:
            report.errors.append(f"第 {number} 条：{exc}")
        else:
            report.created.append(view)
    return report


IMPORT_MAX_ROWS = 500
"""The most entries one web import may bring (a larger file is refused, not cut)."""


def _row_lines(text: str, source: str) -> list[int]:
    """The line (from 1) where each row of the YAML list in ``text`` starts.

    Raises:
        ValidationError: ``text`` is not YAML, or not a list (``source:line: reason``).
    """
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}" if mark else source
        raise ValidationError(
            f"{where}: 不是有效的 YAML，请检查缩进、冒号和引号（{exc.problem or exc.context}）"
        ) from None
    except yaml.YAMLError as exc:
        raise ValidationError(f"{source}: 不是有效的 YAML（{exc}）") from None
    if not isinstance(node, yaml.SequenceNode):
        line = node.start_mark.line + 1 if node is not None else 1
        raise ValidationError(
            f"{source}:{line}: 应为条目列表，每条以“- ”开头，含 question、answer 等字段"
        )
    return [item.start_mark.line + 1 for item in node.value]


def import_text(store: FaqStore, user: Actor, text: str, source: str) -> list[EntryView]:
    """Create an entry for each row of the YAML list ``text`` (read from ``source``): all or none.

    The rows are checked as :func:`import_yaml` checks them, then by the store; if any row is
    refused nothing is imported, and the error lists every refused row as
    ``faq.yml:12: 第 3 条：未知的条款编号：9.9`` (the line where the row starts).

    Raises:
        ValidationError: The file, or one or more of its rows, was refused (nothing imported).
    """
    lines = _row_lines(text, source)
    if not lines:
        raise ValidationError(f"{source}: 文件中没有条目")
    if len(lines) > IMPORT_MAX_ROWS:
        raise ValidationError(
            f"{source}: 一次最多导入 {IMPORT_MAX_ROWS} 条，文件中有 {len(lines)} 条，请分成几个文件"
        )
    problems: list[tuple[int, str]] = []
    batch: list[tuple[Mapping[str, object], bool] | None] = []
    for index, row in enumerate(yaml.safe_load(text)):
        try:
            data, status = _row_data(row)
        except FaqError as exc:
            problems.append((index, str(exc)))
            batch.append(None)
        else:
            batch.append((data, status == "in_review"))
    try:
        return store.create_all(user, batch, detail=f"从 {source} 导入")
    except RowsRefused as exc:
        problems = sorted(problems + exc.rows)
    listed = "\n".join(
        f"{source}:{lines[index]}: 第 {index + 1} 条：{reason}" for index, reason in problems
    )
    raise ValidationError(
        f"没有导入任何条目：{len(problems)} 条有问题，请改正后重新导入。\n{listed}"
    )
