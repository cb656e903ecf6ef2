"""The ``hukou`` command line: exports, assessments, and clear errors with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.paths import ROOT
from tests.support.cli import run


def test_clauses_json_exports_every_clause(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["clauses", "--format", "json"], capsys)
    assert code == 0
    data = json.loads(out)
    ids = [c["id"] for c in data["clauses"]]
    assert "3.1.5" in ids and "annex.18" in ids
    clause = next(c for c in data["clauses"] if c["id"] == "3.1.5")
    assert {"id", "label", "title", "quote", "documents", "departments"} <= set(clause)
    assert clause["departments"] == ["市公安局"]
    assert any(d["name"] == "房屋租赁合同" for d in clause["documents"])
    assert data["policy"]["doc_no"] == "醴政发〔2017〕6号"


def test_assess_json_from_stdin(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(
        ["assess", "-", "--format", "json", "--today", "2026-11-27"],
        capsys,
        stdin='{"goal": "settle_urban", "housing": "rented"}',
        monkeypatch=monkeypatch,
    )
    assert code == 0
    data = json.loads(out)
    assert data["type"] == "assessment" and data["outcome"] == "eligible"
    assert [c["id"] for c in data["clauses"]] == ["3.1.5"]
    # The block's first four fields are read by older consumers; later fields are added.
    assert {key: data["policy"][key] for key in ("doc_no", "title", "expires", "expired")} == {
        "doc_no": "醴政发〔2017〕6号",
        "title": "关于进一步推进户籍制度改革的实施意见",
        "expires": "2022-07-28",
        "expired": True,
    }
    assert data["policy"]["as_of"] == "2026-11-27" and data["policy"]["status"] == "expired"


def test_assess_text_from_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "s.json"
    path.write_text(
        '{"goal": "move_rural", "veteran": true, "origin_rural": true}', encoding="utf-8"
    )
    code, out, _ = run(["assess", str(path)], capsys)
    assert code == 0
    assert "【三(二)2】退役士兵回原籍农村落户" in out
    assert "落户介绍信" in out
    assert "2022年7月28日" in out


@pytest.mark.parametrize(
    ("stdin", "message"),
    [
        ("", "情况为空"),
        ("{not json", "不是有效的 JSON"),
        ("[1, 2]", "必须是 JSON 对象"),
        ('{"salary": 5000}', "未知的情况项 'salary'"),
        ('{"housing": "castle"}', "'housing' 的取值 'castle' 无效"),
        ('{"veteran": "yes"}', "'veteran' 的取值 'yes' 无效"),
    ],
)
def test_bad_situations_exit_2_with_a_message(
    stdin: str, message: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = run(["assess", "-"], capsys, stdin=stdin, monkeypatch=monkeypatch)
    assert code == 2
    assert message in err
    assert "Traceback" not in err and out == ""


def test_missing_file_and_bad_date_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["assess", str(tmp_path / "nope.json")], capsys)
    assert code == 2 and "无法读取" in err
    path = tmp_path / "s.json"
    path.write_text('{"goal": "newborn"}', encoding="utf-8")
    code, _, err = run(["assess", str(path), "--today", "yesterday"], capsys)
    assert code == 2 and "--today" in err


def test_unknown_subcommand_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["frobnicate"], capsys)
    assert code == 2 and "hukou: 错误" in err


def test_check_reports_counts(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["check"], capsys)
    assert code == 0 and "policy_text 有效" in out and "3 份政策文件" in out


def test_console_script_is_installed() -> None:
    import shutil
    import subprocess

    exe = shutil.which("hukou") or str(ROOT / ".venv" / "bin" / "hukou")
    proc = subprocess.run(
        [exe, "assess", "-"], input="{", capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_ask_without_text_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["ask", "  "], capsys)
    assert code == 2 and "请输入一段话" in err


def test_assess_as_of_a_date_shows_what_changed_since(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "s.json"
    path.write_text('{"goal": "newborn"}', encoding="utf-8")
    code, before, _ = run(["assess", str(path), "--date", "2024-03-31"], capsys)
    assert code == 0 and "3周岁内" not in before
    code, after, _ = run(["assess", str(path), "--date", "2024-04-01"], capsys)
    assert code == 0 and "之后的变化" in after and "3周岁内" in after
    code, data, _ = run(["assess", str(path), "--date", "2024-04-01", "--format", "json"], capsys)
    assert json.loads(data)["as_of"] == "2024-04-01"
    code, _, err = run(["assess", str(path), "--date", "2024-4-1"], capsys)
    assert code == 2 and "YYYY-MM-DD" in err


def test_policies_lists_documents_with_status_and_dates(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(["policies", "--date", "2026-12-07"], capsys)
    assert code == 0
    assert "liling-2017-6" in out and "醴政发〔2017〕6号" in out and "已过失效日期" in out
    assert "hunan-2024-measures" in out and "无文号" in out
    assert "提醒：" in out
    code, data, _ = run(["policies", "--format", "json", "--date", "2023-01-01"], capsys)
    documents = {d["id"]: d for d in json.loads(data)["documents"]}
    assert documents["hunan-2024-measures"]["standing"] == "not_yet"
    assert documents["liling-2017-6"]["expires"] == "2022-07-28"
    code, _, err = run(["policies", "--date", "soon"], capsys)
    assert code == 2 and "--date" in err
