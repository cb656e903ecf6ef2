"""The push XML WeChat sends and the reply XML it accepts.

Parsing uses :mod:`defusedxml` (no entity expansion, no DTD, no external references: an
entity bomb is refused, not expanded). Only the flat ``<xml>`` fields the channel reads are
kept. Replies put every value in CDATA, with a ``]]>`` in the text split across two CDATA
sections so that no answer can break or inject into the reply (wechatpy does not do this;
protocol note §1.6).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

_OPENID = re.compile(r"[A-Za-z0-9_-]{1,64}")


class BadPush(ValueError):
    """The body is not a push the channel understands (malformed or forbidden XML)."""


@dataclass(frozen=True)
class Push:
    """One push: a user's message or an event, the fields the channel uses."""

    to_user: str
    """The account's 原始ID (``gh_…``)."""
    from_user: str
    """The user's OpenID."""
    create_time: str
    msg_type: str
    """``text``, ``event``, ``image``, ``voice``, ``location`` …"""
    content: str = ""
    msg_id: str = ""
    event: str = ""
    """For ``event``: ``subscribe``, ``unsubscribe``, ``CLICK``, ``SCAN`` …"""
    event_key: str = ""
    menu_id: str = ""
    """``bizmsgmenuid`` of a 客服菜单 click (may be ``0`` or missing, §1.3)."""

    @property
    def dedup_key(self) -> str:
        """``MsgId`` for messages, ``FromUserName + CreateTime`` for events (§1.5)."""
        if self.msg_id:
            return f"msg:{self.msg_id}"
        return f"event:{self.from_user}:{self.create_time}"


def fields(body: bytes | str) -> dict[str, str]:
    """The flat fields of a ``<xml>`` document (child tag → text).

    Raises:
        BadPush: Not well-formed, not ``<xml>``, or it declares entities or a DTD.
    """
    try:
        root = fromstring(body, forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException, ValueError) as exc:
        raise BadPush(type(exc).__name__) from exc
    if root.tag != "xml":
        raise BadPush("root is not <xml>")
    return {child.tag: (child.text or "").strip() for child in root}


def parse(body: bytes | str) -> Push:
    """The :class:`Push` in a (decrypted) body.

    Raises:
        BadPush: Malformed XML, or a required field is missing or not an OpenID.
    """
    data = fields(body)
    from_user = data.get("FromUserName", "")
    if not _OPENID.fullmatch(from_user) or not data.get("MsgType"):
        raise BadPush("missing FromUserName or MsgType")
    return Push(
        to_user=data.get("ToUserName", ""),
        from_user=from_user,
        create_time=data.get("CreateTime", ""),
        msg_type=data["MsgType"],
        content=data.get("Content", ""),
        msg_id=data.get("MsgId", ""),
        event=data.get("Event", ""),
        event_key=data.get("EventKey", ""),
        menu_id=data.get("bizmsgmenuid", ""),
    )


def cdata(value: str) -> str:
    """``value`` as CDATA; a ``]]>`` inside is split so it cannot close the section."""
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply(push: Push, content: str, now: int) -> str:
    """A passive text reply to ``push`` (To and From swapped)."""
    return (
        f"<xml><ToUserName>{cdata(push.from_user)}</ToUserName>"
        f"<FromUserName>{cdata(push.to_user)}</FromUserName>"
        f"<CreateTime>{now}</CreateTime><MsgType>{cdata('text')}</MsgType>"
        f"<Content>{cdata(content)}</Content></xml>"
    )


def encrypted_reply(encrypt: str, msg_signature: str, timestamp: str, nonce: str) -> str:
    """The envelope of an encrypted reply (§1.4)."""
    return (
        f"<xml><Encrypt>{cdata(encrypt)}</Encrypt>"
        f"<MsgSignature>{cdata(msg_signature)}</MsgSignature>"
        f"<TimeStamp>{int(timestamp)}</TimeStamp><Nonce>{cdata(nonce)}</Nonce></xml>"
    )
