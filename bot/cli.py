"""``hukou``: the project's command line.

Subcommands:

* ``hukou clauses [--format json|text]`` — every clause: the export for staff and other systems.
* ``hukou assess [FILE|-] [--format json|text] [--date YYYY-MM-DD]`` — assess a situation
  given as JSON (``{"goal": "settle_urban", "housing": "rented"}``) as of a date (today by
  default; ``--today`` is the older name of ``--date``).
* ``hukou policies [--date YYYY-MM-DD] [--format json|text]`` — the policy documents with
  their status and dates, and what is due for a check.
* ``hukou facts`` — the facts a situation may contain, with their values.
* ``hukou check`` — validate ``policy_text/`` and report every problem.
* ``hukou ask "<一段话>" [--date YYYY-MM-DD]`` — run one message through the trained NLU and
  the engine.
* ``hukou serve`` — train if needed and run the assistant's servers until Ctrl-C.
* ``hukou users add USERNAME --role editor|reviewer|admin [--password-stdin]``,
  ``hukou users list``, ``hukou users set USERNAME [--role R] [--deactivate|--activate]
  [--password [--password-stdin]]`` — FAQ desk accounts.
* ``hukou faq import FILE --user USERNAME``, ``hukou faq export --out DIR`` — FAQ entries in
  (as drafts) and out (published entries as Rasa NLU/domain YAML and as an entry list).
* ``hukou wechat menu [--publish]`` — check the WeChat Official Account's custom menu
  (``bot/channels/wechat/menu.yml``) and print what would be published; with ``--publish``,
  publish it (``HUKOU_WECHAT_APPID``, ``HUKOU_WECHAT_SECRET``, ``HUKOU_WECHAT_API_BASE``).
* ``hukou db upgrade`` — bring the FAQ desk's database (``DATABASE_URL``) up to date; every
  ``users``/``faq``/``db`` command does this first.

Bad input gets a clear message on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from bot.faq.workflow import ROLES
from bot.paths import policy_dir
from bot.policy.clock import today as liling_today
from bot.policy.engine import assess
from bot.policy.facts import FACTS
from bot.policy.loader import PolicyDataError, load_knowledge
from bot.policy.model import KINDS, Knowledge, as_of_date
from bot.policy.present import (
    clause_detail,
    payload,
    policies_block,
    policy_block,
    render_text,
)
from bot.policy.situation import Situation, SituationError

EXIT_USAGE = 2


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors say what is wrong in one line and exit 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"hukou: 错误：{message}\n")


def _fail(message: str) -> NoReturn:
    print(f"hukou: 错误：{message}", file=sys.stderr)
    raise SystemExit(EXIT_USAGE)


def _dump(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _read_situation(source: str) -> Situation:
    try:
        raw = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        _fail(f"无法读取 {source}：{exc.strerror}")
    except UnicodeDecodeError:
        _fail(f"{source} 不是 UTF-8 文本")
    if not raw.strip():
        _fail('情况为空：请给出 JSON，例如 {"goal": "settle_urban", "housing": "rented"}')
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        _fail(f"不是有效的 JSON（第{exc.lineno}行第{exc.colno}列）：{exc.msg}")
    if not isinstance(data, dict):
        _fail('情况必须是 JSON 对象，例如 {"goal": "settle_urban"}')
    try:
        return Situation.from_mapping(data)
    except SituationError as exc:
        _fail(str(exc))


def _cmd_clauses(kb: Knowledge, args: argparse.Namespace) -> None:
    if args.format == "json":
        _dump(
            {
                "policy": policy_block(kb.meta, liling_today()),
                "clauses": [clause_detail(c) for c in kb.clauses.values()],
            }
        )
        return
    for clause in kb.clauses.values():
        print(f"{clause.id:<9} {clause.label:<9} {clause.title}")


def _as_of(args: argparse.Namespace) -> dt.date:
    try:
        return as_of_date(args.date) or liling_today()
    except ValueError as exc:
        _fail(f"--date（--today）{exc}，收到 {args.date!r}")


def _cmd_assess(kb: Knowledge, args: argparse.Namespace) -> None:
    situation = _read_situation(args.file)
    result = assess(situation, kb, today=_as_of(args))
    if args.format == "json":
        _dump(payload(result, kb))
    else:
        print(render_text(result, kb))


def _cmd_facts(_kb: Knowledge, _args: argparse.Namespace) -> None:
    for fact in FACTS.values():
        values = "true / false" if fact.is_bool else " / ".join(fact.values)
        print(f"{fact.name:<42} {values}\n{'':<42} {fact.label}")


def _cmd_check(kb: Knowledge, _args: argparse.Namespace) -> None:
    routes = sum(1 for c in kb.clauses.values() if c.condition is not None)
    passages = sum(len(document.passages) for document in kb.later)
    print(
        f"policy_text 有效：{len(kb.clauses)} 个条款（其中 {routes} 个办理情形），"
        f"{len(kb.documents)} 种材料，{len(kb.sources)} 个来源，{len(kb.procedures)} 个办理流程；"
        f"{len(kb.policies)} 份政策文件（之后的文件 {len(kb.later)} 份，共 {passages} 段）。"
    )


def _cmd_policies(kb: Knowledge, args: argparse.Namespace) -> None:
    as_of = _as_of(args)
    block = policies_block(kb, as_of)
    if args.format == "json":
        _dump(block)
        return
    standing = {"not_yet": "尚未生效", "in_force": "在有效期内", "expired": "已过失效日期"}
    print(f"政策文件（按 {as_of.isoformat()}）：")
    for doc in block["documents"]:
        print()
        print(f"{doc['id']}  {doc['title']}（{doc['doc_no'] or '无文号'}）")
        print(f"  {KINDS[doc['kind']]}；{doc['issuer']}；证据 {doc['evidence']}")
        print(
            f"  发布 {doc['issued']}，生效 {doc['effective_text']}，"
            f"失效 {doc['expires'] or '未标注'}；{standing[doc['standing']]}"
        )
        print(f"  状态：{doc['status_label']}（{doc['last_checked']} 核查）")
    for reminder in block["reminders"]:
        print(f"\n提醒：{reminder}")


def _cmd_ask(kb: Knowledge, args: argparse.Namespace) -> None:
    text = " ".join(args.text).strip()
    if not text:
        _fail('请输入一段话，例如：hukou ask "我在醴陵城里租房，想把户口迁过来"')
    from bot.paths import MODEL
    from bot.rasa_ext.understand import understand

    model = Path(args.model) if args.model else MODEL
    if not model.exists():
        _fail(f"没有模型 {model}：先运行 make train")
    today = _as_of(args)
    understood = understand(text, model)
    result = assess(understood.situation, kb, today=today, asked=understood.asked)
    if args.format == "json":
        _dump(
            {
                "text": understood.text,
                "intent": understood.intent,
                "confidence": round(understood.confidence, 3),
                "entities": understood.entities,
                "assessment": payload(result, kb),
            }
        )
        return
    print(f"意图：{understood.intent}（置信度 {understood.confidence:.2f}）")
    facts = understood.situation.to_dict()
    print("理解到的情况：" + ("；".join(FACTS[k].describe(v) for k, v in facts.items()) or "无"))
    print()
    print(render_text(result, kb))


def _cmd_serve(_kb: Knowledge, args: argparse.Namespace) -> None:
    from bot.stack.processes import serve  # imported here: the other commands need no servers

    raise SystemExit(
        serve(args.rasa_port, args.action_port, args.web_port, train=not args.no_train)
    )


def _faq_engine() -> Any:
    """The FAQ desk's database, migrated to the latest schema."""
    from sqlalchemy.exc import SQLAlchemyError

    from bot.faq.db import make_engine, migrate

    engine = make_engine()
    try:
        migrate(engine)
    except SQLAlchemyError as exc:
        where = engine.url.render_as_string(hide_password=True)
        _fail(f"无法打开或升级数据库 {where}：{str(exc).splitlines()[0]}")
    return engine


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("密码（至少 10 个字符）：")
    if getpass.getpass("再输入一次：") != password:
        _fail("两次输入的密码不一致")
    return password


def _cmd_users_add(_kb: Knowledge, args: argparse.Namespace) -> None:
    from bot.faq.auth import Auth
    from bot.faq.errors import FaqError

    auth = Auth(_faq_engine())
    try:
        user = auth.create_user(args.username, _read_password(args.password_stdin), args.role)
    except FaqError as exc:
        _fail(str(exc))
    print(f"已创建用户 {user.username}（{user.role}）")


def _cmd_users_set(_kb: Knowledge, args: argparse.Namespace) -> None:
    from bot.faq.auth import Auth
    from bot.faq.errors import FaqError

    active = {"activate": True, "deactivate": False}.get(args.state or "")
    wants_password = args.password or args.password_stdin
    password = _read_password(args.password_stdin) if wants_password else None
    try:
        user = Auth(_faq_engine()).update_user(
            "cli", args.username, role=args.role, active=active, password=password
        )
    except FaqError as exc:
        _fail(str(exc))
    state = "启用" if user.active else "停用"
    print(f"用户 {user.username}：{user.role}，{state}" + ("，密码已重设" if password else ""))


def _cmd_users_list(_kb: Knowledge, _args: argparse.Namespace) -> None:
    from bot.faq.auth import Auth

    for user in Auth(_faq_engine()).users():
        state = "启用" if user.active else "停用"
        print(f"{user.username:<20} {user.role:<9} {state} {user.created_at:%Y-%m-%d %H:%M} UTC")


def _cmd_faq_import(kb: Knowledge, args: argparse.Namespace) -> None:
    from bot.faq.errors import FaqError
    from bot.faq.exchange import import_yaml
    from bot.faq.store import FaqStore

    store = FaqStore(_faq_engine(), kb.clauses)
    try:
        report = import_yaml(store, args.user, Path(args.file))
    except FaqError as exc:
        _fail(str(exc))
    for error in report.errors:
        print(f"hukou: {error}", file=sys.stderr)
    print(f"导入 {len(report.created)} 条（草稿或待审核），失败 {len(report.errors)} 条")
    if report.errors:
        raise SystemExit(EXIT_USAGE)


def _cmd_faq_export(kb: Knowledge, args: argparse.Namespace) -> None:
    from bot.faq.exchange import write_export
    from bot.faq.store import FaqStore

    entries = FaqStore(_faq_engine(), kb.clauses).published()
    try:
        paths = write_export(entries, Path(args.out))
    except OSError as exc:
        _fail(f"无法写入 {args.out}：{exc.strerror}")
    print(f"已导出 {len(entries)} 条已发布条目：" + "、".join(str(path) for path in paths))


def _cmd_db_upgrade(_kb: Knowledge, _args: argparse.Namespace) -> None:
    engine = _faq_engine()
    print(f"数据库已是最新版本：{engine.url.render_as_string(hide_password=True)}")


def _cmd_wechat_menu(_kb: Knowledge, args: argparse.Namespace) -> None:
    # Imported here: the other commands need neither aiohttp nor the gateway's settings.
    import asyncio

    import aiohttp

    from bot.channels.wechat.client import ApiError, WeChatApi
    from bot.channels.wechat.menu import MenuError, load_menu
    from bot.paths import WECHAT_MENU
    from bot.web.settings import Settings

    try:
        menu = load_menu(WECHAT_MENU)
    except MenuError as exc:
        _fail(str(exc))
    if not args.publish:
        _dump(menu.api_body())
        return
    settings = Settings()
    if not settings.wechat_appid or not settings.wechat_secret:
        _fail("发布菜单需要设置 HUKOU_WECHAT_APPID 和 HUKOU_WECHAT_SECRET")

    async def publish() -> None:
        async with aiohttp.ClientSession() as session:
            api = WeChatApi(
                session, settings.wechat_appid, settings.wechat_secret, settings.wechat_api_base
            )
            await api.create_menu(menu.api_body())

    try:
        asyncio.run(publish())
    except ApiError as exc:
        _fail(f"微信接口拒绝了菜单（{exc.errcode} {exc.errmsg}）")
    print(f"已发布自定义菜单：{len(menu.payloads)} 个按钮")


def _add_faq_desk_commands(sub: Any) -> None:
    """``users``, ``faq`` and ``db``: the FAQ desk's accounts, entries and database."""
    users = sub.add_parser("users", help="FAQ 工作台账号").add_subparsers(
        dest="users_command", required=True, parser_class=_Parser
    )
    add = users.add_parser("add", help="新建账号（默认交互输入密码）")
    add.add_argument("username")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（一行）")
    add.set_defaults(func=_cmd_users_add)
    users.add_parser("list", help="列出账号").set_defaults(func=_cmd_users_list)
    change = users.add_parser("set", help="修改账号：角色、停用/启用、重设密码")
    change.add_argument("username")
    change.add_argument("--role", choices=ROLES)
    change.add_argument("--deactivate", dest="state", action="store_const", const="deactivate")
    change.add_argument("--activate", dest="state", action="store_const", const="activate")
    change.add_argument("--password", action="store_true", help="重设密码（交互输入）")
    change.add_argument("--password-stdin", action="store_true", help="从标准输入读一行密码")
    change.set_defaults(func=_cmd_users_set)
    faq = sub.add_parser("faq", help="FAQ 条目导入导出").add_subparsers(
        dest="faq_command", required=True, parser_class=_Parser
    )
    faq_import = faq.add_parser("import", help="从 YAML 列表导入条目（草稿或待审核）")
    faq_import.add_argument("file")
    faq_import.add_argument("--user", required=True, help="以哪个账号的名义导入")
    faq_import.set_defaults(func=_cmd_faq_import)
    faq_export = faq.add_parser("export", help="导出已发布条目（Rasa NLU/domain 与条目列表）")
    faq_export.add_argument("--out", required=True, help="输出目录")
    faq_export.set_defaults(func=_cmd_faq_export)
    db = sub.add_parser("db", help="数据库（DATABASE_URL，默认 var/hukou.sqlite3）")
    db_sub = db.add_subparsers(dest="db_command", required=True, parser_class=_Parser)
    db_sub.add_parser("upgrade", help="升级到最新结构").set_defaults(func=_cmd_db_upgrade)


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser for ``hukou``."""
    parser = _Parser(prog="hukou", description="醴陵户籍政策助手（醴政发〔2017〕6号）")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    clauses = sub.add_parser("clauses", help="列出全部条款（可导出 JSON）")
    clauses.add_argument("--format", choices=("json", "text"), default="text")
    clauses.set_defaults(func=_cmd_clauses)
    assess_cmd = sub.add_parser("assess", help="根据情况（JSON）判断适用条款")
    assess_cmd.add_argument("file", nargs="?", default="-", help="JSON 文件，- 表示标准输入")
    assess_cmd.add_argument("--format", choices=("json", "text"), default="text")
    assess_cmd.add_argument(
        "--date", "--today", dest="date", help="按此日期（YYYY-MM-DD）作答，默认今天"
    )
    assess_cmd.set_defaults(func=_cmd_assess)
    policies = sub.add_parser("policies", help="列出政策文件及其状态和日期")
    policies.add_argument("--date", help="按此日期（YYYY-MM-DD）判断，默认今天")
    policies.add_argument("--format", choices=("json", "text"), default="text")
    policies.set_defaults(func=_cmd_policies)
    facts = sub.add_parser("facts", help="列出可用的情况项及取值")
    facts.set_defaults(func=_cmd_facts)
    check = sub.add_parser("check", help="校验 policy_text/ 数据")
    check.set_defaults(func=_cmd_check)
    ask = sub.add_parser("ask", help="用训练好的模型理解一段话并给出判断")
    ask.add_argument("text", nargs="*", help="市民的一段话")
    ask.add_argument("--format", choices=("json", "text"), default="text")
    ask.add_argument("--model", help="模型文件（默认 models/hukou.tar.gz）")
    ask.add_argument("--date", help="按此日期（YYYY-MM-DD）作答，默认今天")
    ask.set_defaults(func=_cmd_ask)
    serve = sub.add_parser("serve", help="（需要时先训练）启动助手的全部服务，Ctrl-C 停止")
    serve.add_argument("--rasa-port", type=int, default=5005)
    serve.add_argument("--action-port", type=int, default=5055)
    serve.add_argument("--web-port", type=int, default=8000)
    serve.add_argument("--no-train", action="store_true", help="不训练，直接用现有模型")
    serve.set_defaults(func=_cmd_serve)
    _add_faq_desk_commands(sub)
    wechat = sub.add_parser("wechat", help="微信公众号渠道").add_subparsers(
        dest="wechat_command", required=True, parser_class=_Parser
    )
    menu = wechat.add_parser("menu", help="检查自定义菜单（--publish：发布到公众号）")
    menu.add_argument("--publish", action="store_true", help="调用微信接口发布菜单")
    menu.set_defaults(func=_cmd_wechat_menu)
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    """Run the ``hukou`` command line."""
    args = build_parser().parse_args(argv)
    try:
        kb = load_knowledge(policy_dir())
    except PolicyDataError as exc:
        print(f"hukou: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None
    args.func(kb, args)


if __name__ == "__main__":
    main()
