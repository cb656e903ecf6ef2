"""The WeChat channel's protocol: known answers from WeChat's own documents, the refusals, and
the same results as an independent implementation (wechatpy, a dev-only dependency)."""

from __future__ import annotations

import base64

import pytest
from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException

from bot.channels.wechat.crypto import CryptoError, MessageCrypto, aes_key, signature
from bot.channels.wechat.messages import BadPush, encrypted_reply, fields, parse, text_reply
from tests.support.wechat import AES_KEY, OLD_AES_KEY, text_push

# The official 接入指引 example (protocol note §1.2).
GET_EXAMPLE = ("AAAAA", "1714037059", "486452656", "899cf89e464efb63f54ddac96b0a0a235f53aa78")

# Tencent's WXBizMsgCrypt sample vector (protocol note §1.4).
SAMPLE_TOKEN, SAMPLE_APPID = "spamtest", "wx2c2769f8efd9abc2"
SAMPLE_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
SAMPLE_TS, SAMPLE_NONCE = "1409735669", "1320562132"
SAMPLE_SIGNATURE = "5d197aaffba7e9b25a30732f161a50dee96bd5fa"
SAMPLE_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PG"
    "HQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h"
    "6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCO"
    "p3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnh"
    "vQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)


def sample() -> MessageCrypto:
    return MessageCrypto(SAMPLE_TOKEN, SAMPLE_APPID, [SAMPLE_KEY])


def test_the_official_get_example_signature() -> None:
    token, timestamp, nonce, expected = GET_EXAMPLE
    assert signature(token, timestamp, nonce) == expected


def test_the_official_encrypted_sample_opens_and_its_msg_signature_matches() -> None:
    assert signature(SAMPLE_TOKEN, SAMPLE_TS, SAMPLE_NONCE, SAMPLE_ENCRYPT) == SAMPLE_SIGNATURE
    xml, key_index = sample().open(SAMPLE_ENCRYPT, SAMPLE_SIGNATURE, SAMPLE_TS, SAMPLE_NONCE)
    assert key_index == 0
    push = parse(xml)
    assert (push.content, push.msg_id, push.msg_type) == ("abcdteT", "6054768590064713728", "text")
    assert (push.from_user, push.to_user) == ("oyORnuP8q7ou2gfYjqLzSIWZf0rs", "gh_10f6c3c3ac5a")


def test_a_deterministic_encrypt_gives_wechatpys_bytes() -> None:
    class Pinned(PrpCrypto):  # type: ignore[misc]
        def get_random_string(self) -> str:
            return "1234567890123456"

    xml = "<xml><Content><![CDATA[您好]]></Content></xml>"
    crypto = MessageCrypto(
        SAMPLE_TOKEN, SAMPLE_APPID, [SAMPLE_KEY], random_prefix=lambda: b"1234567890123456"
    )
    sealed = crypto.seal(xml, SAMPLE_TS, SAMPLE_NONCE)
    expected = Pinned(base64.b64decode(SAMPLE_KEY + "=")).encrypt(xml, SAMPLE_APPID)
    assert sealed.encrypt == expected.decode()
    assert sealed.encrypt.startswith("QCTqNwyPmqRu4xuyqVsjayCY8MJHizeVqfjNmRlQfy3BN5X463THj7QVThN")
    assert sealed.msg_signature == signature(SAMPLE_TOKEN, SAMPLE_TS, SAMPLE_NONCE, sealed.encrypt)
    assert crypto.open(sealed.encrypt, sealed.msg_signature, SAMPLE_TS, SAMPLE_NONCE)[0] == xml


def test_wechatpy_reads_our_encrypted_reply_and_we_read_its() -> None:
    ours = sample()
    theirs = WeChatCrypto(SAMPLE_TOKEN, SAMPLE_KEY, SAMPLE_APPID)
    reply = "<xml><Content><![CDATA[材料：户口簿]]></Content></xml>"
    sealed = ours.seal(reply, SAMPLE_TS, SAMPLE_NONCE)
    envelope = encrypted_reply(sealed.encrypt, sealed.msg_signature, SAMPLE_TS, SAMPLE_NONCE)
    assert theirs.decrypt_message(envelope, sealed.msg_signature, SAMPLE_TS, SAMPLE_NONCE) == reply
    their_envelope = theirs.encrypt_message(reply, SAMPLE_NONCE, SAMPLE_TS)
    data = fields(their_envelope)
    assert ours.open(data["Encrypt"], data["MsgSignature"], SAMPLE_TS, SAMPLE_NONCE)[0] == reply
    # …and both refuse another account's message.
    other = MessageCrypto(SAMPLE_TOKEN, "wxOTHER", [SAMPLE_KEY]).seal(reply, SAMPLE_TS, "1")
    with pytest.raises(InvalidAppIdException):
        theirs.decrypt_message(
            encrypted_reply(other.encrypt, other.msg_signature, SAMPLE_TS, "1"),
            other.msg_signature,
            SAMPLE_TS,
            "1",
        )
    with pytest.raises(CryptoError, match="AppID"):
        ours.open(other.encrypt, other.msg_signature, SAMPLE_TS, "1")


def test_a_bad_msg_signature_is_refused() -> None:
    with pytest.raises(CryptoError, match="msg_signature"):
        sample().open(SAMPLE_ENCRYPT, "0" * 40, SAMPLE_TS, SAMPLE_NONCE)
    with pytest.raises(CryptoError):  # signed for another timestamp
        sample().open(SAMPLE_ENCRYPT, SAMPLE_SIGNATURE, "1409735670", SAMPLE_NONCE)


def test_a_tampered_ciphertext_is_refused_not_crashed() -> None:
    raw = bytearray(base64.b64decode(SAMPLE_ENCRYPT))
    raw[-1] ^= 0xFF  # the last block: the padding no longer checks out
    tampered = base64.b64encode(bytes(raw)).decode()
    with pytest.raises(CryptoError):
        sample().open(tampered, signature(SAMPLE_TOKEN, SAMPLE_TS, SAMPLE_NONCE, tampered),
                      SAMPLE_TS, SAMPLE_NONCE)  # fmt: skip
    with pytest.raises(CryptoError):
        sample().open("not base64!", signature(SAMPLE_TOKEN, "1", "2", "not base64!"), "1", "2")


def test_key_rotation_falls_back_to_the_previous_key() -> None:
    before = MessageCrypto("t", "wxapp", [OLD_AES_KEY]).seal("<xml/>", "1", "2")
    rotated = MessageCrypto("t", "wxapp", [AES_KEY, OLD_AES_KEY])
    assert rotated.open(before.encrypt, before.msg_signature, "1", "2") == ("<xml/>", 1)
    # the reply goes out under the key that opened the push
    reply = rotated.seal("<xml>r</xml>", "3", "4", key_index=1)
    assert MessageCrypto("t", "wxapp", [OLD_AES_KEY]).open(
        reply.encrypt, reply.msg_signature, "3", "4"
    ) == ("<xml>r</xml>", 0)
    with pytest.raises(CryptoError):  # without the previous key it cannot be opened
        MessageCrypto("t", "wxapp", [AES_KEY]).open(before.encrypt, before.msg_signature, "1", "2")


@pytest.mark.parametrize("key", ["short", "a" * 44, "abcdefghijklmnopqrstuvwxyz0123456789ABCDEF+"])
def test_a_malformed_encoding_aes_key_is_refused(key: str) -> None:
    with pytest.raises(ValueError, match="43"):
        aes_key(key)


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<xml><ToUserName>gh</ToUserName><FromUserName>oUser</FromUserName><MsgType>text</MsgType>
<Content>&lol3;</Content></xml>"""
EXTERNAL = """<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<xml><FromUserName>oUser</FromUserName><MsgType>text</MsgType><Content>&e;</Content></xml>"""


@pytest.mark.parametrize("body", [BOMB, EXTERNAL, "<xml><a>", "<notxml/>", "", "<xml/>"])
def test_entity_bombs_and_malformed_pushes_are_refused(body: str) -> None:
    with pytest.raises(BadPush):
        parse(body)


def test_a_reply_with_cdata_terminators_and_markup_stays_one_text() -> None:
    push = parse(text_push("你好"))
    nasty = "先]]><MsgType>news</MsgType>后 & <b>x</b> ]]]]>"
    reply = fields(text_reply(push, nasty, 1))
    assert reply["Content"] == nasty
    assert reply["MsgType"] == "text" and reply["ToUserName"] == push.from_user


def test_messages_dedup_by_msgid_events_by_sender_and_time() -> None:
    assert parse(text_push("a", msg_id="123")).dedup_key == "msg:123"
    event = parse(
        "<xml><FromUserName>oU</FromUserName><CreateTime>99</CreateTime>"
        "<MsgType>event</MsgType><Event>subscribe</Event></xml>"
    )
    assert event.dedup_key == "event:oU:99"
