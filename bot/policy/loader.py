"""Load ``policy_text/`` and validate all of it before anything uses it.

Bad data fails at start-up with the file, the line and the reason, e.g.::

    policy_text/clauses.yml:214: clause 3.1.5: quote is not in liling-2017-6.txt: '凡在…'

All problems are collected and reported together, not only the first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.policy.conditions import Condition, ConditionError, parse
from bot.policy.facts import FACTS
from bot.policy.model import (
    CHECKLIST_GROUPS,
    KINDS,
    RELIABILITY_LABELS,
    STATUSES,
    Clause,
    ConditionalRight,
    Document,
    Knowledge,
    Link,
    Note,
    Passage,
    PolicyDocument,
    PolicyMeta,
    PolicySource,
    Procedure,
    Related,
    Requirement,
    Source,
)

DEFAULT_DIR = Path(__file__).resolve().parents[2] / "policy_text"
"""``policy_text/`` of this checkout (the gateway, the actions and the CLI pass
:func:`bot.paths.policy_dir`, which ``HUKOU_POLICY_DIR`` overrides)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data, located in its file."""

    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


class PolicyDataError(Exception):
    """The policy data is invalid; ``problems`` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        """Keep the problems and build a readable message from them."""
        self.problems = problems
        super().__init__("invalid policy data:\n" + "\n".join(f"  {p}" for p in problems))


class _LineMap(dict[str, Any]):
    """A YAML mapping that remembers the line it started on (1-based)."""

    line = 0


class _LineLoader(yaml.SafeLoader):
    """A safe loader whose mappings are :class:`_LineMap` objects."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> _LineMap:
    mapping = _LineMap({str(k): v for k, v in loader.construct_mapping(node, deep=True).items()})
    mapping.line = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Dates stay text until the loader reads them: YAML's own timestamp reading would stop the
# whole load on an impossible date (2024-13-01) instead of reporting its file and line.
_LineLoader.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _Reader:
    """Reads the files of one policy directory and collects problems."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.problems: list[Problem] = []

    def name(self, filename: str) -> str:
        return f"{self.directory.name}/{filename}"

    def problem(self, filename: str, line: int, reason: str) -> None:
        self.problems.append(Problem(self.name(filename), line, reason))

    def load(self, filename: str, key: str | None = None) -> Any:
        path = self.directory / filename
        try:
            with path.open(encoding="utf-8") as handle:
                data = yaml.load(handle, Loader=_LineLoader)
        except FileNotFoundError:
            self.problem(filename, 0, "file is missing")
            return [] if key else {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            self.problem(filename, mark.line + 1 if mark else 0, f"not valid YAML: {exc}")
            return [] if key else {}
        if key is None:
            return data
        if not isinstance(data, dict) or key not in data:
            self.problem(filename, 1, f"top-level key '{key}' is missing")
            return []
        return data[key]

    def entries(self, filename: str, key: str, required: Iterable[str]) -> list[_LineMap]:
        """Return the list under ``key``, keeping only well-formed entries with unique ids."""
        raw = self.load(filename, key)
        if not isinstance(raw, list):
            self.problem(filename, 1, f"'{key}' must be a list")
            return []
        seen: dict[str, int] = {}
        good: list[_LineMap] = []
        for entry in raw:
            if not isinstance(entry, _LineMap):
                self.problem(filename, 0, f"entry of '{key}' is not a mapping: {entry!r}")
                continue
            missing = [field for field in required if entry.get(field) in (None, "")]
            if missing:
                self.problem(filename, entry.line, f"missing {', '.join(missing)}")
                continue
            entry_id = str(entry["id"])
            if entry_id in seen:
                self.problem(
                    filename,
                    entry.line,
                    f"duplicate id '{entry_id}' (first on line {seen[entry_id]})",
                )
                continue
            seen[entry_id] = entry.line
            good.append(entry)
        return good


def _tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    return (str(value),)


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def load_knowledge(directory: Path | str | None = None) -> Knowledge:
    """Load and validate the knowledge base.

    Args:
        directory: The ``policy_text`` folder; defaults to this checkout's
            ``policy_text/``. A folder is read once and cached.

    Raises:
        PolicyDataError: Anything in the data is wrong; every problem is listed.
    """
    if directory is None or Path(directory) == DEFAULT_DIR:
        return _load_cached(str(DEFAULT_DIR))
    return _load(Path(directory))


@lru_cache(maxsize=4)
def _load_cached(directory: str) -> Knowledge:
    return _load(Path(directory))


def _load(directory: Path) -> Knowledge:
    reader = _Reader(directory)
    meta_raw = reader.load("metadata.yml") or {}
    sources = _read_sources(reader)
    meta = _read_meta(reader, meta_raw, sources)
    policy_text = _read_text(reader, meta_raw)
    documents = _read_documents(reader, sources)
    procedures = _read_procedures(reader, sources)
    requirements = _read_requirements(reader, sources, documents)
    clauses, roles = _read_clauses(reader, policy_text, procedures, requirements)
    _check_clause_references(reader, clauses, procedures, requirements)
    later = _read_later_documents(reader, meta, clauses, documents)
    if reader.problems:
        raise PolicyDataError(reader.problems)
    return Knowledge(
        meta=meta,
        text=policy_text.text,
        clauses=clauses,
        documents=documents,
        sources=sources,
        procedures=procedures.by_id,
        topics=_topics(clauses),
        general_notes=requirements.notes.get("general", ()),
        fallbacks=roles.fallbacks,
        referrals=roles.referrals,
        sections=roles.sections,
        later=later,
    )


@dataclass(frozen=True)
class _PolicyText:
    """The policy's full text, which every quote must be a span of."""

    file: str
    text: str


@dataclass(frozen=True)
class _Procedures:
    """``procedures.yml``: the procedures by id, and the raw clause → procedure mapping."""

    by_id: dict[str, Procedure]
    by_clause: Any


@dataclass(frozen=True)
class _Roles:
    """The ``role:`` fields of ``clauses.yml``, by goal."""

    fallbacks: dict[str, tuple[str, ...]]
    referrals: dict[str, str]
    sections: dict[str, str]


@dataclass(frozen=True)
class _Requirements:
    """``requirements.yml``: documents per clause, the general rows, and the route notes."""

    by_clause: dict[str, list[Requirement]]
    general: list[Requirement]
    general_scope: tuple[str, ...]
    notes: dict[str, tuple[Note, ...]]


def _read_text(reader: _Reader, meta_raw: Any) -> _PolicyText:
    text_file = str(meta_raw.get("text_file", "liling-2017-6.txt"))
    try:
        text = (reader.directory / text_file).read_text(encoding="utf-8")
    except FileNotFoundError:
        reader.problem(text_file, 0, "policy text file is missing")
        text = ""
    return _PolicyText(text_file, text)


def _read_sources(reader: _Reader) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    for entry in reader.entries("sources.yml", "sources", ("id", "title", "tag")):
        tag = str(entry["tag"])
        if tag not in RELIABILITY_LABELS:
            reader.problem("sources.yml", entry.line, f"source {entry['id']}: unknown tag '{tag}'")
        sources[str(entry["id"])] = Source(
            id=str(entry["id"]),
            title=str(entry["title"]),
            url=entry.get("url"),
            date=None if entry.get("date") is None else str(entry["date"]),
            tag=tag,
        )
    return sources


def _check_sources(
    reader: _Reader,
    sources: dict[str, Source],
    filename: str,
    line: int,
    owner: str,
    ids: tuple[str, ...],
) -> None:
    for source_id in ids:
        if source_id not in sources:
            reader.problem(filename, line, f"{owner}: unknown source '{source_id}'")


def _check_reliability(reader: _Reader, filename: str, line: int, owner: str, tag: str) -> None:
    if tag not in RELIABILITY_LABELS:
        known = ", ".join(RELIABILITY_LABELS)
        reader.problem(filename, line, f"{owner}: unknown reliability '{tag}' ({known})")


def _read_documents(reader: _Reader, sources: dict[str, Source]) -> dict[str, Document]:
    documents: dict[str, Document] = {}
    required = ("id", "name", "group", "purpose")
    for entry in reader.entries("documents.yml", "documents", required):
        owner = f"document {entry['id']}"
        obtain_sources = _tuple(entry.get("obtain_sources"))
        _check_sources(reader, sources, "documents.yml", entry.line, owner, obtain_sources)
        group = str(entry["group"])
        if group not in CHECKLIST_GROUPS:
            known = ", ".join(CHECKLIST_GROUPS)
            reader.problem(
                "documents.yml", entry.line, f"{owner}: unknown group '{group}' ({known})"
            )
        documents[str(entry["id"])] = Document(
            id=str(entry["id"]),
            name=str(entry["name"]),
            purpose=str(entry["purpose"]),
            obtain=entry.get("obtain"),
            group=group,
        )
    return documents


def _read_procedures(reader: _Reader, sources: dict[str, Source]) -> _Procedures:
    procedures: dict[str, Procedure] = {}
    for entry in reader.entries("procedures.yml", "procedures", ("id", "where", "reliability")):
        owner = f"procedure {entry['id']}"
        own_sources = _tuple(entry.get("sources"))
        _check_sources(reader, sources, "procedures.yml", entry.line, owner, own_sources)
        _check_reliability(reader, "procedures.yml", entry.line, owner, str(entry["reliability"]))
        procedures[str(entry["id"])] = Procedure(
            id=str(entry["id"]),
            where=str(entry["where"]),
            approval=entry.get("approval"),
            time_limit=entry.get("time_limit"),
            notes=_tuple(entry.get("notes")),
            sources=own_sources,
            reliability=str(entry["reliability"]),
        )
    return _Procedures(procedures, reader.load("procedures.yml", "clause_procedures") or {})


def _condition(reader: _Reader, file: str, line: int, owner: str, raw: Any) -> Condition | None:
    """Parse a condition of ``owner`` (``None`` when there is none); a bad one is a problem."""
    if raw is None:
        return None
    try:
        return parse(raw)
    except ConditionError as exc:
        reader.problem(file, line, f"{owner}: {exc}")
        return None


def _read_requirements(
    reader: _Reader, sources: dict[str, Source], documents: dict[str, Document]
) -> _Requirements:
    requirements_raw = reader.load("requirements.yml", "requirements") or {}
    by_clause: dict[str, list[Requirement]] = {}
    if not isinstance(requirements_raw, dict):
        reader.problem("requirements.yml", 1, "'requirements' must map clause ids to lists")
        requirements_raw = {}
    for clause_id, rows in requirements_raw.items():
        for row in rows or []:
            req = _read_requirement(reader, row, f"requirement of {clause_id}", sources, documents)
            if req is not None:
                by_clause.setdefault(str(clause_id), []).append(req)
    general_raw = reader.load("requirements.yml", "general_requirements") or {}
    general_scope = _tuple(general_raw.get("scope")) if isinstance(general_raw, dict) else ()
    general: list[Requirement] = []
    for row in general_raw.get("rows", []) if isinstance(general_raw, dict) else []:
        req = _read_requirement(reader, row, "general requirement", sources, documents)
        if req is not None:
            general.append(req)
    notes_raw = reader.load("requirements.yml", "route_notes") or {}
    notes = {
        str(key): _read_notes(reader, rows, f"note of {key}", sources)
        for key, rows in dict(notes_raw).items()
    }
    return _Requirements(by_clause, general, general_scope, notes)


def _read_requirement(
    reader: _Reader,
    row: Any,
    owner: str,
    sources: dict[str, Source],
    documents: dict[str, Document],
) -> Requirement | None:
    line = getattr(row, "line", 0)
    doc_id = str(row.get("document")) if isinstance(row, dict) else ""
    if doc_id not in documents:
        reader.problem("requirements.yml", line, f"{owner}: unknown document '{doc_id}'")
        return None
    row_sources = _tuple(row.get("sources"))
    _check_sources(reader, sources, "requirements.yml", line, owner, row_sources)
    _check_reliability(reader, "requirements.yml", line, owner, str(row.get("reliability")))
    goals = _tuple(row.get("goals"))
    for goal in goals:
        if goal not in FACTS["goal"].values:
            reader.problem("requirements.yml", line, f"{owner}: unknown goal '{goal}'")
    condition = _condition(reader, "requirements.yml", line, owner, row.get("if"))
    only_if = _condition(reader, "requirements.yml", line, owner, row.get("only_if"))
    if only_if is not None and not row.get("when"):
        reader.problem("requirements.yml", line, f"{owner}: only_if without the words of 'when'")
    return Requirement(
        condition=condition,
        only_if=only_if,
        document=documents[doc_id],
        when=row.get("when"),
        note=row.get("note"),
        sources=row_sources,
        reliability=str(row.get("reliability")),
        goals=goals,
    )


def _read_notes(
    reader: _Reader, rows: Any, owner: str, sources: dict[str, Source]
) -> tuple[Note, ...]:
    notes = []
    for row in rows or []:
        line = getattr(row, "line", 0)
        if not isinstance(row, dict) or not row.get("text"):
            reader.problem("requirements.yml", line, f"{owner}: note without text")
            continue
        note_sources = _tuple(row.get("sources"))
        _check_sources(reader, sources, "requirements.yml", line, owner, note_sources)
        _check_reliability(reader, "requirements.yml", line, owner, str(row.get("reliability")))
        notes.append(Note(str(row["text"]), note_sources, str(row.get("reliability"))))
    return tuple(notes)


def _read_clauses(
    reader: _Reader,
    policy_text: _PolicyText,
    procedures: _Procedures,
    requirements: _Requirements,
) -> tuple[dict[str, Clause], _Roles]:
    entries = reader.entries("clauses.yml", "clauses", ("id", "label", "title", "quote"))
    known_ids = {str(entry["id"]) for entry in entries}
    # Annex rows name the departments; a clause citing a row inherits them.
    responsible_of = {
        str(entry["id"]): _tuple(entry.get("responsible"))
        for entry in entries
        if str(entry["id"]).startswith("annex.")
    }
    clauses: dict[str, Clause] = {}
    for entry in entries:
        clause = _read_clause(
            reader, entry, policy_text, procedures, requirements, known_ids, responsible_of
        )
        clauses[clause.id] = clause
    return clauses, _read_roles(reader, entries)


_ROLE_KEYS = ("fallback_for", "referral_for", "section_for")


def _read_roles(reader: _Reader, entries: list[_LineMap]) -> _Roles:
    """Read every clause's ``role:`` and check that the roles fit together per goal."""
    goals = FACTS["goal"].values
    fallbacks: dict[str, list[tuple[str, int]]] = {}
    referrals: dict[str, list[tuple[str, int]]] = {}
    sections: dict[str, list[tuple[str, int]]] = {}
    tables = {"fallback_for": fallbacks, "referral_for": referrals, "section_for": sections}
    for entry in entries:
        cid, role = str(entry["id"]), entry.get("role")
        if role is None:
            continue
        if not isinstance(role, dict):
            known = ", ".join(_ROLE_KEYS)
            reader.problem("clauses.yml", entry.line, f"clause {cid}: role must map {known}")
            continue
        for key, value in role.items():
            if key not in _ROLE_KEYS:
                known = ", ".join(_ROLE_KEYS)
                reader.problem(
                    "clauses.yml", entry.line, f"clause {cid}: unknown role '{key}' ({known})"
                )
                continue
            for goal in _tuple(value):
                if goal not in goals:
                    reader.problem(
                        "clauses.yml",
                        entry.line,
                        f"clause {cid}: {key}: unknown goal '{goal}' (allowed: {', '.join(goals)})",
                    )
                    continue
                tables[key].setdefault(goal, []).append((cid, entry.line))
    referral_ids = {cid for found in referrals.values() for cid, _ in found}
    for entry in entries:
        if "points_when" in entry and str(entry["id"]) not in referral_ids:
            reader.problem(
                "clauses.yml",
                entry.line,
                f"clause {entry['id']}: points_when is for referral clauses only",
            )
    for what, table in (("referral", referrals), ("section", sections)):
        for goal, found in table.items():
            for cid, line in found[1:]:
                first, first_line = found[0]
                reader.problem(
                    "clauses.yml",
                    line,
                    f"clause {cid}: goal '{goal}' already has the {what} clause {first} "
                    f"(line {first_line}); a goal has exactly one",
                )
    # A goal with a fallback has a referral and the reverse: the engine points to the
    # referral whenever nothing applies yet (undetermined included) and cites the fallback
    # once nothing can apply, so one without the other is a gap in the data.
    for goal in [*fallbacks, *(g for g in referrals if g not in fallbacks)]:
        if goal not in referrals:
            cid, line = fallbacks[goal][0]
            reader.problem(
                "clauses.yml",
                line,
                f"clause {cid}: goal '{goal}' has a fallback but no referral clause",
            )
        elif goal not in fallbacks:
            cid, line = referrals[goal][0]
            reader.problem(
                "clauses.yml",
                line,
                f"clause {cid}: goal '{goal}' has a referral but no fallback clause",
            )
    return _Roles(
        fallbacks={goal: tuple(cid for cid, _ in found) for goal, found in fallbacks.items()},
        referrals={goal: found[0][0] for goal, found in referrals.items()},
        sections={goal: found[0][0] for goal, found in sections.items()},
    )


def _read_clause(
    reader: _Reader,
    entry: _LineMap,
    policy_text: _PolicyText,
    procedures: _Procedures,
    requirements: _Requirements,
    known_ids: set[str],
    responsible_of: dict[str, tuple[str, ...]],
) -> Clause:
    cid = str(entry["id"])
    line = entry.line
    heading = entry.get("heading")
    for quote in (
        entry["quote"],
        *_tuple(entry.get("extra_quotes")),
        *((heading,) if heading else ()),
    ):
        if str(quote) not in policy_text.text:
            reader.problem(
                "clauses.yml",
                line,
                f"clause {cid}: quote is not in {policy_text.file}: {quote!r}",
            )
    key_for = _key_sentences(reader, entry, cid, policy_text)
    conditional = _conditional_rights(reader, entry, cid)
    condition = _condition(reader, "clauses.yml", line, f"clause {cid}", entry.get("applies_when"))
    points_when = _condition(reader, "clauses.yml", line, f"clause {cid}", entry.get("points_when"))
    annex = _tuple(entry.get("annex"))
    for annex_id in annex:
        if annex_id not in responsible_of:
            reader.problem("clauses.yml", line, f"clause {cid}: unknown annex row '{annex_id}'")
    related = []
    for item in entry.get("related") or []:
        if not isinstance(item, dict) or str(item.get("id")) not in known_ids:
            reader.problem("clauses.yml", line, f"clause {cid}: unknown related clause {item!r}")
            continue
        related.append(Related(id=str(item["id"]), why=str(item.get("why", ""))))
    procedure, goal_procedures = _clause_procedures(
        reader, cid, procedures.by_clause, procedures.by_id
    )
    own_requirements = requirements.by_clause.get(cid, [])
    if any(cid.startswith(scope + ".") for scope in requirements.general_scope):
        # A clause's own row for a document (and condition) wins over the general one.
        present = {(req.document.id, req.when) for req in own_requirements}
        own_requirements = own_requirements + [
            req for req in requirements.general if (req.document.id, req.when) not in present
        ]
    responsible = _tuple(entry.get("responsible"))
    departments = list(responsible)
    for annex_id in annex:
        for dept in responsible_of.get(annex_id, ()):
            if dept not in departments:
                departments.append(dept)
    return Clause(
        id=cid,
        label=str(entry["label"]),
        title=str(entry["title"]),
        quote=str(entry["quote"]),
        extra_quotes=_tuple(entry.get("extra_quotes")),
        heading=str(heading) if heading else None,
        condition=condition,
        points_when=points_when,
        companions=entry.get("companions"),
        annex=annex,
        responsible=responsible,
        related=tuple(related),
        topics=_tuple(entry.get("topics")),
        requirements=tuple(own_requirements),
        procedure=procedure,
        goal_procedures=goal_procedures,
        departments=tuple(departments),
        notes=requirements.notes.get(cid, ()),
        key_for=key_for,
        conditional=conditional,
    )


def _key_sentences(
    reader: _Reader, entry: _LineMap, cid: str, policy_text: _PolicyText
) -> tuple[tuple[str, str], ...]:
    """``key_for``: topic → key sentence, each a verbatim span of the policy for a clause topic."""
    raw = entry.get("key_for") or {}
    if not isinstance(raw, dict):
        reader.problem("clauses.yml", entry.line, f"clause {cid}: key_for must map topics")
        return ()
    topics = _tuple(entry.get("topics"))
    found = []
    for topic, sentence in raw.items():
        if str(topic) not in topics:
            reader.problem(
                "clauses.yml",
                entry.line,
                f"clause {cid}: key_for names topic '{topic}' that is not among its topics",
            )
        elif str(sentence) not in policy_text.text:
            reader.problem(
                "clauses.yml",
                entry.line,
                f"clause {cid}: key sentence is not in {policy_text.file}: {sentence!r}",
            )
        else:
            found.append((str(topic), str(sentence)))
    return tuple(found)


def _conditional_rights(reader: _Reader, entry: _LineMap, cid: str) -> tuple[ConditionalRight, ...]:
    """``conditional``: rights granted on a condition, both verbatim spans of the quote."""
    quotes = " ".join(str(q) for q in (entry["quote"], *_tuple(entry.get("extra_quotes"))))
    found = []
    for item in entry.get("conditional") or []:
        if not isinstance(item, dict) or not item.get("right") or not item.get("condition"):
            reader.problem(
                "clauses.yml", entry.line, f"clause {cid}: conditional needs right and condition"
            )
            continue
        right, condition = str(item["right"]), str(item["condition"])
        missing = [part for part in (right, condition) if part not in quotes]
        if missing:
            reader.problem(
                "clauses.yml",
                entry.line,
                f"clause {cid}: conditional is not in the clause's quotes: {missing[0]!r}",
            )
            continue
        found.append(ConditionalRight(right=right, condition=condition))
    return tuple(found)


def _topics(clauses: dict[str, Clause]) -> dict[str, tuple[str, ...]]:
    """Topic → the clauses that answer it, in document order."""
    topics: dict[str, list[str]] = {}
    for clause in clauses.values():
        for topic in clause.topics:
            topics.setdefault(topic, []).append(clause.id)
    return {topic: tuple(ids) for topic, ids in topics.items()}


def _check_clause_references(
    reader: _Reader,
    clauses: dict[str, Clause],
    procedures: _Procedures,
    requirements: _Requirements,
) -> None:
    """Data in other files that names a clause ``clauses.yml`` does not have."""
    notes = (key for key in requirements.notes if key != "general")
    for clause_id in [*requirements.by_clause, *notes]:
        if clause_id not in clauses:
            reader.problem("requirements.yml", 0, f"requirements for unknown clause '{clause_id}'")
    if isinstance(procedures.by_clause, dict):
        for clause_id in procedures.by_clause:
            if str(clause_id) not in clauses:
                reader.problem("procedures.yml", 0, f"procedure for unknown clause '{clause_id}'")


def _clause_procedures(
    reader: _Reader, cid: str, mapping: Any, procedures: dict[str, Procedure]
) -> tuple[Procedure | None, tuple[tuple[str, Procedure], ...]]:
    """Resolve a clause's procedure: one id, or a mapping goal → id (e.g. for 4.1)."""
    value = mapping.get(cid) if isinstance(mapping, dict) else None
    if value is None:
        return None, ()
    pairs = value.items() if isinstance(value, dict) else [("", value)]
    resolved: list[tuple[str, Procedure]] = []
    for goal, procedure_id in pairs:
        procedure = procedures.get(str(procedure_id))
        if procedure is None:
            reader.problem("procedures.yml", 0, f"clause {cid}: unknown procedure '{procedure_id}'")
        elif goal and goal not in FACTS["goal"].values:
            reader.problem("procedures.yml", 0, f"clause {cid}: unknown goal '{goal}'")
        else:
            resolved.append((str(goal), procedure))
    if len(resolved) == 1 and resolved[0][0] == "":
        return resolved[0][1], ()
    return None, tuple(resolved)


_META_FIELDS = (
    "doc_no",
    "title",
    "issuer",
    "signed",
    "published",
    "effective",
    "expires",
    "index_no",
    "source_office",
)


def _read_meta(reader: _Reader, raw: Any, sources: dict[str, Source]) -> PolicyMeta:
    line = getattr(raw, "line", 1)
    if not isinstance(raw, dict):
        reader.problem("metadata.yml", 1, "must be a mapping")
        raw = {}
    missing = [name for name in _META_FIELDS if raw.get(name) in (None, "")]
    if missing:
        reader.problem("metadata.yml", line, f"missing {', '.join(missing)}")
    dates: dict[str, dt.date] = {}
    for name in ("signed", "published", "effective", "expires"):
        try:
            dates[name] = _date(raw.get(name, "1970-01-01"))
        except ValueError:
            reader.problem("metadata.yml", line, f"{name} is not a date: {raw.get(name)!r}")
            dates[name] = dt.date(1970, 1, 1)
    meta = PolicyMeta(
        doc_no=str(raw.get("doc_no", "")),
        title=str(raw.get("title", "")),
        issuer=str(raw.get("issuer", "")),
        index_no=str(raw.get("index_no", "")),
        source_office=str(raw.get("source_office", "")),
        signed=dates["signed"],
        published=dates["published"],
        effective=dates["effective"],
        expires=dates["expires"],
    )
    return replace(meta, **_read_meta_registry(reader, raw, line, sources))


def _read_meta_registry(
    reader: _Reader, raw: Any, line: int, sources: dict[str, Source]
) -> dict[str, Any]:
    """The registry fields of ``metadata.yml``: id, status, evidence, sources, last_checked."""
    missing = [name for name in _REGISTRY_FIELDS if raw.get(name) in (None, "", [])]
    if missing:
        reader.problem("metadata.yml", line, f"missing {', '.join(missing)}")
        return {}
    status, evidence = str(raw["status"]), str(raw["evidence"])
    if status not in STATUSES:
        known = ", ".join(STATUSES)
        reader.problem("metadata.yml", line, f"unknown status '{status}' ({known})")
    _check_reliability(reader, "metadata.yml", line, "metadata", evidence)
    own_sources = _tuple(raw["sources"])
    _check_sources(reader, sources, "metadata.yml", line, "metadata", own_sources)
    try:
        last_checked = _date(raw["last_checked"])
    except ValueError:
        reader.problem("metadata.yml", line, f"last_checked is not a date: {raw['last_checked']!r}")
        return {}
    try:
        expires = _date(raw.get("expires"))
    except ValueError:
        expires = None  # reported with the other dates
    if expires is not None and (status == "expired") != (expires < last_checked):
        reader.problem(
            "metadata.yml",
            line,
            f"status '{status}' does not fit expires {expires} as checked on {last_checked}",
        )
    return {
        "id": str(raw["id"]),
        "status": status,
        "evidence": evidence,
        "sources": own_sources,
        "last_checked": last_checked,
    }


_REGISTRY_FIELDS = ("id", "status", "evidence", "sources", "last_checked")


# -- later documents: policies/<id>/document.yml (format: policy_text/policies/README.md) --

POLICIES_DIR = "policies"
"""The folder of later documents inside ``policy_text/``, one sub-folder per document."""

_DOCUMENT_FIELDS = (
    "id", "kind", "title", "issuer", "issued", "effective", "status", "evidence",
    "last_checked", "sources", "passages",
)  # fmt: skip
_QUOTE_MARKS = '“”"「」『』'


def _day(value: Any) -> tuple[dt.date, str]:
    """A date as data gives it (``2024-07-01`` or month-only ``2022-07``) and in Chinese.

    A month-only date counts from the month's last day: a measure known only by its month is
    never shown as in effect before it can have been.

    Raises:
        ValueError: Not a date.
    """
    if isinstance(value, dt.date):
        return value, f"{value.year}年{value.month}月{value.day}日"
    text = str(value)
    if len(text) == 7 and text[4] == "-":
        first = dt.date.fromisoformat(text + "-01")
        following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return following - dt.timedelta(days=1), f"{first.year}年{first.month}月"
    day = dt.date.fromisoformat(text)
    return day, f"{day.year}年{day.month}月{day.day}日"


def _read_later_documents(
    reader: _Reader,
    meta: PolicyMeta,
    clauses: dict[str, Clause],
    materials: dict[str, Document],
) -> tuple[PolicyDocument, ...]:
    """Every ``policies/<id>/document.yml``, validated, in order of issue."""
    folder = reader.directory / POLICIES_DIR
    if not folder.is_dir():
        return ()
    later: list[PolicyDocument] = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        if not (sub / "document.yml").is_file():
            # A document folder without its description would be silently left out.
            reader.problem(f"{POLICIES_DIR}/{sub.name}/document.yml", 0, "file is missing")
    paths = sorted(folder.glob("*/document.yml"))
    known = {meta.id, *(path.parent.name for path in paths)}
    for path in paths:
        document = _read_later_document(reader, path, known, clauses, materials)
        if document is not None:
            later.append(document)
    return tuple(sorted(later, key=lambda d: (d.issued, d.id)))


def _read_later_document(
    reader: _Reader,
    path: Path,
    known: set[str],
    clauses: dict[str, Clause],
    materials: dict[str, Document],
) -> PolicyDocument | None:
    name = f"{POLICIES_DIR}/{path.parent.name}/document.yml"
    raw = reader.load(name)
    if not isinstance(raw, _LineMap):
        reader.problem(name, 1, "must be a mapping of the document's fields")
        return None
    line = raw.line
    problems_before = len(reader.problems)
    missing = [field for field in _DOCUMENT_FIELDS if raw.get(field) in (None, "", [])]
    if missing:
        reader.problem(name, line, f"missing {', '.join(missing)}")
        return None
    doc_id, kind, status = str(raw["id"]), str(raw["kind"]), str(raw["status"])
    if doc_id != path.parent.name:
        reader.problem(name, line, f"id '{doc_id}' is not the folder's name '{path.parent.name}'")
    if kind not in KINDS or kind == "base":
        known_kinds = ", ".join(k for k in KINDS if k != "base")
        reader.problem(name, line, f"unknown kind '{kind}' ({known_kinds})")
    if status not in STATUSES:
        reader.problem(name, line, f"unknown status '{status}' ({', '.join(STATUSES)})")
    _check_reliability(reader, name, line, f"document {doc_id}", str(raw["evidence"]))
    dates: dict[str, tuple[dt.date, str]] = {}
    for field in ("issued", "effective", "last_checked", "expires"):
        if raw.get(field) is None:
            continue
        try:
            dates[field] = _day(raw[field])
        except ValueError:
            reader.problem(
                name, line, f"{field} is not a date (YYYY-MM-DD or YYYY-MM): {raw[field]!r}"
            )
    if len(dates) < 3:
        return None
    issued, effective = dates["issued"][0], dates["effective"][0]
    expires = dates["expires"][0] if "expires" in dates else None
    last_checked = dates["last_checked"][0]
    if effective < issued:
        reader.problem(name, line, f"effective {effective} is before issued {issued}")
    if expires is not None and expires < effective:
        reader.problem(name, line, f"expires {expires} is before effective {effective}")
    if (status == "expired") != (expires is not None and expires < last_checked):
        reader.problem(
            name,
            line,
            f"status '{status}' does not fit expires {expires} as checked on {last_checked}",
        )
    sources = _read_policy_sources(reader, name, path.parent, raw["sources"])
    doc_no = raw.get("doc_no")
    if doc_no is not None and not any(str(doc_no) in s.text for s in sources.values()):
        # A 文号 no stored source gives would be an invented one.
        reader.problem(name, line, f"doc_no '{doc_no}' is in none of the document's source texts")
    passages = _read_passages(
        reader, name, raw["passages"], sources, known, clauses, materials, issued
    )
    if len(reader.problems) > problems_before:
        return None
    return PolicyDocument(
        id=doc_id,
        kind=kind,
        title=str(raw["title"]),
        doc_no=None if doc_no is None else str(doc_no),
        issuer=str(raw["issuer"]),
        issued=issued,
        issued_text=dates["issued"][1],
        effective=effective,
        expires=expires,
        status=status,
        evidence=str(raw["evidence"]),
        last_checked=last_checked,
        sources=tuple(sources.values()),
        passages=passages,
        reported=bool(raw.get("reported", False)),
        called=raw.get("called"),
        folder=f"{POLICIES_DIR}/{path.parent.name}",
        effective_text=dates["effective"][1],
    )


def _read_policy_sources(
    reader: _Reader, name: str, folder: Path, raw: Any
) -> dict[str, PolicySource]:
    sources: dict[str, PolicySource] = {}
    if not isinstance(raw, list):
        reader.problem(name, 1, "'sources' must be a list")
        return sources
    for entry in raw:
        line = getattr(entry, "line", 0)
        missing = [
            f for f in ("id", "title", "text") if not isinstance(entry, dict) or not entry.get(f)
        ]
        if missing:
            reader.problem(name, line, f"source: missing {', '.join(missing)}")
            continue
        source_id = str(entry["id"])
        if source_id in sources:
            reader.problem(name, line, f"duplicate source id '{source_id}'")
            continue
        text_path = folder / str(entry["text"])
        try:
            text = text_path.read_text(encoding="utf-8")
        except (FileNotFoundError, IsADirectoryError):
            reader.problem(
                name, line, f"source {source_id}: text file '{entry['text']}' is missing"
            )
            continue
        sources[source_id] = PolicySource(
            id=source_id,
            title=str(entry["title"]),
            url=entry.get("url"),
            date=None if entry.get("date") is None else str(entry["date"]),
            text=text,
            text_is=entry.get("text_is"),
            remark=entry.get("remark"),
        )
    return sources


def _read_passages(
    reader: _Reader,
    name: str,
    raw: Any,
    sources: dict[str, PolicySource],
    known: set[str],
    clauses: dict[str, Clause],
    materials: dict[str, Document],
    issued: dt.date,
) -> tuple[Passage, ...]:
    passages: list[Passage] = []
    seen: set[str] = set()
    for entry in raw if isinstance(raw, list) else []:
        line = getattr(entry, "line", 0)
        if not isinstance(entry, dict):
            reader.problem(name, line, f"passage is not a mapping: {entry!r}")
            continue
        missing = [
            f for f in ("id", "title", "source", "effective", "evidence") if not entry.get(f)
        ]
        if missing:
            reader.problem(name, line, f"passage: missing {', '.join(missing)}")
            continue
        pid = str(entry["id"])
        owner = f"passage {pid}"
        if pid in seen:
            reader.problem(name, line, f"duplicate passage id '{pid}'")
        seen.add(pid)
        quote, summary = entry.get("quote"), entry.get("summary")
        if (quote is None) == (summary is None):
            reader.problem(name, line, f"{owner}: give exactly one of quote (verbatim) and summary")
            continue
        source = sources.get(str(entry["source"]))
        if source is None:
            reader.problem(name, line, f"{owner}: unknown source '{entry['source']}'")
            continue
        if quote is not None and (not str(quote).strip() or str(quote) not in source.text):
            reader.problem(
                name, line, f"{owner}: quote is not in the text of source {source.id}: {quote!r}"
            )
        if summary is not None and any(mark in str(summary) for mark in _QUOTE_MARKS):
            # A summary shown between quotation marks would pass for the source's words.
            reader.problem(name, line, f"{owner}: a summary must not contain quotation marks")
        _check_reliability(reader, name, line, owner, str(entry["evidence"]))
        try:
            effective, effective_text = _day(entry["effective"])
        except ValueError:
            reader.problem(name, line, f"{owner}: effective is not a date: {entry['effective']!r}")
            continue
        if effective < issued:
            reader.problem(
                name, line, f"{owner}: effective {effective} is before the document's issue"
            )
        links = _read_links(
            reader, name, line, owner, entry.get("changes"), known, clauses, materials
        )
        condition = _condition(reader, name, line, owner, entry.get("applies_when"))
        passages.append(
            Passage(
                id=pid,
                title=str(entry["title"]),
                quote=None if quote is None else str(quote),
                summary=None if summary is None else str(summary),
                source=source,
                effective=effective,
                effective_text=effective_text,
                evidence=str(entry["evidence"]),
                measure=entry.get("measure"),
                changes=links,
                condition=condition,
            )
        )
    return tuple(passages)


def _read_links(
    reader: _Reader,
    name: str,
    line: int,
    owner: str,
    raw: Any,
    known: set[str],
    clauses: dict[str, Clause],
    materials: dict[str, Document],
) -> tuple[Link, ...]:
    if not isinstance(raw, list) or not raw:
        reader.problem(name, line, f"{owner}: 'changes' must list what the passage changes")
        return ()
    links: list[Link] = []
    for item in raw:
        if not isinstance(item, dict) or str(item.get("document")) not in known:
            reader.problem(name, line, f"{owner}: changes an unknown document: {item!r}")
            continue
        link_clauses, link_materials = _tuple(item.get("clauses")), _tuple(item.get("materials"))
        for pattern in link_clauses:
            cid = pattern[:-2] if pattern.endswith(".*") else pattern
            if cid not in clauses:
                reader.problem(name, line, f"{owner}: unknown clause '{pattern}'")
        for material in link_materials:
            if material not in materials:
                reader.problem(
                    name, line, f"{owner}: unknown material '{material}' (documents.yml)"
                )
        links.append(Link(str(item["document"]), link_clauses, link_materials))
    return tuple(links)
