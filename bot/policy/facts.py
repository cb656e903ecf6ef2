"""The facts the policy turns on: the engine's vocabulary.

Every fact is either boolean or one of a closed set of values, and every fact may be
*unknown*. Clause conditions in ``policy_text/clauses.yml`` may only name facts and values
declared here; the loader rejects anything else at start-up.

The order of :data:`FACTS` is the order in which the assistant asks when two questions are
otherwise equally useful.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeAlias

FactValue: TypeAlias = bool | str
"""A known fact value: ``True``/``False`` for boolean facts, a value name for enum facts."""


@dataclass(frozen=True)
class Fact:
    """One fact of a citizen's situation.

    Attributes:
        name: English identifier used in data, slots and payloads.
        label: Short Chinese description, used in explanations ("why it applies").
        question: The Chinese question that establishes the fact.
        values: For enum facts, value name → Chinese label. Empty for boolean facts.
    """

    name: str
    label: str
    question: str
    values: dict[str, str] = field(default_factory=dict)

    @property
    def is_bool(self) -> bool:
        """Whether the fact is boolean (yes / no / unknown)."""
        return not self.values

    def accepts(self, value: object) -> bool:
        """Return whether ``value`` is a valid known value of this fact."""
        if self.is_bool:
            return isinstance(value, bool)
        return isinstance(value, str) and value in self.values

    def describe(self, value: FactValue) -> str:
        """Describe a known value in Chinese, e.g. ``婚姻状况：已婚``."""
        if self.is_bool:
            return f"{self.label}：{'是' if value else '否'}"
        return f"{self.label}：{self.values.get(str(value), str(value))}"


AREA = {
    "liling_urban": "醴陵城镇地区",
    "liling_rural": "醴陵农村地区",
    "outside_liling": "醴陵以外",
}

_FACT_LIST: tuple[Fact, ...] = (
    Fact(
        "goal",
        "想办理的事项",
        "您想办理哪一类事情？",
        {
            "settle_urban": "在醴陵城镇地区落户",
            "move_rural": "把户口迁往醴陵农村地区",
            "newborn": "给新生儿登记户口",
            "no_hukou": "无户口人员登记户口（户口补登）",
            "death": "死亡人员户口注销",
            "residence_permit": "办理居住证",
            "info": "了解政策",
        },
    ),
    Fact("current_hukou_area", "本人现在的户口所在地", "您现在的户口在哪里？", AREA),
    Fact(
        "marital_status",
        "婚姻状况",
        "您的婚姻状况是？",
        {"married": "已婚", "unmarried": "未婚", "divorced": "离异", "widowed": "丧偶"},
    ),
    Fact("spouse_hukou_area", "配偶的户口所在地", "您配偶的户口在哪里？", AREA),
    Fact(
        "join_relative",
        "投靠的亲属",
        "您是想投靠哪位亲属落户？",
        {"spouse": "配偶", "parent": "父母", "child": "子女", "none": "不投靠亲属"},
    ),
    Fact("relative_hukou_area", "所投靠父母或子女的户口所在地", "您要投靠的亲属户口在哪里？", AREA),
    Fact("lives_with_relative", "与所投靠亲属共同居住生活", "您和要投靠的亲属是否共同居住生活？"),
    Fact("is_minor", "本人是未成年人", "要迁户口的人是未成年人（不满18周岁）吗？"),
    Fact(
        "housing",
        "在醴陵城镇地区的住所",
        "您在醴陵城镇地区有住房吗？自有还是租的？",
        {"owned": "自有住房", "rented": "租房（合法租赁）", "none": "没有住所"},
    ),
    Fact("employed_in_liling", "在醴陵合法稳定就业", "您在醴陵有稳定的工作吗？"),
    Fact("urban_social_insurance", "参加城镇社会保险", "您在醴陵参加了城镇社会保险（社保）吗？"),
    Fact(
        "fulltime_graduate",
        "全日制大中院校、职业院校（含技工学校）毕业生",
        "您是全日制大中专院校、职业院校或技工学校的毕业生吗？",
    ),
    Fact(
        "professional_qualification",
        "取得专业技术资格",
        "您取得了专业技术资格（职称等）吗？",
    ),
    Fact(
        "transferred_or_recruited",
        "经县级以上人社部门或垂直管理部门批准调动、录用",
        "您是经县级以上人社部门（或垂直管理部门）批准调动或录用到醴陵工作的吗？",
    ),
    Fact(
        "investor_or_founder",
        "合法投资经商、创业的法人代表，或经工商部门确认的合伙人、出资人、股东",
        "您是在醴陵合法投资经商、创业的法人代表，或经工商部门确认的合伙人、出资人、股东吗？",
    ),
    Fact("veteran", "退役士兵", "您是退役士兵吗？"),
    Fact("origin_rural", "原籍（生源地）在醴陵农村地区", "您的原籍（生源地）是醴陵的农村地区吗？"),
    Fact("dropout", "肄业生", "您是肄业生（未拿到毕业证就离校）吗？"),
    Fact("fresh_graduate", "应届毕业生或肄业生", "您是应届毕业生（或应届肄业生）吗？"),
    Fact(
        "hukou_at_school",
        "户口仍保留在原就读院校或就业指导中心",
        "您的户口还在原来就读的学校或就业指导中心吗？",
    ),
    Fact(
        "released_hukou_cancelled",
        "因服刑或劳动教养注销了原籍农村户口，现已刑满释放或解除劳动教养",
        "您是否因服刑或劳动教养被注销了原籍农村户口，现在已刑满释放或解除劳动教养？",
    ),
    Fact("spouse_serving_soldier", "配偶是现役士兵", "您的配偶是现役士兵吗？"),
    Fact(
        "spouse_rural_hukou_cancelled_for_service",
        "军人一方因参军服兵役注销了农村户口",
        "您的配偶是否因参军服兵役注销了农村户口？",
    ),
    Fact(
        "joining_soldiers_parents",
        "投靠军人一方在农村的父母居住生活",
        "您是要投靠军人一方在农村的父母、和他们一起居住生活吗？",
    ),
    Fact(
        "moved_for_marriage",
        "曾因夫妻投靠把户口迁往配偶户口所在地",
        "您当初是因为夫妻投靠把户口迁到配偶那里的吗？",
    ),
    Fact(
        "moved_to_town_under_hunan_rules",
        "《湖南省常住户口登记管理办法》实施后由农村迁往城镇",
        "您是在《湖南省常住户口登记管理办法》实施后（2016年）把户口从农村迁到城镇的吗？",
    ),
    Fact(
        "newborn_parent_rural",
        "新生儿随户口在农村地区的父亲或母亲登记",
        "孩子是随户口在农村地区的父亲或母亲登记吗？",
    ),
    Fact(
        "has_birth_permit",
        "有生育证或社会抚养费征收票据等计生证明",
        "您有生育证（准生证）或社会抚养费票据等计生证明吗？",
    ),
    Fact(
        "national_rule_case",
        "属于国家另有规定的迁移情形",
        "您是随军家属、经政府安排的移民搬迁安置人员，或回国（来内地）定居的华侨、港澳台居民吗？",
        {
            "military_dependent": "随军家属",
            "resettled": "移民或搬迁安置",
            "returned_overseas": "华侨或港澳台居民回国（来内地）定居",
        },
    ),
)

MOVE_GOALS = frozenset({"settle_urban", "move_rural"})
"""Goals that move the applicant's own hukou (a situation, not only a question)."""

FACTS: dict[str, Fact] = {fact.name: fact for fact in _FACT_LIST}
"""Every fact the engine knows, by name, in asking order."""

FACT_ORDER: dict[str, int] = {name: index for index, name in enumerate(FACTS)}
"""Position of each fact in :data:`FACTS`, used to break ties when ordering questions."""
