"""Whose fact, and where: attribution of the fact rules' matches (issue 13's kinds 1 and 2).

The fact rules (:mod:`bot.nlu.extractor`) say *what* a message states. This module says *of
whom* and *where*, so that "房子是我女儿的名字" does not give the applicant a house, "我在东莞上班"
is not work in Liling, and "户口在嘉树乡下村里" is a rural hukou while "户口在浦口镇" is not yet
known to be either.

* **Who.** The people a message names (``data/facts/people.yml``: 我, 老公, 女儿, 同事 …) and
  pronouns resolved to the last third person named. A fact about the applicant is kept only
  when the person it is said of is the applicant; the place of a relative's hukou becomes the
  relative's fact (the spouse's → ``spouse_hukou_area``, a parent's or child's →
  ``relative_hukou_area``).
* **Where.** The places it names: outside Liling (``data/places/outside.yml``), Liling's
  streets, towns, communities and villages (``data/places/liling.yml``, sourced), and the
  words for town and country (``data/places/words.yml``: 城里, 社区, 村里, 乡下 …). Policy
  二 defines the 城镇地区 as the 街道, 长庆示范区 and the 社区 of 建制镇, so a 村 is rural even
  inside a 镇, and a 镇 alone says neither: the fact stays unknown and the form asks.

Rules, not a model: every decision is a table lookup a clerk can read and correct.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

from bot.paths import DATA_DIR

PEOPLE = DATA_DIR / "facts" / "people.yml"
PLACES = DATA_DIR / "places"

Role = Literal["self", "spouse", "parent", "child", "grandchild", "sibling", "other"]
Area = Literal["liling_urban", "liling_rural", "outside_liling"]

CLAUSE_BREAKS = re.compile(r"[,.;!?。\s]|但是|但|可是|不过|然后|另外")
"""Where a clause ends. A space counts: citizens type spaces where they would pause
(租的房子有租房合同 在醴陵城区 外地户口能落户不). 、 does not: it joins people (我、老公)."""
RUN_ON_BREAKS = re.compile(
    CLAUSE_BREAKS.pattern
    + r"|(?<=[\u4e00-\u9fff])(?<![把跟和与给帮替让叫的是带对同向被将找问陪说及靠随着到在])(?=我)"
)
"""In a message with no punctuation at all (voice input: …公司给交的社保做了两年了我老家是衡阳
祁东的我想户口迁过来) a new 我 right after a character starts a clause too: the speaker naming
themself again is where a spoken sentence would have ended — unless 我 is an object (把我,
投靠我, 跟着我 …) or possessed (…的我). Text that has punctuation keeps its own breaks."""
PUNCTUATION = re.compile(r"[,.;!?。，、；：！？]")
OBJECT_MARKS = frozenset("跟陪给替帮对到在去")
"""Characters before a person that make them the object of a clause (跟他住), not its topic.

Not 和 / 与 / 同, which as often join two subjects (我和儿子都在城里住，户口都在村里)."""
NOT_MARKS = frozenset(
    ["现在", "正在", "实在", "好在", "还在", "都在", "也在", "就在", "存在", "过去"]
)
"""Words that end in a mark character but mark no object (现在女儿在城里上班)."""

SENTENCE_BREAKS = re.compile(r"[.!?。\n]")
WISH = re.compile(r"想|要|打算|准备|希望|能不能|能否|可不可以|可以|行不行|能迁|能落")
"""A move that is wanted (想迁回去), not one that happened (当初是投靠他迁过去的)."""
ASKED_HOW = re.compile(r"(咨询|询问|问|想知道|了解)[^,.;!?。]{0,8}(如何|怎么|怎样)")
"""咨询儿子如何恢复户口: how to make a move, asked, is a move wanted (not 当初怎么迁到城里的)."""
ASKED_MOVE = re.compile(r"能不能|可不可以|能否|可否|行不行|要得啵|吗|呢|么|[?？]|[能行]不$")
"""A move asked about (能不能跟着她一起迁？): the question is the applicant's."""

APPLICANT_FACTS = frozenset(
    {
        "current_hukou_area",
        "marital_status",
        "housing",
        "employed_in_liling",
        "urban_social_insurance",
        "fulltime_graduate",
        "professional_qualification",
        "transferred_or_recruited",
        "investor_or_founder",
        "veteran",
        "origin_rural",
        "dropout",
        "fresh_graduate",
        "hukou_at_school",
        "released_hukou_cancelled",
        "moved_for_marriage",
        "moved_to_town_under_hunan_rules",
    }
)
"""Facts about the applicant themselves: kept only when said of the applicant."""

LIKE_APPLICANT: dict[str, frozenset[Role]] = {
    # 本人是未成年人: a child's age (孩子8岁) is the child's, unless the child is the applicant.
    "is_minor": frozenset({"self"}),
}

IN_LILING_FACTS = frozenset(
    {
        "employed_in_liling",
        "urban_social_insurance",
        "investor_or_founder",
        "transferred_or_recruited",
    }
)
"""Facts that hold only in Liling: dropped when the clause names a place outside it."""

URBAN_HOUSING_FACTS = frozenset({"housing"})
"""A home counts only in Liling's urban area: dropped when the clause says elsewhere or 村."""

AREA_GOAL: dict[str, str] = {"liling_urban": "settle_urban", "liling_rural": "move_rural"}
"""A move to a place in Liling's town or country area → the goal it is."""

AREA_FACTS = {
    "self": "current_hukou_area",
    "spouse": "spouse_hukou_area",
    "parent": "relative_hukou_area",
    "child": "relative_hukou_area",
}
"""Whose hukou a "户口在…" statement is → the fact it states."""

RELATIVE_AREA_FACTS = frozenset({"spouse_hukou_area", "relative_hukou_area"})
"""The relatives' hukou facts: seen from a relative applicant they may be the applicant's own."""

IS_HUKOU = re.compile(
    r"(?<![不没])(?<!不算)(?<!不再)(是|属于|属)(?!不)(?P<where>[^,.;!?\s。是]{1,8}?)(的)?(户口|户籍)"
    r"(?![在是迁转落本口])"
)
"""她是外县农村户口, 我是醴陵城里户口: whose hukou, and where (the words before 户口). Not a bare
户 (个体户, 低保户 are no hukou) nor 不算是…户口."""
WHEN_BEFORE = re.compile(r"(时|时候|那年|以前|之前|原来|本来)$")
"""我结婚时是农村户口: what the hukou was then, not what it is."""

HUKOU_AT = re.compile(
    r"(户口|户籍|户头)(本)?(现在|目前|还|都|也|一直|原来|本来|仍然|仍|就)*"
    r"(是在|挂在|迁到了|迁去了|迁回了|转到了|落到了|放在|在|是|属于|属)(?!不是)"
)
""""户口在…" and its variants: the place that follows is where that person's hukou is.

Only what *is* (户口在, 户口已经迁到了): 户口迁到城里 and 把户口落在村里 say what is wanted."""

TARGET_BEFORE = re.compile(r"(落|迁到|迁去|迁往|落到|转到|入)$")
TARGET_AFTER = re.compile(
    # 广州交社保要满几年才能入户: the condition may come between the city and the move.
    r"(市|省|那边|这边|那里|这里)?(的)?[^,.;!?。]{0,12}?(落户|入户|上户口|居住证)"
)
LILING_TARGET = re.compile(
    r"(落|迁|转|来|到)[^,.;!?。]{0,3}醴陵|醴陵[^,.;!?。]{0,4}(落户|入户|上户口)"
    r"|过来|回来|迁回|迁来|回醴陵"
)
SOURCE_BEFORE = re.compile(r"(从|是|由|(户口|户籍|户)[^,.;!?。]{0,1}在)$")
"""从江西迁过来, 我是长沙户口, 户口还在长沙: where the hukou is, not where it should go. A
house or a job there (在长沙买了房…能落户吗) says nothing of where the hukou is."""
GENERIC_ELSEWHERE = frozenset({"外地", "外省", "外市", "外县", "省外", "市外", "县外", "异地"})
"""Words for "not Liling" that name no city to refer the citizen to."""

CHILDS_PARENT = frozenset({"爸", "妈", "爸爸", "妈妈", "爹", "娘"})
SONS_AND_DAUGHTERS = frozenset(
    {
        "儿子",
        "女儿",
        "孩子",
        "小孩",
        "伢子",
        "伢崽",
        "崽",
        "满崽",
        "闺女",
        "娃",
        "小儿子",
        "大儿子",
        "小女儿",
        "大女儿",
    }
)
"""Whose 他爸 is the speaker's spouse (not a 儿媳's or 女婿's parent)."""
"""他爸 / 她妈 of the speaker's child: the speaker's spouse."""

PRONOUN_GENDER = {"她": "f", "她们": "f", "他": "m"}
"""他们 and 其 say no gender."""

MOVE_VERB = re.compile(r"迁|落户|落到|落回|投靠|转户|上户口|入户")
"""The verb of a move: its subject is the person who moves."""

JOINED = re.compile(r"(和|跟|与|及|以及|、|还有|和我)([两几三四五六]个)?")
"""Between two people named as one subject (我和爱人)."""

OWNER_AFTER = re.compile(r"(的名字|名下|的名下|的名义|的(?![村家屋那这里]))")
"""What makes a person named after a fact its owner."""

PAST = re.compile(
    r"(入伍前|参军前|当兵前|以前|原来|之前|原先|本来|当年|结婚前|出嫁前|婚前|上大学前|原|老)$"
)
"""Before 户口: where the hukou *was* (入伍前户口在村里) — the origin, not where it is."""

DONE = re.compile(
    r"(?:(已经|早就|早已|去年|前年|上个月|那年)[^,.;!?。\s]{0,4}"
    r"|(当年|当初|那时候)[^,.;!?。\s]{0,6}|已(由|从)[^,.;!?。\s]{0,10})$"
)
"""Before a move: one that has happened (她户口去年已经落到城里了), so where the hukou is now."""
DONE_MOVE = re.compile(
    r"(户口|户籍)(去年|前年|上个月|早就|早已|已经|前几年)+(就)?(迁到|落到|转到|迁进|迁去|迁回|落在|迁在|落回|转回|迁入)"
    r"|(户口|户籍)(也|都)?(迁到了|落到了|迁回了|落回了|转到了|迁进了)"
)
"""户口去年已经落到城里了: where that person's hukou is, not a move anyone wants (都, 也 and 今年
say nothing of whether it happened: 我想把全家户口都迁到城里; 了 right after the verb does:
户口也落回了他嘉树的村里)."""
DONE_INSIDE = re.compile(r"(户口|户籍)(也|都)?(去年|前年|上个月|早就|早已|已经)")
"""户口已经落回了村里: a move that begins with the hukou and says it has happened."""
FOCUS_PAST = re.compile(r"的(?=[,.;!?。\s]|$)")
"""我是去年从村里迁到城里落户的: 是…的 around a move says when it happened, not a wish."""
NOT_DONE = re.compile(r"怎么|如何|需要|才能|能不能|可以|吗")
"""…已经离婚了，怎么把户口迁回娘家: a question about the move, so still wanted."""

IS_FROM = re.compile(r"(?<![不没])是(?P<where>[^,.;!?。\s是]{1,10}?)(的人|的)(?=[,.;!?。\s]|$)")
"""我是茶山岭乡里村上的, 她是外地的: where that person is from — said of a person, where their
hukou is (only right after the person: 房子是城里的 says nothing of anyone's hukou)."""

GENERAL = re.compile(r"凡是|只要|凡")
"""凡是农村户口都能迁回去吗: a rule about anyone, no one's hukou."""

WANTED_MOVE = re.compile(r"(想|要|打算|准备|希望)[^,.;!?。\s]{0,4}?(迁|落户|落回|落到|转户|上户)")
"""A move wanted, place or not (他现在想回去落户): its subject may be the applicant."""

HYPOTHETICAL = re.compile(
    r"如果|假如|要是|万一|假设|比如|的话|的人|是不是|能不能|可不可以|有没有|在不在|还是|哪里|哪个|搞不清|不知道|不清楚"
)

RURAL_SUFFIX = re.compile(
    r"[\u4e00-\u9fff]{1,4}村(?![民子里上委])|[一二三四五六七八九十\d]{1,3}组(?![织长建合成])"
)

VILLAGE_LEAD = frozenset("是在到去从于的")
"""Characters that begin the words before a village's name, never the name itself."""

RELATIVE_APPLICANTS: frozenset[Role] = frozenset(
    {"spouse", "parent", "child", "sibling", "grandchild", "other"}
)
"""People a speaker may ask for (帮我儿子问, 他离了婚想迁回乡下): the one who moves."""

PROXY = re.compile(r"(帮|替|代)(我|我们)?(家)?(的)?[\u4e00-\u9fff]{1,4}?(问|咨询|打听|了解)")
"""帮我女儿问一下, 替我爸咨询: the person named is the applicant."""
ON_BEHALF = re.compile(r"代为(咨询|询问|了解|打听|问)|帮其(咨询|询问|问)|替其(咨询|询问|问)")
"""来电人称其侄子…来电人代为咨询: the call is made for the relative the note is about."""
CO_SPEAKERS = frozenset({"老伴", "老伴儿"})
"""我跟老伴…: an elderly couple speaking as one; a later 他/她 is someone else (their child)."""
BIRTH = re.compile(
    r"出生|出世|刚生|生了|(?<![学医先])生的|生下|生哒|生咯|生完|新生|婴|满月|百天|月子|准生|生育|怀孕"
    r"|胎|二宝|三宝|千金|顺产|剖腹产|剖宫产|生产|分娩|添丁|bb",
    re.I,
)
"""Words of a birth: a newborn's registration is asked about only where a birth or a child is."""
CHILD_ROLES = frozenset({"child", "grandchild"})
AGED = re.compile(r"(?<![零〇.\d])([1-9]\d?|[一二两三四五六七八九十]{1,3})(周)?岁")
"""An age of a year or more (6岁, 十二周岁): no newborn (not 0.5岁 nor 8个月)."""
NOTE_ABOUT = re.compile(r"(来电人|来电市民|市民|该市民|群众)(称|反映|说|表示|介绍)?[:：,，]?其")
"""来电人称其侄子…: the person right after 其 is the one the note is about."""
ENTRUST = re.compile(r"委托|托我|让我(帮|替)?(他|她)?(问|咨询)")
"""丈夫…委托来电人咨询: the one who entrusts the call is the applicant (the subject of 委托)."""
HELPED = ("帮", "替", "给")
"""我想帮他把户口恢复: the person helped is the one who moves."""

_INVERSE: dict[Role, Role] = {"child": "parent", "parent": "child", "spouse": "spouse"}

MOVED_OBJECT = re.compile(r"把(我|我们|俺|咱)?(家|屋里)?(的)?$")
"""我想把老婆的户口迁过来: the person right after 把 is the one whose hukou moves."""
HUKOU_OF = re.compile(r"(的)?(户口|户籍)(?!在|是|本)")
"""我想问我老公的户口能不能迁到醴陵: whose hukou moves, as after 把 (not 老公户口在城区)."""
COMPANION = re.compile(r"(带着|带上|带|领着|连同|连着)[^,.;!?。\s]{0,3}$")
"""想带着儿子一起迁回娘家: the person brought along is not the one who asks."""
JOINED_ONE = re.compile(r"(投靠|投奔|随|跟随|跟着)$")
"""想投靠老公落户: the person joined, named right before the verb, is not the mover."""
TO_SPEAKER = re.compile(
    r"(迁|转|落户|落|挂|上)(到|在|进|入|回)?(?:(?:我|我们|俺|咱)(家)?(的)?(?P<area>城里|村里|乡下|这边)?(的)?"
    r"(这里|这边|这儿|这|那里|家里|家|户口上|户口本上|户口簿上|户上|名下)"
    r"|自己(的)?(户口上|户口本上|户口簿上|户上|名下))"
)
"""想迁到我城里户口上, 把爸妈户口迁到我这里: a move to the speaker, so someone else moves.
自己 only with 名下 / 户口上 (迁到自己名下): 迁到自己家里 may be the mover's own home."""


def relative_to(role: Role, applicant: Role) -> Role:
    """``role`` (seen from the speaker) seen from the applicant.

    When the applicant is the speaker's child, the speaker is the applicant's parent: "我户口
    在村里" is then the relative's hukou. Anyone else is "other" to a relative applicant.
    """
    if applicant == "self":
        return role
    if role == applicant:
        return "self"
    if role == "self":
        return _INVERSE.get(applicant, "other")
    return "other"


@dataclass(frozen=True)
class Person:
    """A person named in the text."""

    start: int
    end: int
    role: Role
    third_person: bool


@dataclass(frozen=True)
class PlaceMention:
    """A place named in the text, and what it says about the area."""

    start: int
    end: int
    text: str
    area: Area | Literal["liling", "town"]


def _words(raw: Any) -> list[str]:
    return [str(w) for w in raw or []]


def _alternation(words: Iterable[str]) -> re.Pattern[str]:
    unique = sorted(set(words), key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in unique)) if unique else re.compile(r"(?!)")


class Attribution:
    """People and places in a message, and the facts they change."""

    def __init__(self, people: Path = PEOPLE, places: Path = PLACES) -> None:
        """Load the people and place lists."""
        data = yaml.safe_load(people.read_text(encoding="utf-8"))
        self._role_of: dict[str, tuple[Role, bool]] = {}
        for word in _words(data.get("self")):
            self._role_of[word] = ("self", False)
        for word in _words(data.get("third_person_self")):
            self._role_of[word] = ("self", True)
        for role, words in (data.get("roles") or {}).items():
            for word in _words(words):
                self._role_of[word] = (role, True)
        self._pronouns = set(_words(data.get("pronouns")))
        self._gender = {w: "f" for w in _words(data.get("female"))}
        self._gender.update({w: "m" for w in _words(data.get("male"))})
        self._not_persons = _alternation(_words(data.get("not_persons")))
        self._people = _alternation([*self._role_of, *self._pronouns])

        outside = yaml.safe_load((places / "outside.yml").read_text(encoding="utf-8"))
        self._liling_after = tuple(_words(outside.get("liling_after")))
        outside_words = [
            w
            for key in ("generic", "provinces", "hunan", "cities")
            for w in _words(outside.get(key))
        ]
        self._place_kind: dict[str, str] = {w: "outside_liling" for w in outside_words}
        liling_file = places / "liling.yml"
        if liling_file.exists():
            self._load_liling(yaml.safe_load(liling_file.read_text(encoding="utf-8")))
        self._place_kind.setdefault("醴陵", "liling")
        words = yaml.safe_load((places / "words.yml").read_text(encoding="utf-8"))
        for word in _words(words.get("urban")):
            self._place_kind.setdefault(word, "liling_urban")
        for word in _words(words.get("rural")):
            self._place_kind.setdefault(word, "liling_rural")
        self._places = _alternation(self._place_kind)

    def _load_liling(self, data: dict[str, Any]) -> None:
        """Liling's townships and their units (``liling.yml``, sourced; see its comments).

        A 街道 (``policy_scope: whole``) is urban as a whole, villages included: 二 makes
        "街道办事处…所辖范围" the 城镇地区. In a 镇 only the 社区 are urban; a 镇's name alone
        decides nothing. Short names shared by two places (长庆: a 街道 and a village) or
        shorter than three characters are not used for units; 居委会 is also said 社区.
        """
        kinds = {"community": "liling_urban", "village": "liling_rural"}
        towns = {"street": "liling_urban", "zone": "liling_urban"}
        names: dict[str, str] = {}
        shorts: dict[str, set[str]] = {}
        for township in data.get("townships") or []:
            kind = towns.get(str(township.get("kind")), "town")
            for name in [township.get("name"), *(township.get("short") or [])]:
                if name and len(str(name)) >= 2:
                    names.setdefault(str(name), kind)
            for former in township.get("former") or []:
                name = former.get("name") if isinstance(former, dict) else former
                if name and len(str(name)) >= 3:
                    names.setdefault(str(name), kind)
            whole = township.get("policy_scope") == "whole"
            for unit in township.get("units") or []:
                unit_kind = "liling_urban" if whole else kinds.get(str(unit.get("kind")), "liling")
                name = str(unit.get("name") or "")
                for full in {name, name.replace("居委会", "社区")}:
                    if len(full) >= 3:
                        names.setdefault(full, unit_kind)
                for short in unit.get("short") or []:
                    shorts.setdefault(str(short), set()).add(unit_kind)
        for short, unit_kinds in shorts.items():
            if len(short) >= 3 and len(unit_kinds) == 1 and short not in names:
                names[short] = next(iter(unit_kinds))
        for name, kind in names.items():
            self._place_kind.setdefault(name, kind)

    # -- reading the text ---------------------------------------------------------------

    def names_a_birth(self, text: str) -> bool | None:
        """Whether ``text`` may be about a newborn's registration.

        ``True``: a birth is named (刚生了, 满月), or a child with no age. ``False``: the only
        child named has an age of a year or more (孙子6岁…迁到我们户口本上: a move, or 四(一)'s
        late registration, not a birth's). ``None``: no child and no birth (买房了能上户口不:
        the speaker's own move).
        """
        if BIRTH.search(text) is not None:
            return True
        children = [p for p in self.people(text) if p.role in CHILD_ROLES]
        if not children:
            return None
        # The age said right after the child (孙子6岁, 外孙今年8岁), not the speaker's (我28岁).
        return not any(AGED.search(text, p.end, p.end + 6) for p in children)

    def people(self, text: str) -> list[Person]:
        """The people named in ``text``, pronouns resolved, in text order."""
        blocked = [(m.start(), m.end()) for m in self._not_persons.finditer(text)]
        found: list[Person] = []
        thirds: list[tuple[Person, str | None]] = []  # third persons named, with gender
        sons_pronouns: set[int] = set()  # pronouns that refer to the speaker's son or daughter
        caller: str | None = None  # the caller's gender, once a pronoun has shown it
        hotline = False
        for match in self._people.finditer(text):
            if any(s <= match.start() < e for s, e in blocked):
                continue
            word = match.group()
            if word in self._pronouns:
                gender = PRONOUN_GENDER.get(word)
                if hotline and thirds and thirds[-1][0].role == "self" and caller is None:
                    caller = gender  # 来电人说她…: the caller is a woman
                if hotline and (caller is None or gender is None or gender == caller):
                    # A hotline note is about the caller: 她 is the caller unless the
                    # gender says otherwise (…她老公…，他在城里上班: 他 is the husband).
                    found.append(Person(match.start(), match.end(), "self", True))
                    continue
                fits = [p for p, g in thirds if g is None or gender is None or g == gender]
                # No one it can refer to: someone the message has not named, not the speaker.
                role = fits[-1].role if fits else "other"
                if fits and text[fits[-1].start : fits[-1].end] in SONS_AND_DAUGHTERS:
                    sons_pronouns.add(match.start())
                found.append(Person(match.start(), match.end(), role, True))
                continue
            role, third = self._role_of[word]
            person = Person(match.start(), match.end(), role, third)
            owned_by_child = (
                bool(found)
                and found[-1].end == match.start()
                and found[-1].start in sons_pronouns
                and word in CHILDS_PARENT
            )
            couple = (
                word in CO_SPEAKERS
                and bool(thirds)  # (their child named before: 他 is the child, not 老伴)
                and bool(found)
                and found[-1].role == "self"
                and JOINED.fullmatch(text[found[-1].end : match.start()]) is not None
            )
            if third and not owned_by_child and not couple:
                # (我儿子…我和他爸…他想迁回村里: 他爸 names the son's father by the son, who stays
                # the one a later 他 refers to. 我跟老伴…想投靠他: the couple speak as one, and
                # 他 is the child they would join.)
                hotline = hotline or role == "self"
                thirds.append((person, self._gender.get(word)))
            found.append(person)
        # Someone else's relative is someone else (我同事的老公, 我女儿的老公); 老婆孩子 (no 的)
        # names two people.
        for index in range(1, len(found)):
            owner, person = found[index - 1], found[index]
            if (
                owner.role != "self"
                and person.role != "self"
                and text[owner.end : person.start] in ("的", "家的")
            ):
                found[index] = Person(person.start, person.end, "other", True)
        # 他爸 said of the speaker's child (我儿子…我跟他爸) is the child's other parent: the
        # speaker's spouse.
        for index in range(len(found) - 1, 0, -1):
            owner, person = found[index - 1], found[index]
            if (
                owner.start in sons_pronouns
                and person.start == owner.end
                and text[person.start : person.end] in CHILDS_PARENT
            ):
                found[index - 1 : index + 1] = [Person(owner.start, person.end, "spouse", True)]
        # 我 right before a relative (我老公, 我的女儿) is a possessive, not a person.
        return [
            p
            for p, following in zip(found, [*found[1:], None][: len(found)], strict=True)
            if not (
                p.role == "self"
                and not p.third_person
                and following is not None
                and following.role != "self"
                and following.start in (p.end, p.end + 1)
                and text[p.end : following.start] in ("", "的", "家", "们")
            )
        ]

    def places(self, text: str) -> list[PlaceMention]:
        """The places named in ``text``, in text order."""
        found: list[PlaceMention] = []
        for match in self._places.finditer(text):
            area = self._place_kind[match.group()]
            if area == "outside_liling" and any(
                text.startswith(after, match.end()) for after in self._liling_after
            ):
                continue  # 株洲醴陵: Liling, named with its prefecture
            found.append(PlaceMention(match.start(), match.end(), match.group(), area))  # type: ignore[arg-type]
        for match in RURAL_SUFFIX.finditer(text):
            start = match.start()
            # The name is not the verb before it (丈夫是同镇某村户口: 同镇某村, not 是同镇某村).
            while start < match.end() - 2 and text[start] in VILLAGE_LEAD:
                start += 1
            # A village named after a known place (孙家湾镇某村): the name begins after it.
            for place in found:
                if place.start <= start < place.end < match.end() - 1:
                    start = place.end
            if not any(p.start <= start < p.end for p in found):
                found.append(
                    PlaceMention(start, match.end(), text[start : match.end()], "liling_rural")
                )
        found.sort(key=lambda p: p.start)
        return found

    @staticmethod
    def clause_bounds(text: str, at: int) -> tuple[int, int]:
        """The clause around offset ``at``: from the last break before it to the next one."""
        breaks = CLAUSE_BREAKS if PUNCTUATION.search(text) else RUN_ON_BREAKS
        start = 0
        # Up to ``at`` inclusive: a run-on break is a lookahead at the 我 that starts a clause,
        # which a search ending at ``at`` cannot see (…村里面我户口在江西: that 我's clause).
        for match in breaks.finditer(text, 0, at + 1):
            if match.end() <= at:
                start = match.end()
        # From the next character: a clause may begin with the break that starts it (我…).
        following = breaks.search(text, at + 1)
        return start, following.start() if following else len(text)

    def applicant(
        self, text: str, people: Sequence[Person], moves: Sequence[tuple[int, int]]
    ) -> Role:
        """Who the message is about: the speaker, or the person a move is asked for.

        ``moves`` are the spans of the goal rules' matches for a move (落户, 迁回 …) and of moves
        to the speaker (:data:`TO_SPEAKER`). "帮我女儿问" names the applicant outright; otherwise
        the subject of the first move is: the person after 把 when one is named there, never one
        brought along (带着儿子), and for a move to the speaker the person the sentence is about.
        """
        proxy = PROXY.search(text)
        if proxy is not None:
            named = [p for p in people if proxy.start() <= p.start < proxy.end()]
            if named and named[-1].role in RELATIVE_APPLICANTS:
                return named[-1].role
        about = NOTE_ABOUT.search(text)
        if about is not None and ON_BEHALF.search(text) is not None:
            named = [p for p in people if p.start == about.end()]
            if named and named[0].role in RELATIVE_APPLICANTS:
                return named[0].role
        entrust = ENTRUST.search(text)
        if entrust is not None:
            role = self.subject(text, entrust.start(), entrust.end(), people)
            if role in RELATIVE_APPLICANTS:
                return role

        # The wanted move decides; one that happened (当初迁过去的) only when none is wanted.
        def wanted(span: tuple[int, int]) -> bool:
            c_start, _ = self.clause_bounds(text, span[0])
            return (
                WISH.search(text, c_start, span[1]) is not None
                or ASKED_HOW.search(text, c_start, span[1]) is not None
            )

        # Of two wanted, the one asked about (听说她能迁回村里…我能不能跟着她一起迁？).
        def asked(span: tuple[int, int]) -> bool:
            _, c_end = self.clause_bounds(text, span[0])
            return ASKED_MOVE.search(text, span[0], c_end + 1) is not None

        for start, end in sorted(moves, key=lambda span: (not wanted(span), not asked(span), span)):
            # The mover is the subject of the verb (老公户口在城里，我想迁过去: 我), named in the
            # verb's own clause; a person named earlier is often the one joined (我想投靠爸妈，
            # 把户口迁回村里), so nothing carries over from another clause.
            verbs = [m.start() for m in MOVE_VERB.finditer(text, start, end)]
            at = verbs[-1] if verbs else start
            c_start, _ = self.clause_bounds(text, at)
            movers = [
                p
                for p in people
                if c_start <= p.start
                and p.end <= at
                and COMPANION.search(text, c_start, p.start) is None
                and JOINED_ONE.search(text, c_start, p.start) is None
            ]
            moved = [
                p
                for p in movers
                if MOVED_OBJECT.search(text, c_start, p.start)
                or HUKOU_OF.match(text, p.end) is not None
            ]
            if moved:
                # 把我本人和老婆孩子的户口迁过来, 把我老婆、儿子还有我老娘的户口一起迁: a family
                # moves with the speaker, whose route it is; one person moved is the applicant.
                family = [p for p in movers if p.start >= moved[0].start]
                # 本人及父母户口迁入, 我和老婆孩子的户口: those joined to the one moved move too.
                group = [moved[0]]
                for person in reversed([p for p in movers if p.end <= moved[0].start]):
                    gap = text[person.end : group[-1].start]
                    if gap and JOINED.fullmatch(gap) is None:
                        break  # (老婆孩子, side by side, is two people too)
                    group.append(person)
                # (a move to the speaker is someone else's, however many are moved)
                together = TO_SPEAKER.match(text, start) is None and (
                    len(family) > 1 or len(group) > 1 or "一起" in text[moved[0].end : at]
                )
                role = "self" if together or moved[0].role == "self" else moved[0].role
                return role if role in RELATIVE_APPLICANTS else "self"
            if TO_SPEAKER.match(text, start) is not None and not movers:
                # 我老婆是外县的，想迁到我户口上: no one can move to themself, so the mover is
                # the one the sentence is about (the last other person named before it).
                s_start = 0
                for match in SENTENCE_BREAKS.finditer(text, 0, start):
                    s_start = match.end()
                topic = [p for p in people if s_start <= p.start < start and p.role != "self"]
                if topic and topic[-1].role in RELATIVE_APPLICANTS:
                    return topic[-1].role
            helped = [
                p for p in movers if p.role != "self" and text[p.start - 1 : p.start] in HELPED
            ]
            if helped and helped[-1].role in RELATIVE_APPLICANTS:
                return helped[-1].role
            if not movers or any(p.role == "self" for p in movers):
                return "self"
            role = movers[-1].role
            return role if role in RELATIVE_APPLICANTS else "self"
        return "self"

    def done(self, text: str, start: int) -> bool:
        """Whether the move matched at ``start`` has happened (去年已经落到城里了), unwished.

        Said as 是…的 (我是去年从村里迁到城里落户的) it has happened too; asked about (怎么, 吗) or
        wished for, it has not.
        """
        c_start, c_end = self.clause_bounds(text, start)
        # (户口已经落回…村: the match may begin with 户口, the word that says it is done inside)
        before = DONE.search(text, c_start, start) is not None or (
            DONE_INSIDE.match(text, start) is not None
        )
        # 我是去年从村里迁到城里落户的: 是 … 的 around the move.
        focus = (
            "是" in text[c_start:start] and FOCUS_PAST.search(text, start, c_end + 1) is not None
        )
        asked = NOT_DONE.search(text, c_start, c_end) is not None
        return (before or focus) and not asked and not WISH.search(text, c_start, start + 2)

    def named_in_clause(self, text: str, start: int, people: Sequence[Person]) -> bool:
        """Whether a person is named in the clause of ``start``, before it (the move's subject)."""
        c_start, _ = self.clause_bounds(text, start)
        return any(c_start <= p.start and p.end <= start + 1 for p in people)

    @staticmethod
    def wanted_moves(text: str) -> list[tuple[int, int]]:
        """Moves wanted with no place named (他现在想回去落户): whose they are still decides."""
        return [match.span() for match in WANTED_MOVE.finditer(text)]

    @staticmethod
    def moves_to_speaker(text: str) -> list[tuple[int, int, Area | None]]:
        """Moves to the speaker's hukou (迁到我这里, 落到我城里户口上): span, area if said."""
        areas: dict[str, Area] = {
            "城里": "liling_urban",
            "村里": "liling_rural",
            "乡下": "liling_rural",
        }
        return [
            (m.start(), m.end(), areas.get(m.group("area") or ""))
            for m in TO_SPEAKER.finditer(text)
        ]

    @staticmethod
    def speaker_as(applicant: Role) -> Role | None:
        """Who the speaker is to a relative applicant (their parent, child or spouse)."""
        return _INVERSE.get(applicant)

    def subject(
        self, text: str, start: int, end: int, people: Sequence[Person], joint: bool = True
    ) -> Role:
        """Who the words at ``text[start:end]`` are said of (see the module docstring).

        ``joint``: words said of the speaker and someone joined to them (我和老公买了房) are the
        speaker's. Not for where a hukou is (我和儿子…户口都在村里 says the son's too), which
        goes to the one named last.
        """
        c_start, c_end = self.clause_bounds(text, start)
        # A match that begins with the speaker (我户口在江西) is said of the speaker: 我 right
        # before a relative is no person (people() drops it as a possessive).
        if any(p.start == start and p.role == "self" and not p.third_person for p in people):
            return "self"
        # A person inside the match is part of what it states (我老公 → married), not its
        # subject; the subject is named before it, or after it in the same clause.
        before = [p for p in people if c_start <= p.start and p.end <= start]
        if before:
            # 我和老公在城里买了房, 我和老婆都交了社保: said of both, so of the applicant too.
            if joint and any(role == "self" for role in self.subjects(text, start, end, people)):
                return "self"
            return before[-1].role
        # After it, only as an owner: 房产证上写的是她的名字, 房子是我女儿的 (not 我们村里).
        after = [
            p
            for p in people
            if end <= p.start and p.end <= c_end and OWNER_AFTER.match(text, p.end) is not None
        ]
        if after:
            return after[0].role
        earlier = self._earlier(text, start, c_start, people)
        if not earlier:
            return "self"
        # The topic that runs on may be two people (我和老婆都在厂里上班，都交了社保).
        if joint and any(p.role == "self" for p in self._joined(text, earlier)):
            return "self"
        return earlier[-1].role

    @staticmethod
    def _earlier(text: str, start: int, c_start: int, people: Sequence[Person]) -> list[Person]:
        """The people named earlier in the sentence of ``start`` who may be its running topic."""
        # A topic runs on across commas within the sentence: 我女儿买了房，房产证上…
        s_start = 0
        for match in SENTENCE_BREAKS.finditer(text, 0, start):
            s_start = match.end()
        # Not a person named after 跟 / 和 / 到 …: the object of the clause before, not its
        # topic (我跟他住了两年了，户口还在乡下 is the speaker's hukou).
        earlier = [
            p
            for p in people
            if s_start <= p.start
            and p.end <= c_start
            and not (
                p.start > 0
                and text[p.start - 1] in OBJECT_MARKS
                and text[max(0, p.start - 2) : p.start] not in NOT_MARKS
            )
        ]
        return earlier

    @staticmethod
    def _joined(text: str, earlier: Sequence[Person]) -> list[Person]:
        """The last person of ``earlier`` with those joined to them by 和/跟/与 (我跟他爸)."""
        joined = [earlier[-1]]
        for person in reversed(earlier[:-1]):
            if JOINED.fullmatch(text[person.end : joined[-1].start]) is None:
                break
            joined.append(person)
        return joined[::-1]

    def subjects(self, text: str, start: int, end: int, people: Sequence[Person]) -> list[Role]:
        """Like :meth:`subject`, with the people joined to it by 和/跟/与 (我和爱人户口都在…)."""
        c_start, _ = self.clause_bounds(text, start)
        before = [p for p in people if c_start <= p.start and p.end <= start]
        if not before:
            role = self.subject(text, start, end, people, joint=False)
            earlier = self._earlier(text, start, c_start, people)
            if earlier and earlier[-1].role == role:
                # A topic of two that runs on (我跟他爸在乡下种田，户口在…村里): both.
                return [p.role for p in self._joined(text, earlier)]
            return [role]
        return [p.role for p in self._joined(text, before)]

    def area_in(self, places: Sequence[PlaceMention], start: int, end: int) -> Area | None:
        """The area the places within ``[start, end)`` say, if they say one.

        Outside Liling wins over town or country words (衡阳乡下 is outside); a village or
        country word wins over a town's name (浦口镇的村里 is rural); a town's name alone
        says nothing (its centre is 社区, its villages are not).
        """
        kinds = [p.area for p in places if start <= p.start and p.end <= end]
        if "outside_liling" in kinds:
            return "outside_liling"
        if "liling_rural" in kinds and "liling_urban" in kinds:
            return None  # 城里还是村里: not said
        if "liling_rural" in kinds:
            return "liling_rural"
        if "liling_urban" in kinds:
            return "liling_urban"
        return None

    def hukou_statements(
        self,
        text: str,
        people: Sequence[Person],
        places: Sequence[PlaceMention],
        applicant: Role = "self",
    ) -> list[tuple[str, str | bool, int, int]]:
        """``户口在…`` statements: (fact, value, start, end) for each whose place is decided."""
        found: list[tuple[str, str | bool, int, int]] = []
        for match in IS_FROM.finditer(text):
            area = self.area_in(places, match.start("where"), match.end("where"))
            # 我(也)是…的, not 我老家是…的 (an origin) nor 我以前是…的.
            said_of = [
                p
                for p in people
                if p.end <= match.start()
                and text[p.end : match.start()] in ("", "也", "就", "都", "还")
            ]
            if area is None or not said_of:
                continue
            fact = AREA_FACTS.get(relative_to(said_of[-1].role, applicant))
            if fact is not None:
                found.append((fact, area, match.start(), match.end()))
        for match in IS_HUKOU.finditer(text):
            # 她是外县农村户口: said of the person before 是, the place between 是 and 户口.
            area = self.area_in(places, match.start("where"), match.end())
            c_start, _ = self.clause_bounds(text, match.start())
            if area is None or HYPOTHETICAL.search(text, c_start, match.end()):
                continue
            if PAST.search(text, max(0, match.start() - 5), match.start()) or WHEN_BEFORE.search(
                text, max(0, match.start() - 4), match.start()
            ):
                continue  # 原来是农村户口, 结婚时是…: where it was (the origin rules read that)
            _, c_end = self.clause_bounds(text, match.start())
            if HYPOTHETICAL.search(text, match.end(), c_end) or GENERAL.search(
                text, c_start, match.start()
            ):
                continue  # 凡是农村户口都能…吗, 是农村户口的人: about anyone, not this person
            for each in dict.fromkeys(
                relative_to(r, applicant)
                for r in self.subjects(text, match.start(), match.end(), people)
            ):
                fact = AREA_FACTS.get(each)
                if fact is not None:
                    found.append((fact, area, match.start(), match.end()))
        done_moves = [
            m
            for m in DONE_MOVE.finditer(text)
            if not WISH.search(text, self.clause_bounds(text, m.start())[0], m.end())
        ]
        for match in [*HUKOU_AT.finditer(text), *done_moves]:
            _, c_end = self.clause_bounds(text, match.end())
            window_end = min(c_end, match.end() + 16)
            area = self.area_in(places, match.end(), window_end)
            if area is None:
                continue
            c_start, _ = self.clause_bounds(text, match.start())
            if HYPOTHETICAL.search(text, c_start, window_end):
                continue  # 户口在农村的人能不能… asks about others, states nothing
            roles = [
                relative_to(r, applicant)
                for r in self.subjects(text, match.start(), match.end(), people)
            ]
            role = roles[-1]
            past = PAST.search(text, max(0, match.start() - 5), match.start()) is not None or any(
                word in match.group() for word in ("原来", "本来")
            )
            if past:
                # Where the hukou was: a Liling village is the applicant's rural origin.
                if role == "self":
                    found.append(
                        ("origin_rural", area == "liling_rural", match.start(), window_end)
                    )
                continue
            for each in dict.fromkeys(roles):  # 我和爱人户口都在…: both
                fact = AREA_FACTS.get(each)
                if fact is not None:
                    found.append((fact, area, match.start(), window_end))
        return found

    def other_city(self, text: str) -> str | None:
        """The place outside Liling a message asks to settle in, if it asks that.

        "能不能落长沙户口", "成都落户有什么要求", "长沙的居住证", "把户口落到韶关来": the place is
        the *target*. "户口在湘潭，想迁到醴陵" names an outside place as where the hukou is now,
        and a message that also names Liling as the target is about Liling.
        """
        for place in self.places(text):
            if place.area != "outside_liling" or place.text in GENERIC_ELSEWHERE:
                continue
            before = text[max(0, place.start - 4) : place.start]
            after = text[place.end : place.end + 18]
            targeted = TARGET_BEFORE.search(before) or TARGET_AFTER.match(after)
            if SOURCE_BEFORE.search(before):
                continue
            if targeted and not LILING_TARGET.search(text):
                return place.text
        return None

    # -- deciding ---------------------------------------------------------------------

    def keep(
        self,
        fact: str,
        text: str,
        start: int,
        end: int,
        people: Sequence[Person],
        places: Sequence[PlaceMention],
        applicant: Role = "self",
        where_counts: bool = True,
    ) -> tuple[bool, str | None]:
        """Whether a match of ``fact`` at ``[start, end)`` is the applicant's.

        ``where_counts=False`` reads the facts as if they were about Liling (for a question
        about another city, answered with Liling's rule for the same situation).

        Returns:
            (keep, becomes): ``becomes`` is the fact it states instead (a relative's hukou).
        """
        joint = fact != "current_hukou_area"
        role = relative_to(self.subject(text, start, end, people, joint), applicant)
        c_start, c_end = self.clause_bounds(text, start)
        inside = [p for p in people if start <= p.start and p.end <= end]
        if fact == "marital_status" and inside and inside[0].role == "spouse":
            # 老婆 says its owner is married, and so is she: 我老婆 → the speaker and his wife
            # (把老婆户口迁过来), 儿子的老婆 → the son, 同事的老婆 → no one here.
            owners = [p for p in people if c_start <= p.start and p.end <= start]
            adjacent = bool(owners) and start - owners[-1].end <= 1
            owner = owners[-1].role if adjacent else "self"
            return relative_to(owner, applicant) in ("self", "spouse"), None
        if fact in LIKE_APPLICANT:
            # 孩子8岁: the person in the words is whose age it is.
            if inside:
                role = relative_to(inside[0].role, applicant)
            return role in LIKE_APPLICANT[fact], None
        if fact in RELATIVE_AREA_FACTS and applicant != "self" and inside:
            # 把老婆户口迁过来…老婆是外县的: the wife is the applicant, so her hukou is the
            # applicant's own, and the speaker's the applicant's relative's.
            # 她老公 with 她 the applicant (帮我女儿问…她老公户口在村里): her husband, not the
            # speaker's; any other relative word is said from the speaker's side.
            owned = text[inside[0].start - 1 : inside[0].start] in ("他", "她")
            seen = inside[0].role if owned else relative_to(inside[0].role, applicant)
            if seen == "self":
                return False, "current_hukou_area"
            return False, AREA_FACTS.get(seen)
        if (
            fact in RELATIVE_AREA_FACTS
            and inside
            and text[inside[0].start] in "他她"
            and inside[0].end - inside[0].start > 1
            and text[inside[0].start : inside[0].end] not in self._pronouns
        ):
            # The rule's relative word may name someone else here (他爸 of the speaker's son is
            # her husband): the person named decides whose hukou it is.
            seen_as = AREA_FACTS.get(relative_to(inside[0].role, applicant))
            if seen_as is not None and seen_as != fact:
                return False, seen_as
        if fact not in APPLICANT_FACTS:
            # A relative's fact (老公户口在城区) is not this applicant's relative's when the
            # relative is someone else's (我同事的老公).
            return not any(p.role == "other" for p in inside), None
        if fact == "marital_status" and role == "spouse":
            # 他户口在城区，现在离了: a spouse's marriage is the applicant's own.
            return True, None
        if role != "self":
            if fact == "current_hukou_area" and role in AREA_FACTS:
                return False, AREA_FACTS[role]
            return False, None
        area = self.area_in(places, c_start, c_end) if where_counts else None
        if fact in IN_LILING_FACTS and area == "outside_liling":
            # The place nearest the words decides (株洲市人社局批准调入醴陵: 醴陵).
            near = min(
                (p for p in places if c_start <= p.start and p.end <= c_end),
                key=lambda p: p.start - end if p.start >= end else start - p.end,
            )
            if near.area == "outside_liling":
                return False, None
        if fact in URBAN_HOUSING_FACTS and area in ("outside_liling", "liling_rural"):
            return False, None
        return True, None

    def area_value(
        self, fact: str, value: Any, text: str, start: int, places: Sequence[PlaceMention]
    ) -> Any:
        """An area fact's value corrected by an outside place in its clause (江西农村 → outside)."""
        c_start, c_end = self.clause_bounds(text, start)
        area = self.area_in(places, c_start, c_end)
        if area != "outside_liling":
            return value
        if fact in ("current_hukou_area", "spouse_hukou_area", "relative_hukou_area"):
            return "outside_liling"
        if fact == "origin_rural" and value is True:
            return False  # 老家是江西农村的: a rural origin, but not in Liling
        return value
