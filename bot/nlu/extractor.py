"""Rule-based extraction of policy facts from Chinese text, with negation.

Built on spaCy (a blank ``zh`` pipeline whose tokenizer is jieba with the project's user
dictionary); the rules are data in ``data/facts/patterns.yml``. For each rule match the
extractor looks at the tokens of the same clause around it:

* a negation cue (没, 没有, 未, 不是, 无 …) before it, or a post cue (社保**没交**) after it, makes
  the statement negative: a boolean fact becomes ``False``; an enum fact takes the rule's
  ``when_negated`` value or is dropped;
* a question form (有没有, 是不是, 需要 …) means the fact is asked about, not stated: dropped,
  so the fact stays unknown.

No Rasa import: the Rasa component in :mod:`bot.rasa_ext.components` wraps this class, and the
CLI and the staff lookup use it directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import spacy
import yaml
from spacy.tokens import Doc, Span

from bot.nlu.attribution import (
    AREA_GOAL,
    DONE_MOVE,
    HUKOU_AT,
    RELATIVE_APPLICANTS,
    Attribution,
    Person,
    Role,
)
from bot.nlu.normalize import normalize
from bot.nlu.segmentation import load_user_dictionary
from bot.paths import DATA_DIR
from bot.policy.facts import FACTS, MOVE_GOALS, FactValue

DEFAULT_PATTERNS = DATA_DIR / "facts" / "patterns.yml"


WISHES = frozenset({"goal", "join_relative"})
"""Facts that say what is wanted, not what is: a rule named (按投靠子女的政策) still wants it."""

NEGATION_CHARS = frozenset("没不未无非")
"""A token glued to a match that ends in one of these negates it (没开|公司)."""


class PatternError(ValueError):
    """The rules file is invalid (unknown fact or value, bad regex, wrong shape)."""


@dataclass(frozen=True)
class Rule:
    """One way of stating one fact value."""

    fact: str
    value: FactValue
    pattern: re.Pattern[str]
    when_negated: FactValue | None
    negatable: bool
    inner_negation: bool
    others_hukou: bool = False
    prevails: bool = False
    hint: bool = False


@dataclass(frozen=True)
class FactMention:
    """A fact stated in the text.

    Attributes:
        fact: The fact's name (see :mod:`bot.policy.facts`).
        value: The value stated, after negation.
        start: Character offset of the match in the normalised text.
        end: End offset of the match in the normalised text.
        text: The matched text.
        negated: Whether a negation turned the rule's value into ``value``.
        prevails: Stated by a rule marked ``prevails`` (its value wins over the fact's other
            statements in the message unless a correction comes between).
    """

    fact: str
    value: FactValue
    start: int
    end: int
    text: str
    negated: bool
    prevails: bool = False


def _parse_value(fact: str, raw: Any, where: str) -> FactValue:
    spec = FACTS.get(fact)
    if spec is None:
        raise PatternError(f"{where}: unknown fact '{fact}'")
    value: FactValue = raw if isinstance(raw, bool) else str(raw)
    if not spec.accepts(value):
        raise PatternError(f"{where}: fact '{fact}' has no value {raw!r}")
    return value


def load_patterns(path: Path = DEFAULT_PATTERNS) -> tuple[dict[str, Any], list[Rule]]:
    """Load and validate the rules file; return (negation settings, rules).

    Raises:
        PatternError: A rule names an unknown fact or value, or a regex does not compile.
    """
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules: list[Rule] = []
    for index, raw in enumerate(data.get("rules", [])):
        where = f"{path.name}: rule {index + 1} ({raw.get('fact')}={raw.get('value')})"
        fact = str(raw.get("fact"))
        value = _parse_value(fact, raw.get("value"), where)
        negated_raw = raw.get("when_negated", False if FACTS[fact].is_bool else "ignore")
        when_negated = None if negated_raw == "ignore" else _parse_value(fact, negated_raw, where)
        negatable = bool(raw.get("negatable", True))
        inner = bool(raw.get("inner_negation", False))
        others = bool(raw.get("others_hukou", False))
        prevails = bool(raw.get("prevails", False))
        hint = bool(raw.get("hint", False))
        phrases = [str(p) for p in raw.get("phrases") or []]
        if phrases:
            # Longest first, so 租房子 wins over 租房 at the same place.
            alternatives = "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))
            rules.append(
                Rule(
                    fact,
                    value,
                    re.compile(alternatives),
                    when_negated,
                    negatable,
                    inner_negation=False,
                    prevails=prevails,
                    hint=hint,
                )
            )
        for pattern in raw.get("regex") or []:
            try:
                compiled = re.compile(str(pattern))
            except re.error as exc:
                raise PatternError(f"{where}: bad regex {pattern!r}: {exc}") from exc
            rules.append(
                Rule(fact, value, compiled, when_negated, negatable, inner, others, prevails, hint)
            )
        if not phrases and not raw.get("regex"):
            raise PatternError(f"{where}: no phrases or regex")
    settings = {
        "cues": set(data["negation"]["cues"]),
        "post_cues": set(data["negation"]["post_cues"]),
        "question_cues": set(data["negation"]["question_cues"]),
        "future_cues": set(data["negation"].get("future_cues", [])),
        "rule_cues": set(data["negation"].get("rule_cues", [])),
        "window": int(data["negation"].get("window", 4)),
        "post_window": int(data["negation"].get("post_window", 2)),
        "breaks": set(data.get("clause_breaks", [])),
        "particles": set(data["negation"].get("particles", [])),
        "clause_starts": set(data["negation"].get("clause_starts", [])),
    }
    return settings, rules


NOT_WANTED = re.compile(r"不想|不要|不打算|不用|不准备")
"""不想落户: a move refused, not asked."""

WANTED_AGAIN = re.compile(r"想|要|打算|准备|干脆|能不能|可以|能否|吧|吗|[?？]")
"""A move after a correction that is wanted or asked about, not one told as done."""

SETTLE_WORDS = re.compile(
    r"落户|落个户|迁户口|入户|把户口|户口[^,.;!?。\s]{0,4}(迁|落|转)(?!走|出|掉)|落不(了|到|上)户"
)
"""A move named with no place (能不能凭工作落户, 户口能迁不): where to is left unsaid."""

CORRECTION = re.compile(
    r"不对|说错了|记错了|搞错了|弄错了|更正一下|说反了|搞反了|讲错了|讲错哒|说错咯|搞错哒|"
    # 算了 and 不是 only where a turn or a sentence begins (…。算了，他上个礼拜走了), not inside
    # one (我户口在村里，算了，直接说吧 takes nothing back).
    r"(?:^|[.!?。\s])算了(?=[,.;!?。\s])|"
    r"(?<![是就也])不是不是|(?:^|[.!?。\s])(?:哦|噢|啊|呃)?不是(?=[,.;!?。\s])"
)
"""Where the speaker takes back what they said (the rules' clause breaks include 不对)."""

PLACE_IN_GOAL = re.compile(r"城|街道|社区|长庆|村|乡|农村|原籍|老家|娘家|醴陵")
"""A move's words that say where to (落户城里, 迁回村里): then the move's place is stated."""

STATUS_CHECK = re.compile(r"办好了?没|办了没|好了没|进度|办到哪|审批下来没|批下来没")
"""An application already made (我买房落户的手续办好了没有): a status check, not a move wanted."""

URBAN_ROUTE_FACTS = (
    "employed_in_liling",
    "urban_social_insurance",
    "housing",
    "investor_or_founder",
    "fulltime_graduate",
    "professional_qualification",
    "transferred_or_recruited",
)
"""Facts only 三(一)'s routes to a town turn on: a move named beside them is to a town."""


def _implied_goal(chosen: dict[str, FactMention], text: str = "") -> FactMention | None:
    """The goal a stated move implies, when no goal is stated.

    "我想把户口迁到儿子那里去…儿子户口在国瓷街道": joining a relative whose hukou is in
    Liling's urban area is settling there (三(一)1); in its rural area, a move there (三(二)5).
    Otherwise: 刑满释放…把户口恢复 and 军人配偶投靠公婆 are moves to a village (三(二)4 and 6
    are nothing else); and "在城区餐馆打工两年…能不能凭工作落户", a move with no place beside
    facts that only the routes to a town turn on, is settling in a town.
    """
    stated = chosen.get("goal")
    if stated is not None and stated.value == "residence_permit":
        # 我想办个居住证…我在长庆示范区买了房子，是不是可以直接落户？: settling is asked after
        # the permit, with a town route stated.
        later = [
            m
            for m in SETTLE_WORDS.finditer(text, stated.end)
            if WANTED_AGAIN.search(text, max(stated.end, m.start() - 6), m.end() + 4)
            and not NOT_WANTED.search(text, max(0, m.start() - 4), m.start())
        ]
        met = [f for f in URBAN_ROUTE_FACTS if chosen.get(f) and not chosen[f].negated]
        if later and met:
            move = later[-1]
            return FactMention("goal", "settle_urban", move.start(), move.end(), move[0], False)
        return None
    if stated is not None and (
        stated.value not in MOVE_GOALS or PLACE_IN_GOAL.search(stated.text) is not None
    ):
        return None
    joined = chosen.get("join_relative")
    status = chosen.get("marital_status")
    if (
        joined is not None
        and joined.value == "spouse"
        and status is not None
        and status.value in ("divorced", "widowed")
    ):
        joined = None  # 当年迁到老公家…现在离了: no spouse to join now
    if joined is not None and joined.value != "none":
        where = chosen.get(
            "spouse_hukou_area" if joined.value == "spouse" else "relative_hukou_area"
        )
        goal = AREA_GOAL.get(str(where.value) if where else "")
        if goal is not None:
            # 丈夫户口在嘉树镇某村…能否投靠丈夫落户: a move that names no place goes where the
            # one joined has their hukou, whatever the words' move is taken to be.
            return FactMention("goal", goal, joined.start, joined.end, joined.text, False)
    if stated is not None:
        # 把我老婆户口从江西迁过来…我户口在浦口镇三星村: a move with no place of its own goes
        # where the one relative in Liling is, when no town route of the applicant is stated.
        return _to_the_relative(chosen, stated.start, stated.end, stated.text)
    for fact in ("released_hukou_cancelled", "joining_soldiers_parents"):
        stated = chosen.get(fact)
        if stated is None or stated.value is not True:
            continue
        if fact == "joining_soldiers_parents" and not any(
            chosen.get(f) is not None and chosen[f].value is True
            for f in ("spouse_serving_soldier", "spouse_rural_hukou_cancelled_for_service")
        ):
            # 迁到公公婆婆的户口本上 with no soldier said: a move to where they are, if said.
            where = chosen.get("relative_hukou_area")
            goal = AREA_GOAL.get(str(where.value) if where else "")
            if goal is not None:
                return FactMention("goal", goal, stated.start, stated.end, stated.text, False)
            continue
        return FactMention("goal", "move_rural", stated.start, stated.end, stated.text, False)
    special = chosen.get("national_rule_case")
    if special is not None and special.value == "military_dependent":
        # 随军 is a move to the garrison's town (三(一)7 then points to national rules).
        return FactMention("goal", "settle_urban", special.start, special.end, special.text, False)
    permit = chosen.get("has_birth_permit")
    if permit is not None:
        # 准生证, had or not, is only asked about a newborn's registration (四(一)).
        return FactMention("goal", "newborn", permit.start, permit.end, permit.text, False)
    back = RETURN_WORDS.search(text)
    origin = chosen.get("origin_rural")
    if back is not None and origin is not None and STATUS_CHECK.search(text) is None:
        # 当兵回来了…原来户口是村上的…现在要落回来: back to where the hukou came from.
        goal = "move_rural" if origin.value is True else "settle_urban"
        return FactMention("goal", goal, back.start(), back.end(), back[0], False)
    to_other = MOVE_TO_OTHER.search(text)
    if joined is None and to_other is not None and STATUS_CHECK.search(text) is None:
        # 孩子他爸户口在白兔潭镇的村里，我们想都迁到他那里: a move to the one relative whose
        # hukou is in Liling goes where that hukou is.
        targets = {
            AREA_GOAL[str(where.value)]
            for fact in ("spouse_hukou_area", "relative_hukou_area")
            if (where := chosen.get(fact)) is not None
            and where.value in ("liling_urban", "liling_rural")
        }
        if len(targets) == 1:
            goal = targets.pop()
            return FactMention("goal", goal, to_other.start(), to_other.end(), to_other[0], False)
    settle = SETTLE_WORDS.search(text)
    met = [fact for fact in URBAN_ROUTE_FACTS if chosen.get(fact) and not chosen[fact].negated]
    if joined is None and settle and not met and STATUS_CHECK.search(text) is None:
        # 我想落户，我老公户口在仙岳山街道: a move with no place, beside a spouse or parent whose
        # hukou is in Liling (and not where the applicant's is), is a move to them — unless the
        # applicant's own town route is stated (在城区上班…爸妈户口在村里: settling in town).
        own = chosen.get("current_hukou_area")
        for fact in _relatives(chosen):
            where = chosen.get(fact)
            target = AREA_GOAL.get(str(where.value) if where else "")
            if where is not None and target and (own is None or own.value != where.value):
                return FactMention("goal", target, settle.start(), settle.end(), settle[0], False)
    if joined is None and settle and met and STATUS_CHECK.search(text) is None:
        return FactMention("goal", "settle_urban", settle.start(), settle.end(), settle[0], False)
    return None


def _relatives(chosen: dict[str, FactMention]) -> tuple[str, ...]:
    """The relatives' hukou facts a move may go to: no former spouse's (现在离了)."""
    status = chosen.get("marital_status")
    if status is not None and status.value in ("divorced", "widowed"):
        return ("relative_hukou_area",)
    return ("spouse_hukou_area", "relative_hukou_area")


def _to_the_relative(
    chosen: dict[str, FactMention], start: int, end: int, said: str
) -> FactMention | None:
    """A placeless move's goal from the one relative's hukou in Liling that differs from own."""
    if any(chosen.get(f) and not chosen[f].negated for f in URBAN_ROUTE_FACTS):
        return None
    own = chosen.get("current_hukou_area")
    targets = {
        AREA_GOAL[str(where.value)]
        for fact in _relatives(chosen)
        if (where := chosen.get(fact)) is not None
        and where.value in ("liling_urban", "liling_rural")
        and (own is None or own.value != where.value)
    }
    if len(targets) != 1:
        return None
    return FactMention("goal", targets.pop(), start, end, said, False)


def _contained(m: FactMention, found: list[FactMention]) -> bool:
    """Whether a longer match of the same fact holds ``m``."""
    return any(
        o is not m
        and o.fact == m.fact
        and o.start <= m.start
        and m.end <= o.end
        and (o.end - o.start) > (m.end - m.start)
        for o in found
    )


RETURN_WORDS = re.compile(r"(迁|落|转)回(来|去)|回(来|去)(落户|上户口)")
"""A move back with no place named (要落回来): to the origin, wherever that is."""

TO_OTHER = re.compile(r"(到|投靠|随|跟)(他|她)(们)?(那|家|户|的户|名下|身边)")
"""A move to a third person (迁到他那里): that person is the one joined, not the mover."""

MOVE_TO_OTHER = re.compile(
    r"(迁|落|转|上|挂)[^,.;!?\s。]{0,3}(到|去|进|在)(他|她)(们)?(那|家|户|的户|名下)"
)
"""A move of the hukou to a third person (都迁到他那里), not a visit (到他那里帮忙带孙子)."""

MOVER_FACTS = frozenset(
    {
        "veteran",
        "released_hukou_cancelled",
        "fulltime_graduate",
        "fresh_graduate",
        "dropout",
        "hukou_at_school",
        "moved_for_marriage",
    }
)
"""Facts of a person's history that are the reason their hukou moves (served, released …)."""

RULE_NAMED = re.compile(r"按照?|依照|适用")
"""Before a goal's words: a rule named to ask about (是按回生源地农村办吗), not a target."""

RURAL_WORDS = re.compile(r"农村|乡下|乡里|村")
"""A move that names the countryside as its target (迁回村里), not only a return (迁回原籍)."""


def _return_to_town(chosen: dict[str, FactMention], text: str) -> dict[str, FactMention]:
    """A return to an origin said not to be rural is a move to a town, not to the countryside.

    "生源地是泗汾社区，不是村里，想把户口迁回泗汾", "当兵前户口在城里…按回原籍办吗": 迁回 and
    回原籍 read as a move to a village only while the origin may be one; 三(二)'s routes back
    to the countryside need a rural origin, and settling in a town is 三(一)'s.
    """
    goal, origin = chosen.get("goal"), chosen.get("origin_rural")
    if goal is None or goal.value != "move_rural" or origin is None or origin.value is not False:
        return chosen
    # 是按回生源地农村办吗 names a rule to ask whether it applies, not where to move.
    named_rule = RULE_NAMED.search(text, max(0, goal.start - 6), goal.start) is not None
    if RURAL_WORDS.search(goal.text) and not named_rule:
        return chosen
    return {**chosen, "goal": replace(goal, value="settle_urban")}


class FactExtractor:
    """Extract :class:`FactMention` objects from citizens' messages."""

    def __init__(self, rules_path: Path = DEFAULT_PATTERNS) -> None:
        """Load the rules and build the spaCy pipeline (blank ``zh`` + jieba)."""
        load_user_dictionary()
        self.settings, self.rules = load_patterns(rules_path)
        self.attribution = Attribution()
        self.nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})

    def mentions(self, text: str, where_counts: bool = True) -> list[FactMention]:
        """Return every fact statement in ``text`` (normalised first), in text order.

        ``where_counts=False`` keeps facts stated of a place outside Liling (see
        :meth:`as_if_in_liling`).
        """
        return self._scan(text, where_counts)[0]

    def read(self, text: str) -> tuple[dict[str, FactMention], frozenset[str]]:
        """The winning statement of each fact (:meth:`chosen`), and the facts only asked about.

        "坐过牢的人户口还能迁回农村吗" states no prison term but asks about one: the engine
        ranks the clauses that turn on an asked fact among the likely ones. One pass.
        """
        chosen, asked, _ = self.understand(text)
        return chosen, asked

    def understand(self, text: str) -> tuple[dict[str, FactMention], frozenset[str], Role]:
        """:meth:`read`, and whom the facts are about.

        The applicant is the speaker (``self``) or the relative the words ask for
        (来电人称其侄子…代为咨询: ``other``; 帮我女儿问: ``child``). One pass.
        """
        found, asked, applicant = self._scan(text)
        normalized = normalize(text)
        for fix in CORRECTION.finditer(normalized):
            # 交了社保…不对，下个月才开始买社保: said again after a correction, even only as a
            # plan or a question, the fact is no longer what was said before it.
            again = {fact for fact, at in asked.items() if any(a > fix.start() for a in at)}
            # A fact the correction speaks of at all, even one it gives someone else or another
            # city (社保是株洲那边公司交的), is no longer what was said before it.
            again |= self._spoken_of(normalized, fix.end())
            found = [m for m in found if not (m.fact in again and m.end <= fix.start())]
        chosen = self._choose(found, normalized)
        if "goal" not in chosen and "has_birth_permit" in asked:
            # 生孩子还要准生证吗: a birth permit, even asked about, is a newborn's question.
            at = asked["has_birth_permit"][0]
            chosen = self._choose(
                [*found, FactMention("goal", "newborn", at, at + 1, normalized[at], False)],
                normalized,
            )
        settle = SETTLE_WORDS.search(normalized)
        if (
            "goal" not in chosen
            and settle
            and "investor_or_founder" in asked
            and self._in_town(normalized, asked["investor_or_founder"])
        ):
            # 我在城里开了个奶茶店，能落户吗: a move with no place beside a town route only
            # hinted at (a shop: is the citizen its 法人代表?) is settling in a town too.
            chosen = self._choose(
                [*found, FactMention("goal", "settle_urban", *settle.span(), settle[0], False)],
                normalized,
            )
        return chosen, frozenset(set(asked) - set(chosen) - {"goal"}), applicant

    def _own_hukou(self, text: str, match: re.Match[str], people: list[Person]) -> bool:
        """Whether the hukou a move goes to (户口在…，想迁过去) is the mover's own.

        The speaker's, alone or with someone (我跟老伴户口在乡下，想迁过去), unless someone
        else named before the move is the one who moves (我和老公户口都在城里，我妈想迁过去).
        """
        subjects = self.attribution.subjects(text, match.start(), match.start() + 2, people)
        if "self" not in subjects:
            return False
        # The mover is the last one named before the move's verb (我妈想迁过去; not 跟儿子在醴陵
        # 住，我们能迁过去: 我们), never the one moved to (迁到他那, 投靠他: after the verb).
        said = match.group(0)
        verb = match.start() + max(said.rfind("迁"), said.rfind("投靠"))
        movers = [p for p in people if match.start() + 2 <= p.start and p.end <= verb]
        return not movers or movers[-1].role in {"self", *subjects}

    def _in_town(self, text: str, at: list[int]) -> bool:
        """Whether the clauses at ``at`` name no place outside Liling's towns (在村里开了个超市)."""
        places = self.attribution.places(text)
        for start in at:
            c_start, c_end = self.attribution.clause_bounds(text, start)
            if self.attribution.area_in(places, c_start, c_end) in (
                "outside_liling",
                "liling_rural",
            ):
                return False
        return True

    def retracted(self, text: str, chosen: dict[str, FactMention]) -> frozenset[str]:
        """Facts a correction in ``text`` takes back without saying them again.

        "哦我搞错了，社保是株洲那边公司交的" as a later turn of a chat: the insurance said in an
        earlier turn is no longer known (the words after the correction speak of it, and give
        it to another city). ``chosen`` is :meth:`read`'s first result for the same text.
        """
        normalized = normalize(text)
        taken: set[str] = set()
        for fix in CORRECTION.finditer(normalized):
            said_again = {name for name, m in chosen.items() if m.start >= fix.start()}
            # (a 户口在… after it says whose it is, and is said again: not taken back here)
            taken |= self._spoken_of(normalized, fix.end(), hukou=False) - said_again
        return frozenset(taken - {"goal"})

    def _spoken_of(self, text: str, start: int, hukou: bool = True) -> set[str]:
        """The facts any rule, hukou statement or move matches in ``text`` from ``start`` on."""
        spoken = {rule.fact for rule in self.rules if rule.pattern.search(text, start)}
        if hukou and (HUKOU_AT.search(text, start) or DONE_MOVE.search(text, start)):
            spoken |= {"current_hukou_area", "spouse_hukou_area", "relative_hukou_area"}
        for move in SETTLE_WORDS.finditer(text, start):
            # 算了，我干脆直接落户吧: a move wanted again, even with no place, replaces the goal
            # (not one that happened: 户口早就迁到长沙公司那边去了).
            c_start, c_end = self.attribution.clause_bounds(text, move.start())
            if WANTED_AGAIN.search(text, c_start, c_end + 1):
                spoken.add("goal")
        return spoken

    def _scan(
        self, text: str, where_counts: bool = True
    ) -> tuple[list[FactMention], dict[str, list[int]], Role]:
        doc = self.nlp(normalize(text))
        # spaCy's Doc.text joins every token again on each access: read once, not once per
        # rule (≈ 150 rules; it was 60 % of a parse's fact-rule time).
        said = doc.text
        people = self.attribution.people(said)
        found: list[FactMention] = []
        asked: dict[str, list[int]] = {}
        for rule in self.rules:
            for match in rule.pattern.finditer(said):
                if rule.others_hukou and self._own_hukou(said, match, people):
                    continue  # 我户口在村里，想迁过去: the applicant's own hukou, not a target
                span = doc.char_span(match.start(), match.end(), alignment_mode="expand")
                if span is None:
                    continue
                polarity = self._polarity(doc, span, rule, said[span.start_char : match.start()])
                if polarity is None or (polarity and rule.hint):
                    # A hint (a move to town with no year: 从村里迁到城里以后) points to the
                    # clauses that turn on the fact without stating it, as a question does.
                    asked.setdefault(rule.fact, []).append(match.start())
                    continue
                value = rule.value if polarity else rule.when_negated
                if value is None:
                    continue
                if (
                    rule.fact == "goal"
                    and rule.value in MOVE_GOALS
                    and self.attribution.done(said, match.start())
                ):
                    # 她户口去年已经落到城里了: where her hukou is, not a goal. Only moves: a
                    # death (上个月过咯身) or a birth is always past and still the question.
                    continue
                found.append(
                    FactMention(
                        rule.fact,
                        value,
                        match.start(),
                        match.end(),
                        match.group(),
                        not polarity,
                        rule.prevails and polarity,
                    )
                )
        found, applicant = self._attribute(said, found, where_counts)
        found.sort(key=lambda m: (m.start, -m.end))
        # A match inside a longer match of the same fact is part of it (有房子 in 没有房子);
        # a prevailing one makes the longer one, of the same value, prevail (迁回老家村 in
        # 迁回老家村里: the village still decides).
        kept = []
        for m in found:
            if _contained(m, found):
                continue
            if not m.prevails and any(
                o.prevails and o.value == m.value and _contained(o, [m]) for o in found
            ):
                m = replace(m, prevails=True)
            kept.append(m)
        return kept, asked, applicant

    def _attribute(
        self, text: str, found: list[FactMention], where_counts: bool = True
    ) -> tuple[list[FactMention], Role]:
        """Keep the applicant's facts, turn a relative's hukou into theirs, add 户口在… places.

        See :mod:`bot.nlu.attribution`: a fact said of someone else, or of a place outside
        Liling where only Liling counts, is not the applicant's.
        """
        who = self.attribution
        people, places = who.people(text), who.places(text)
        moves = [(m.start, m.end) for m in found if m.fact == "goal" and m.value in MOVE_GOALS]
        to_speaker = who.moves_to_speaker(text)
        # Goals first (their order decides), then moves to the speaker and moves wanted with
        # no place (他现在想回去落户), which have no goal match but a subject.
        candidates = moves + [(s, e) for s, e, _ in to_speaker]
        # A wanted move next to a goal or a move to the speaker (想|迁到我这里) is that move.
        near = 4
        candidates += [
            (start, end)
            for start, end in who.wanted_moves(text)
            if not any(start < o_end and o_start < end + near for o_start, o_end in candidates)
        ]
        fixes = [fix.end() for fix in CORRECTION.finditer(text)]
        if fixes and any(start >= fixes[-1] for start, _ in candidates):
            # 我妈想迁到我这里。不对，说反了，是我想迁到我妈那边: the move said again decides.
            candidates = [(start, end) for start, end in candidates if start >= fixes[-1]]
        applicant = who.applicant(text, people, candidates)
        if applicant == "self":
            applicant = self._mover_by_history(text, found, people, applicant)
        joined = who.speaker_as(applicant) if to_speaker else None
        if joined is not None:
            # 把爸妈户口迁到我这里: the parents join their child, the speaker (三(一)1's
            # 父母投靠子女); the goal then follows from where the speaker's hukou is, which
            # the words may say (迁到我城里户口上).
            start, end, target_area = to_speaker[0]
            said = text[start:end]
            if not any(m.fact == "join_relative" for m in found):
                found = [*found, FactMention("join_relative", joined, start, end, said, False)]
            if target_area is not None:
                fact = "spouse_hukou_area" if joined == "spouse" else "relative_hukou_area"
                found = [*found, FactMention(fact, target_area, start, end, said, False)]
        kept: list[FactMention] = []
        for mention in found:
            if mention.fact == "goal" and mention.value == "death":
                # A death is someone else's by nature (他上个礼拜走了…他户口怎么处理): the
                # family asks to cancel it, whoever 他 is.
                kept.append(mention)
                continue
            keep, becomes = who.keep(
                mention.fact,
                text,
                mention.start,
                mention.end,
                people,
                places,
                applicant,
                where_counts,
            )
            if becomes is not None:
                mention = replace(mention, fact=becomes)
            elif not keep:
                continue
            if where_counts:
                value = who.area_value(mention.fact, mention.value, text, mention.start, places)
                mention = replace(mention, value=value)
            kept.append(mention)
        for fact, area, start, end in who.hukou_statements(text, people, places, applicant):
            kept.append(FactMention(fact, area, start, end, text[start:end], False))
        return kept, applicant

    def _mover_by_history(
        self, text: str, found: list[FactMention], people: list[Person], applicant: Role
    ) -> Role:
        """A relative whose history makes the move, when the words name no mover.

        "我伢子当兵回来了…现在要落回来": only the son has a history that moves a hukou (served,
        released, graduated, married away), the speaker none, and the move has no subject.
        """
        roles = {
            self.attribution.subject(text, m.start, m.end, people)
            for m in found
            if m.fact in MOVER_FACTS
        }
        if len(roles) != 1:
            return applicant
        (role,) = roles
        # A move asked about with no one named (家属咨询如何办理回原籍落户) counts as wanted.
        wanted = self.attribution.wanted_moves(text) + [
            (m.start, m.end) for m in found if m.fact == "goal" and m.value in MOVE_GOALS
        ]
        # 想迁到他那里: the one joined is a third person, so the speaker moves.
        joins_other = any(TO_OTHER.search(text, start, end + 8) for start, end in wanted)
        unnamed = (
            bool(wanted)
            and not joins_other
            and all(
                not self.attribution.named_in_clause(text, start, people) for start, _ in wanted
            )
        )
        return role if unnamed and role in RELATIVE_APPLICANTS else applicant

    def facts(self, text: str) -> dict[str, FactValue]:
        """Return the facts stated in ``text``, one value per fact (see :meth:`chosen`)."""
        return {name: mention.value for name, mention in self.chosen(text).items()}

    def other_city(self, text: str) -> tuple[str, dict[str, FactValue]] | None:
        """A question about settling in another city: the city and the situation as if in Liling.

        "在长沙买了套房，能不能落长沙户口" → ("长沙", {housing: owned, goal: settle_urban}): the
        assistant answers for Liling only, and gives Liling's rule for the same situation.
        """
        normalized = normalize(text)
        place = self.attribution.other_city(normalized)
        if place is None:
            return None
        chosen = self._choose(self.mentions(text, where_counts=False), normalized)
        return place, {name: mention.value for name, mention in chosen.items()}

    def chosen(self, text: str) -> dict[str, FactMention]:
        """Return the winning statement of each fact in ``text``, in fact order.

        For a boolean fact the last statement wins (corrections come last: 有社保，不对，没有).
        For an enum fact a direct statement wins over one inferred from a negation
        (没有自己的房，租的 → rented), then the last one wins. A statement of a rule marked
        ``prevails`` wins over the others unless a correction follows it.
        """
        return self.read(text)[0]

    @staticmethod
    def _choose(mentions: list[FactMention], text: str = "") -> dict[str, FactMention]:
        fixes = [fix.start() for fix in CORRECTION.finditer(text)]
        chosen: dict[str, FactMention] = {}
        for mention in mentions:
            previous = chosen.get(mention.fact)
            if (
                previous is not None
                and not FACTS[mention.fact].is_bool
                and mention.negated
                and not previous.negated
            ):
                continue
            if (
                previous is not None
                and previous.prevails
                and not mention.prevails
                and not any(previous.end <= at < mention.start for at in fixes)
            ):
                continue  # 自考本科毕业的: still not full-time (patterns.yml, prevails)
            chosen[mention.fact] = mention
        goal = _implied_goal(chosen, text)
        if goal is not None:
            chosen["goal"] = goal
        chosen = _return_to_town(chosen, text)
        return {name: chosen[name] for name in FACTS if name in chosen}

    def _polarity(self, doc: Doc, span: Span, rule: Rule, prefix: str = "") -> bool | None:
        """True if stated, False if negated, None if only asked about.

        Only the nearest cue before the match counts (没租房没买房: each 没 negates its own
        word), and only within the clause: punctuation, a turn word or a space ends it.
        A move asked about is still the move wanted (能不能迁回农村, 要求迁回原籍村): for the
        goal a question is a statement.
        """
        polarity = self._stated(doc, span, rule, prefix)
        if polarity is None and rule.fact == "goal":
            return True
        return polarity

    def _stated(self, doc: Doc, span: Span, rule: Rule, prefix: str) -> bool | None:
        settings = self.settings
        if rule.fact != "goal":
            # A plan anywhere earlier in the clause (下个月才开始给我们买社保) makes it no fact yet.
            for index in range(span.start - 1, -1, -1):
                token = doc[index]
                if token.text in settings["breaks"]:
                    break
                if token.text in settings["future_cues"]:
                    return None
        # The match begins inside a question word (有|没有房子 in 有没有房子): asked, not stated.
        if prefix and span[0].text in settings["question_cues"]:
            return None
        # jieba may glue the cue to the phrase (没开|公司): look at the token's own prefix.
        if prefix and (prefix in settings["cues"] or prefix[-1] in NEGATION_CHARS):
            return not rule.negatable
        negated = False
        for index in range(span.start - 1, max(span.start - 1 - settings["window"], -1), -1):
            token = doc[index]
            if token.text in settings["breaks"] or token.whitespace_:
                break
            if token.text in settings["question_cues"]:
                return None
            if rule.fact not in WISHES and token.text in settings["rule_cues"]:
                return None
            if token.text in settings["cues"]:
                negated = True
                break
        if rule.inner_negation:
            inner = [t.text for t in span]
            if any(t in settings["question_cues"] for t in inner):
                return None
            if any(t in settings["cues"] for t in inner):
                negated = True
        if not negated and not span[-1].whitespace_:
            after = self._negated_after(doc, span.end)
            if after is None:
                return None
            negated = after
        if not rule.negatable:
            return True
        return not negated

    def _negated_after(self, doc: Doc, start: int) -> bool | None:
        """社保没交 / 房子没有: a post cue that ends its clause negates what precedes it."""
        settings = self.settings
        for index in range(start, min(start + settings["post_window"], len(doc))):
            token = doc[index]
            if token.text in settings["breaks"]:
                return False
            if token.text in settings["question_cues"]:
                return None
            if token.text in settings["post_cues"]:
                after = doc[index + 1] if index + 1 < len(doc) else None
                ends = (
                    after is None
                    or token.whitespace_
                    or after.text in settings["breaks"]
                    or after.text in settings["particles"]
                    or after.text in settings["clause_starts"]
                )
                return bool(ends)
            if token.whitespace_:
                return False
        return False
