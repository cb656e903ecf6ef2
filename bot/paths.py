"""Where things are in a checkout: the one place that knows the repository's shape.

Modules that need a file of the project take it from here instead of counting
``Path(__file__).parents[n]``, so moving a module never breaks a path. The two overrides an
operator may set are read here too (with :mod:`bot.stack` and :mod:`bot.web.settings`, the
only readers of the environment):

* ``HUKOU_POLICY_DIR`` — another ``policy_text/`` folder (a city's own edition of the data);
* ``DATABASE_URL`` — the FAQ desk's database (any SQLAlchemy URL); without it the SQLite
  file ``var/hukou.sqlite3``.

:mod:`bot.policy` keeps its own default folder, as it imports nothing from the rest of ``bot``.
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
"""The repository root."""
BOT_DIR = ROOT / "bot"
"""The Rasa project's configuration (``config.yml``, ``domain/``, ``credentials.yml``)."""
DATA_DIR = ROOT / "data"
"""Rasa training data and the language resources (jieba dictionary, fact patterns, synonyms)."""
MODEL = ROOT / "models" / "hukou.tar.gz"
"""The trained Rasa model."""
STATIC = BOT_DIR / "web" / "static"
"""The web pages, scripts and styles."""
TEMPLATES = BOT_DIR / "web" / "templates"
"""Pages the gateway renders on the server (Jinja2): the ``/checklist`` page."""
WECHAT_MENU = BOT_DIR / "channels" / "wechat" / "menu.yml"
"""The WeChat Official Account's custom menu (``hukou wechat menu --publish``)."""
DEFAULT_SQLITE = ROOT / "var" / "hukou.sqlite3"
"""The FAQ desk's database when ``DATABASE_URL`` is not set."""
CONVERSATIONS = ROOT / "var" / "conversations.sqlite3"
"""The embedded profile's conversations (Rasa's tracker store) when ``HUKOU_TRACKER_URL`` is not
set."""


def policy_dir() -> Path:
    """``HUKOU_POLICY_DIR``, else this checkout's ``policy_text/``."""
    return Path(os.environ.get("HUKOU_POLICY_DIR") or ROOT / "policy_text")


def faq_database_url() -> str:
    """``DATABASE_URL``, else the SQLite file ``var/hukou.sqlite3`` (its folder is created)."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return url
    DEFAULT_SQLITE.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{DEFAULT_SQLITE}"
