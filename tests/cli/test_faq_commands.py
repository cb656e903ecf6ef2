"""``hukou users``, ``hukou faq`` and ``hukou db``: the FAQ desk from the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.support.cli import run
from tests.support.faq import PASSWORD


@pytest.fixture(autouse=True)
def database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    path = tmp_path / "cli.sqlite3"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    return path


def add_user(
    name: str, role: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    argv = ["users", "add", name, "--role", role, "--password-stdin"]
    return run(argv, capsys, stdin=PASSWORD + "\n", monkeypatch=monkeypatch)


def test_db_upgrade_creates_the_schema(capsys: pytest.CaptureFixture[str], database: Path) -> None:
    code, out, _ = run(["db", "upgrade"], capsys)
    assert code == 0 and out == f"数据库已是最新版本：sqlite:///{database}\n"
    assert database.exists()


def test_users_add_and_list(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert add_user("Wang", "reviewer", capsys, monkeypatch) == (
        0,
        "已创建用户 wang（reviewer）\n",
        "",
    )
    add_user("li", "editor", capsys, monkeypatch)
    code, out, _ = run(["users", "list"], capsys)
    assert code == 0
    assert [line.split()[:3] for line in out.splitlines()] == [
        ["li", "editor", "启用"],
        ["wang", "reviewer", "启用"],
    ]


def test_users_set_changes_role_state_and_password(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    add_user("li", "editor", capsys, monkeypatch)
    code, out, _ = run(["users", "set", "li", "--role", "reviewer", "--deactivate"], capsys)
    assert (code, out) == (0, "用户 li：reviewer，停用\n")
    code, out, _ = run(
        ["users", "set", "li", "--activate", "--password-stdin"],
        capsys,
        stdin="a new long passphrase\n",
        monkeypatch=monkeypatch,
    )
    assert (code, out) == (0, "用户 li：reviewer，启用，密码已重设\n")
    code, _, err = run(["users", "set", "nobody", "--role", "editor"], capsys)
    assert code == 2 and "没有用户 nobody" in err


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (
            ["users", "add", "li", "--role", "editor", "--password-stdin"],
            "short\n",
            "至少需要 10 个字符",
        ),
        (
            ["users", "add", "wang", "--role", "admin", "--password-stdin"],
            PASSWORD,
            "用户 wang 已存在",
        ),
        (["users", "add", "zhao", "--role", "boss"], "", "invalid choice"),
    ],
)
def test_users_add_errors_exit_2(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    stdin: str,
    message: str,
) -> None:
    add_user("wang", "reviewer", capsys, monkeypatch)
    code, _, err = run(argv, capsys, stdin=stdin, monkeypatch=monkeypatch)
    assert code == 2 and message in err and "错误" in err


def test_users_add_prompts_twice_for_the_password(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = iter([PASSWORD, PASSWORD + "!"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    code, _, err = run(["users", "add", "li", "--role", "editor"], capsys)
    assert code == 2 and "两次输入的密码不一致" in err
    answers = iter([PASSWORD, PASSWORD])
    assert run(["users", "add", "li", "--role", "editor"], capsys)[0] == 0


def test_faq_import_and_export(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    add_user("li", "editor", capsys, monkeypatch)
    source = tmp_path / "faq.yml"
    rows = [
        {"key": "newborn", "question": "孩子上户口要什么材料", "answer": "出生医学证明"},
        {"question": "问题", "clauses": ["9.9"]},
    ]
    source.write_text(yaml.safe_dump(rows, allow_unicode=True), encoding="utf-8")
    code, out, err = run(["faq", "import", str(source), "--user", "li"], capsys)
    assert code == 2, "a bad row makes the command fail after loading the good ones"
    assert out == "导入 1 条（草稿或待审核），失败 1 条\n"
    assert err == "hukou: 第 2 条：未知的条款编号：9.9\n"

    code, out, _ = run(["faq", "export", "--out", str(tmp_path / "out")], capsys)
    assert code == 0 and out.startswith("已导出 0 条已发布条目：")
    nlu = yaml.safe_load((tmp_path / "out" / "faq_nlu.yml").read_text(encoding="utf-8"))
    assert nlu == {"version": "3.1", "nlu": []}, "nothing is published before review"


def test_faq_import_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(["faq", "import", str(tmp_path / "none.yml"), "--user", "li"], capsys)
    assert code == 2 and "无法读取" in err
    code, _, err = run(["faq", "import", "x.yml"], capsys)
    assert code == 2 and "--user" in err


def test_unreachable_database_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://nobody:secret@127.0.0.1:1/none")
    code, _, err = run(["db", "upgrade"], capsys)
    assert code == 2 and "无法打开或升级数据库" in err
    assert "secret" not in err
