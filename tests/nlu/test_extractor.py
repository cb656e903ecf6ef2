"""The rule-based fact extractor: stated facts, negations, questions, corrections."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.nlu.extractor import FactExtractor, PatternError, load_patterns


@pytest.fixture(scope="module")
def extractor() -> FactExtractor:
    return FactExtractor()


CASES = [
    # stated facts, several in one message
    (
        "我在醴陵城里租了房子，没交社保，不是大学生",
        {"housing": "rented", "urban_social_insurance": False, "fulltime_graduate": False},
    ),
    (
        "戶口遷到醴陵城裡 我在廠裡上班交了五險",
        {"goal": "settle_urban", "employed_in_liling": True, "urban_social_insurance": True},
    ),
    (
        "我老公是醴陵城区户口 我们结婚三年一直住一起 我能投靠他落户吗",
        {
            "goal": "settle_urban",
            "marital_status": "married",
            "spouse_hukou_area": "liling_urban",
            "join_relative": "spouse",
            "lives_with_relative": True,
        },
    ),
    ("退伍回来了想把户口迁回村里", {"goal": "move_rural", "veteran": True, "origin_rural": True}),
    # a village named after 是 (同镇某村), a move to the one relative whose hukou is named
    (
        "我户口在嘉树镇的社区，丈夫是同镇某村户口，想把户口迁去丈夫家",
        {
            "goal": "move_rural",
            "current_hukou_area": "liling_urban",
            "marital_status": "married",
            "spouse_hukou_area": "liling_rural",
            "join_relative": "spouse",
        },
    ),
    (
        "孩子他爸户口在国瓷街道，我们几个都想迁到他名下",
        {
            "goal": "settle_urban",
            "spouse_hukou_area": "liling_urban",
            "relative_hukou_area": "liling_urban",
        },
    ),
    (
        "儿子户口在城区，我平时到他那里帮忙带孙子",
        {"relative_hukou_area": "liling_urban"},
    ),  # a visit
    (
        "我通过事业单位公开招聘考到醴陵一中当老师，户口能迁来吗",
        {"goal": "settle_urban", "transferred_or_recruited": True},
    ),
    # not a recruitment 三(一)3 covers: a private firm, a failed exam, a progress query
    ("我在醴陵一家私企通过公开招聘入职", {}),
    ("我参加了公开招聘但没考上", {}),
    ("事业单位招考进度怎么查", {}),
    # two years since graduating: no fresh graduate any more (三(二)3 asks for a 应届 one)
    (
        "大学毕业两年了户口还在学校",
        {"fulltime_graduate": True, "hukou_at_school": True, "fresh_graduate": False},
    ),
    (
        "户口在深圳的集体户，想迁回爸妈户口本上",
        {"current_hukou_area": "outside_liling", "join_relative": "parent"},
    ),
    ("我30岁，户口在长沙", {"current_hukou_area": "outside_liling", "is_minor": False}),
    # a baby's registration in other words; a child brought along is the parent's move
    ("宝宝刚满月，想上到我这边村里", {"goal": "newborn", "join_relative": "parent"}),
    ("孩子想上在我老婆那边村里", {"goal": "newborn", "marital_status": "married"}),
    (
        "老公是现役士兵，公婆在醴陵村里，我想带孩子去公婆那落户",
        {
            "goal": "move_rural",
            "marital_status": "married",
            "spouse_serving_soldier": True,
            "joining_soldiers_parents": True,
        },
    ),
    # a move to town with a year, said as Xiang 迁上来 or 农转非
    (
        "19年在城里买房把户口从乡里迁上来哒，现在要迁回乡里去",
        {
            "goal": "move_rural",
            "housing": "owned",
            "origin_rural": True,
            "moved_to_town_under_hunan_rules": True,
        },
    ),
    ("在醴陵厂里打了几年工，户口能落这边不", {"goal": "settle_urban", "employed_in_liling": True}),
    ("在城区厂里做事，落不了户咋办", {"goal": "settle_urban", "employed_in_liling": True}),
    # what is given up prevails over the route asked about after it
    (
        "以前在城区有套房，去年卖掉了，还能按有房落户到城里吗",
        {"goal": "settle_urban", "housing": "none"},
    ),
    (
        "以前在城区厂里上班，今年辞职了，还能按在醴陵工作落户吗",
        {"goal": "settle_urban", "employed_in_liling": False},
    ),
    # 走了 with when, before the hukou, is a death; 算了 takes back the move before it
    (
        "我想把我爸迁到城里我家。算了，他上个礼拜走了。现在他户口要怎么处理",
        {"goal": "death"},
    ),
    # a death is whoever's; a former spouse is no one to join (三(二)7, not 三(一)1)
    ("他上个礼拜走了。现在他户口要怎么处理", {"goal": "death"}),
    ("我家老人从来没上过户口", {"goal": "no_hukou"}),
    (
        "当年结婚把户口迁到老公家，他户口在醴陵城区，现在离了",
        {
            "marital_status": "divorced",
            "spouse_hukou_area": "liling_urban",
            "join_relative": "spouse",
            "moved_for_marriage": True,
        },
    ),
    # 算了 then a move said again replaces the goal before it
    (
        "我想办个居住证。算了，我干脆直接落户吧，我在城区买了套房子",
        {"goal": "settle_urban", "housing": "owned"},
    ),
    # 高中毕业就没读了 is no graduate of a 大中院校; 专科毕业 is; a recruitment that succeeded
    ("我高中毕业就没读了", {"fulltime_graduate": False}),
    ("专科毕业还没找到工作", {"fulltime_graduate": True, "employed_in_liling": False}),
    ("事业单位招考进了一中教书", {"transferred_or_recruited": True}),
    # a shop or a business only points to 三(一)4 (who is the 法人代表?); a settle asked after
    # a residence permit, with a town route stated, is settling
    ("我在城里开了个奶茶店，能落户吗", {"goal": "settle_urban"}),
    (
        "我想办个居住证。等一下，我在城区买了房子，是不是可以直接落户？",
        {"goal": "settle_urban", "housing": "owned"},
    ),
    # input-method homophones: 股动 (股东), 投考 before a relative (投靠)
    ("我是公司的股动，工商那边有登记", {"investor_or_founder": True}),
    (
        "我老泼胡口在均楚镇农村，我胡口在安徽，想投考老泼洛户到她村里",
        {
            "goal": "move_rural",
            "current_hukou_area": "outside_liling",
            "marital_status": "married",
            "spouse_hukou_area": "liling_rural",
            "join_relative": "spouse",
        },
    ),
    # a second reader's probes: what the new rules must not take
    (
        "我老公在外地打工，他爸户口在村里",
        {
            "marital_status": "married",
            "spouse_hukou_area": "outside_liling",
            "relative_hukou_area": "liling_rural",
        },
    ),
    ("孩子已经上小学了户口迁到城里有什么规定", {"goal": "settle_urban"}),
    ("已在城区购房户口迁入城区的条件", {"goal": "settle_urban"}),
    (
        "我户口在村里，算了，直接说吧，我老公户口在城区，我能迁过去吗",
        {
            "goal": "settle_urban",
            "current_hukou_area": "liling_rural",
            "marital_status": "married",
            "spouse_hukou_area": "liling_urban",
        },
    ),
    ("房子卖掉了，现在租房住，能落户吗", {"goal": "settle_urban", "housing": "rented"}),
    (
        "我儿子还不到18岁，他想把户口迁回村里",
        {"goal": "move_rural", "is_minor": True, "origin_rural": True},
    ),
    ("我女儿考进了一中，想把户口迁到城里方便读书", {"goal": "settle_urban"}),
    ("我户口在村里，孩子能上到城区的小学吗", {"current_hukou_area": "liling_rural"}),
    (
        "我在城区租房上班，只想办居住证，不想落户，要什么材料",
        {"goal": "residence_permit", "housing": "rented", "employed_in_liling": True},
    ),
    ("我在村里开了个超市，户口在外省，能落户吗", {"current_hukou_area": "outside_liling"}),
    # a child of six never registered is no newborn (四(一), 无户口人员)
    ("细伢子今年六岁了一直冇上户口", {"goal": "no_hukou"}),
    # in-laws joined with no soldier said: a move to where they are
    (
        "公公婆婆户口在醴陵城区，我想把户口迁到公公婆婆的户口本上",
        {
            "goal": "settle_urban",
            "relative_hukou_area": "liling_urban",
            "joining_soldiers_parents": True,
        },
    ),
    # a correction voids what it speaks of, even when it gives it to another city
    (
        "我在醴陵上班交了社保，能落户吧。哦我搞错了，社保是株洲那边公司交的",
        {"goal": "settle_urban", "employed_in_liling": True},
    ),
    (
        "我妈想把户口迁到我这里来。不对，说反了，是我想把户口迁到我妈那边，她户口在嘉树镇某村",
        {"goal": "move_rural", "join_relative": "parent", "relative_hukou_area": "liling_rural"},
    ),
    ("孩子没有准生证能上户口吗", {"goal": "newborn", "has_birth_permit": False}),
    # negation: a negated fact is false, never true
    (
        "佢離咗婚想將戶口遷返鄉下",
        {"goal": "move_rural", "marital_status": "divorced", "origin_rural": True},
    ),
    ("我大學畢業咗，冇房", {"fulltime_graduate": True, "housing": "none"}),
    # … and his son's degree and housing are not the applicant's (佢个崽: his son)
    ("佢个崽大學畢業咗，冇房", {}),
    ("我没房", {"housing": "none"}),
    ("我没有交社保", {"urban_social_insurance": False}),
    ("从来没有交过社保", {"urban_social_insurance": False}),
    ("社保一直没有交", {"urban_social_insurance": False}),
    ("你有没有交社保", {}),  # a question: unknown
    ("有没有房子都不一定", {}),
    ("请问有没有房", {}),
    ("社保没交", {"urban_social_insurance": False}),
    ("没有结婚", {"marital_status": "unmarried"}),
    ("俺不是退伍军人", {"veteran": False}),
    ("还没有职称", {"professional_qualification": False}),
    # a negated place is not a statement of another place: unknown (having a 老公 is married)
    ("老公户口不在城区", {"marital_status": "married"}),
    ("前夫户口在城区", {"marital_status": "divorced"}),
    # questions are not statements: unknown is not false
    ("有没有社保都不知道", {}),
    ("落户需要交社保吗", {}),
    ("我想找工作", {}),
    # corrections: the last statement wins; a direct value beats a negated one
    ("我有社保，不对，没有社保", {"urban_social_insurance": False}),
    ("不对我是租的房", {"housing": "rented"}),
    ("我没有自己的房，租的", {"housing": "rented"}),
    ("说错了我没有社保", {"urban_social_insurance": False}),
    # slips of the pen and dialect (data/facts/dialect.yml): 户囗, 签 for 迁, 澧陵, 哒
    (
        "我是公司法仁代表，户囗在衡阳，想把户囗签过来",
        {
            "goal": "settle_urban",
            "investor_or_founder": True,
            "current_hukou_area": "outside_liling",
        },
    ),
    ("我在城里租哒间房子住", {"housing": "rented"}),
    # a job named by what one does, a business one opened, a resettlement flat, a licence
    ("我在醴陵城里超市当营业员", {"employed_in_liling": True}),
    ("在澧陵城里开了个建材公司", {"investor_or_founder": True}),
    ("分了安置房，想迁到安置房这里", {"goal": "settle_urban", "housing": "owned"}),
    ("今年刚考出来的执业药师证", {"professional_qualification": True}),
    # cases the document leaves to national rules
    ("部队批了随军", {"goal": "settle_urban", "national_rule_case": "military_dependent"}),
    (
        "我们是水库移民，政府统一安置到村里",
        {"goal": "move_rural", "national_rule_case": "resettled"},
    ),
    ("拆迁分的安置房", {"housing": "owned"}),
    # a route named after 按 is the rule asked about, not a fact stated
    ("可以按退伍的办吗", {}),
    # voice input without punctuation: a new 我 starts a clause, so a place in another
    # sentence does not void the job in Liling
    (
        "我在醴陵城里仓库做分拣公司给交的社保做了两年了我老家是衡阳祁东的",
        {"employed_in_liling": True, "urban_social_insurance": True},
    ),
    # a move with no place, beside facts only the routes to a town turn on, is to a town
    (
        "在城区餐馆打工两年，问能不能凭工作落户",
        {"goal": "settle_urban", "employed_in_liling": True},
    ),
    # … but a move back (弄回去) is not
    (
        "技校毕业，老家是醴陵官庄镇村里的，想把户口弄回去",
        {"goal": "move_rural", "fulltime_graduate": True, "origin_rural": True},
    ),
    # what is only planned is not a fact yet; the goal always is a plan
    ("我准备在城里买房", {}),
    ("我打算把户口迁到城里", {"goal": "settle_urban"}),
    (
        "坐过牢的人户口还能迁回农村吗",
        {"goal": "move_rural", "origin_rural": True, "released_hukou_cancelled": True},
    ),
    # 还是 "had better" is a decision, not a question; the later goal wins
    (
        "我退伍了，想落户到城里。想了想还是回村里算了，老家是板杉镇的村",
        {"goal": "move_rural", "veteran": True, "origin_rural": True},
    ),
    ("想把户口落在醴陵，落在孙家湾镇我外婆那个村里", {"goal": "move_rural"}),
    # transfers and recruitment by another name; an officer's 转业 is not a 退役士兵's return
    # … the place nearest the words decides where: 调入醴陵, not 株洲市人社局
    (
        "经株洲市人社局批准调入醴陵某事业单位工作",
        {"transferred_or_recruited": True, "employed_in_liling": True},
    ),
    ("我考上了浏阳市的事业编，人社局发了聘用通知", {}),
    # self-study is not full-time: the later correction wins
    ("我是全日制本科毕业的。等一下，我是自考的本科，不是全日制", {"fulltime_graduate": False}),
    ("我是考的选调生，分到了来龙门街道办事处", {"transferred_or_recruited": True}),
    ("我是部队转业的干部，安置到醴陵市应急管理局了", {"transferred_or_recruited": True}),
    # where the hukou should go is not where it is
    ("户口想落到单位集体户上", {}),
    # a business in another city is not 投资经商 in Liling
    ("我在长沙开了个公司，我是老板", {}),
    # a move asked about is the move wanted; one not wanted is no goal, but still says "back"
    ("现持户口簿要求迁回原籍村", {"goal": "move_rural"}),
    ("我不想迁回农村，想迁到城里", {"goal": "settle_urban", "origin_rural": True}),
    # an office's hours are no one's job (派出所中午休息吗 states nothing either)
    ("醴陵派出所周末上班吗", {}),
    ("户籍窗口工作日几点开门", {}),
    # a second reader's cases: no move is implied by a move away or an application made …
    ("我在醴陵城区买了房，户口迁走会不会有影响", {"housing": "owned"}),
    ("我买房落户的手续办好了没有", {"housing": "owned"}),
    # … 不是自考 says nothing against the degree; 开始 alone is no future; 移民管理局 is an office
    (
        "我是全日制本科毕业的，不是自考，想在醴陵城区落户",
        {"goal": "settle_urban", "fulltime_graduate": True},
    ),
    (
        "我从2020年开始在醴陵城区上班，想在城区落户",
        {"goal": "settle_urban", "employed_in_liling": True},
    ),
    ("我去出入境移民管理局办护照", {}),
    # … and a rule named after 按 still says whom one wants to join
    (
        "按投靠子女的政策我能落户吗？我儿子户口在城区",
        {"goal": "settle_urban", "join_relative": "child", "relative_hukou_area": "liling_urban"},
    ),
    # 准生证, had or not, is asked only about a newborn's registration
    ("生了孩子，准生证没办", {"goal": "newborn", "has_birth_permit": False}),
    # asked (还要…吗): no permit stated, but the question is a newborn's registration
    ("户口在城里的人生孩子还要准生证吗", {"goal": "newborn"}),
    ("我BB啱啱出世，冇准生证，可唔可以上户口㗎？", {"goal": "newborn", "has_birth_permit": False}),
    (
        "来电人读大二时退学了，户口还在学校没迁，想回老家茶山岭镇的村里上户口",
        {"goal": "move_rural", "dropout": True, "hukou_at_school": True, "origin_rural": True},
    ),
    # taken back: said again after 不对, even only as a plan, the earlier statement is void
    (
        "我在厂里上班，交了社保，想落户。不对不对，厂里说下个月才开始给我们买社保，现在还没有",
        {"goal": "settle_urban", "employed_in_liling": True},
    ),
    # a return to an origin said to be in a town is settling in a town, even when the words
    # name the countryside's rule to ask about it
    (
        "入伍前户口在城里，现在退伍了，户口要落回城里，是按退役士兵回原籍办吗",
        {"goal": "settle_urban", "veteran": True, "origin_rural": False},
    ),
    (
        "我是应届毕业生，生源地是泗汾镇的社区，不是村里，想把户口迁回去，是按回生源地农村办吗",
        {
            "goal": "settle_urban",
            "fulltime_graduate": True,
            "fresh_graduate": True,
            "origin_rural": False,
        },
    ),
    (
        "我是大学毕业生，想把户口迁回老家村里",
        {"goal": "move_rural", "fulltime_graduate": True, "origin_rural": True},
    ),
    # a move with no place beside a spouse's hukou in Liling is a move to them; one said to
    # have happened is where the hukou is, not a goal; a rule never reads across 。
    (
        "我想落户。我老公户口在仙岳山街道，我户口在邵阳",
        {
            "goal": "settle_urban",
            "current_hukou_area": "outside_liling",
            "marital_status": "married",
            "spouse_hukou_area": "liling_urban",
        },
    ),
    (
        "我想落户，老公户口在村里",
        {"goal": "move_rural", "marital_status": "married", "spouse_hukou_area": "liling_rural"},
    ),
    ("户口已经迁到城里了", {"current_hukou_area": "liling_urban"}),
    (
        "她户口去年已经落到城里了。我还在乡下户口",
        {"current_hukou_area": "liling_rural"},
    ),
    ("我是去年从村里迁到城里落户的", {}),
    ("公租房怎么申请", {}),
    ("我在城里租房住", {"housing": "rented"}),
    (
        "我老公是现役军人。其实老公半年前已经退伍了",
        {"marital_status": "married", "spouse_serving_soldier": False},
    ),
    # a move to a named village is to the countryside, whatever 醴陵 / 镇 the words begin with
    ("我想迁到醴陵枫林镇大冲村", {"goal": "move_rural"}),
    ("佢想将户口迁转醴陵官庄镇杨梅村老屋", {"goal": "move_rural"}),
    ("迁到城中村的出租屋里能落户吗", {}),
    ("户口迁到学校去了我是石塘村考出去的", {}),
    # a son or daughter of any age settles: no newborn's registration without a baby
    (
        "其儿子在醴陵某陶瓷企业工作三年。咨询儿子能否在醴陵落户",
        {"goal": "settle_urban", "employed_in_liling": True},
    ),
    # dev4 (development): a home in town, no home of one's own, where a couple met, a permit
    # as the fallback, a husband called 先生, an elderly couple speaking as one
    ("我在城里有房 户口在乡下", {"current_hukou_area": "liling_rural", "housing": "owned"}),
    ("在城区做住家保姆，自己也没租房子", {"employed_in_liling": True}),
    (
        "老婆是在部队驻地认识的，户口在河南",
        {"marital_status": "married", "spouse_hukou_area": "outside_liling"},
    ),
    ("能否在醴陵落户，如不能，能否办理居住证", {"goal": "settle_urban"}),
    ("请问居住证怎么办", {"goal": "residence_permit"}),
    (
        "我先生户口在醴陵乡下 我想迁过去",
        {"goal": "move_rural", "marital_status": "married", "spouse_hukou_area": "liling_rural"},
    ),
    (
        "我儿子户口在来龙门街道。我跟老伴户口在李畋镇的村里，想投靠他",
        {
            "current_hukou_area": "liling_rural",
            "marital_status": "married",
            "spouse_hukou_area": "liling_rural",
            "relative_hukou_area": "liling_urban",
        },
    ),
    ("我儿媳妇户口在城里", {"relative_hukou_area": "liling_urban"}),
    (
        "我上个月退伍，入伍前户口在左权镇村里。我想先把自己户口迁回老家村里，然后老婆的也迁过来",
        {"goal": "move_rural", "marital_status": "married", "veteran": True, "origin_rural": True},
    ),
    (
        "来电人反映：其儿子因服刑被注销白兔潭镇某村户口，今年刑满释放。咨询儿子如何恢复户口，"
        "是否可以落回原籍",
        {"goal": "move_rural", "released_hukou_cancelled": True},
    ),
    ("我是2018年把户口从农村签到城里的", {"moved_to_town_under_hunan_rules": True}),
    ("爹妈户口能跟我进城吗", {"goal": "settle_urban"}),
    # the second reader's probes of the day's rules: a village where a hukou is or went, a
    # town estate, a question about town, a move back with a fallback, 老太太, others' homes
    ("我户口落在枫林镇大冲村，想迁到城里", {"goal": "settle_urban"}),
    ("户口迁到石亭镇村里了，现在想迁到城里", {"goal": "settle_urban"}),
    ("我姐户口挂到她婆家村里，我想迁到城里", {"goal": "settle_urban"}),
    ("迁进城以后村里的田土会收回吗", {"goal": "settle_urban"}),
    ("我想落户在城区的花园新村小区", {"goal": "settle_urban"}),
    ("我想把户口迁回村里，如果不能就算了", {"goal": "move_rural", "origin_rural": True}),
    ("城区有房源吗", {}),
    ("我在城里有房住，是亲戚的房子", {}),
    ("有了居住证怎么办落户", {}),
    ("每天要签到村部，想把户口迁到城里", {"goal": "settle_urban"}),
    ("儿子上户口需要什么材料", {"goal": "newborn"}),
    ("这会儿老公户口在城区", {"marital_status": "married", "spouse_hukou_area": "liling_urban"}),
    (
        "户口在村里，进城打工五年了",
        {"current_hukou_area": "liling_rural", "employed_in_liling": True},
    ),
    # noise
    ("😀😀😀", {}),
    ("<b>租房</b>", {"housing": "rented"}),
    ("", {}),
]


@pytest.mark.parametrize(("text", "facts"), CASES)
def test_extracts_stated_facts(
    extractor: FactExtractor, text: str, facts: dict[str, object]
) -> None:
    assert extractor.facts(text) == facts


def test_mentions_point_into_the_normalised_text(extractor: FactExtractor) -> None:
    text = "我在城里租了房子，没交社保"
    for mention in extractor.mentions(text):
        assert text[mention.start : mention.end] == mention.text


def test_long_input_is_handled(extractor: FactExtractor) -> None:
    text = "我在城里租了房子。" * 600
    assert extractor.facts(text) == {"housing": "rented"}


def test_rules_reject_unknown_facts(tmp_path: Path) -> None:
    path = tmp_path / "rules.yml"
    path.write_text(
        "negation: {cues: [没], post_cues: [], question_cues: []}\n"
        "rules:\n  - fact: salary\n    value: true\n    phrases: [工资]\n",
        encoding="utf-8",
    )
    with pytest.raises(PatternError, match="unknown fact 'salary'"):
        load_patterns(path)


def test_rules_reject_bad_values_and_regex(tmp_path: Path) -> None:
    path = tmp_path / "rules.yml"
    base = "negation: {cues: [没], post_cues: [], question_cues: []}\nrules:\n"
    path.write_text(
        base + "  - fact: housing\n    value: castle\n    phrases: [城堡]\n", encoding="utf-8"
    )
    with pytest.raises(PatternError, match="no value 'castle'"):
        load_patterns(path)
    path.write_text(
        base + "  - fact: housing\n    value: owned\n    regex: ['(unclosed']\n", encoding="utf-8"
    )
    with pytest.raises(PatternError, match="bad regex"):
        load_patterns(path)


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("落户需要交社保吗", {"urban_social_insurance"}),
        ("有没有房子都能落户吗", {"housing"}),
        ("我准备在城里买房", {"housing"}),
        # A move to town with no year points to 三(二)8 without settling the year.
        ("户口从农村迁到城里以后，还能不能再迁回农村", {"moved_to_town_under_hunan_rules"}),
        ("我大学毕业户口迁出去了，现在想迁回老家", set()),
        ("我想迁到城里，过年回老家", set()),
        # stated facts are not asked, and the goal never is
        ("我交了社保，还需要什么", set()),
    ],
)
def test_read_names_the_facts_only_asked_about(
    extractor: FactExtractor, text: str, asked: set[str]
) -> None:
    _, found = extractor.read(text)
    assert found == asked


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        # The kind of course prevails over a later 毕业 (三(一)2 asks for 全日制) …
        ("我是自考本科毕业的，能落户吗", {"fulltime_graduate": False}, ()),
        ("我非全日制研究生毕业，能在醴陵落户吗", {"fulltime_graduate": False}, ()),
        ("本科毕业，不过是自考的", {"fulltime_graduate": False}, ()),
        # … unless taken back; and schooling before a degree does not prevail.
        ("我是自考的，不对，是全日制本科毕业的", {"fulltime_graduate": True}, ()),
        ("我高中毕业后读了三年大专", {"fulltime_graduate": True}, ()),
        ("我是全日制本科毕业的，不是自考", {"fulltime_graduate": True}, ()),
        # A wedding without the certificate; a spouse's death; not a relative's death.
        ("我们办了酒席，但是结婚证还没领", {"marital_status": "unmarried"}, ()),
        ("我不是离婚，是老公前年过世了", {"marital_status": "widowed"}, ()),
        ("我老公的妈妈去世了，户口要注销吗", {"marital_status": "married"}, ()),
        # A prison term in other words.
        ("2012年因为打架判了九年，2020年出来的", {"released_hukou_cancelled": True}, ()),
        ("判刑的时候户口就被注销了", {"released_hukou_cancelled": True}, ()),
        ("孩子今年读三年级", {}, ("released_hukou_cancelled",)),
        # … but not a suspended sentence or a divorce judgement (found by the second reader).
        ("判了三年缓刑", {}, ("released_hukou_cancelled",)),
        ("判了三年，缓刑四年", {}, ("released_hukou_cancelled",)),
        ("法院判了离婚两年了", {"marital_status": "divorced"}, ("released_hukou_cancelled",)),
        ("老公每天加班累死了", {"marital_status": "married"}, ()),
        ("结婚证还没领，我想落户到老公那里", {"marital_status": "unmarried"}, ()),
        # Of two prevailing statements the last wins; 亲自考察 is no 自考.
        ("听说自考不能落户，我是统招本科毕业", {"fulltime_graduate": True}, ()),
        ("我是电大毕业的，后来又考了全日制研究生", {"fulltime_graduate": True}, ()),
        ("我亲自考察过", {}, ("fulltime_graduate",)),
        # 落户 after the spouse is a wish, not where the spouse's hukou is; a move done is.
        ("想投靠老公落户城里", {"join_relative": "spouse"}, ("current_hukou_area",)),
        ("老公想落户城里，我也跟着", {}, ("spouse_hukou_area", "current_hukou_area")),
        ("老公去年已经落户城里了，我想投靠他", {"spouse_hukou_area": "liling_urban"}, ()),
        ("老公去年想落户城里没办成", {}, ("spouse_hukou_area", "current_hukou_area")),
        ("老公去年要迁到城里，没迁成", {}, ("spouse_hukou_area", "current_hukou_area")),
        # A person after 跟 is the object of the clause before, not the topic that runs on.
        (
            "我儿子在城里买了房子，我跟他住了两年了，户口还在乡下没动，想迁到他那里去",
            {"current_hukou_area": "liling_rural", "join_relative": "child"},
            ("relative_hukou_area",),
        ),
        # … but 现在 is no 在, and 和 joins two subjects (the second reader's probes).
        ("现在女儿在城里上班，户口还在村里", {"relative_hukou_area": "liling_rural"}, ()),
        ("我和儿子都在城里住，户口都在村里", {"relative_hukou_area": "liling_rural"}, ()),
        # A home bought on a mortgage or in written words; living in a rented room (not letting
        # one's own, not a public rental one applies for).
        ("我在城里按揭了一套房子", {"housing": "owned"}, ()),
        ("房本已经拿到了", {"housing": "owned"}, ()),
        ("我购置了住房一套在国瓷", {"housing": "owned"}, ()),
        ("我住的出租屋，房东不肯配合", {"housing": "rented"}, ()),
        ("购房补贴怎么申请", {}, ("housing",)),
        ("我房子出租给别人了", {}, ("housing",)),
        # 落城里 with a will; a birth's registration is the newborn's, not the parent's move.
        ("毕业了能落城里吗", {"goal": "settle_urban"}, ()),
        ("孩子刚生，想落城里", {"goal": "newborn"}, ()),
        ("想让孩子跟妈妈落城区，孩子上个月出生的", {"goal": "newborn"}, ()),
        # A spouse who serves no more (the cue inside the match).
        ("我老公不是现役军人了", {"spouse_serving_soldier": False}, ()),
        # A hukou cancelled for a prison term or re-education, in more words.
        ("劳动教养的时候户口被注销了", {"released_hukou_cancelled": True}, ()),
        ("今年刑慢释放，判刑的时候户口被注消了", {"released_hukou_cancelled": True}, ()),
        # Shareholders, approved recruitment, licensed professions.
        ("工商登记的股东名单上有我", {"investor_or_founder": True}, ()),
        ("经人社局批准招聘进来的老师", {"transferred_or_recruited": True}, ()),
        ("我是执业医师", {"professional_qualification": True}, ()),
        # Input-method homophones of the policy's words.
        (
            "胡口在湘乡，想洛户城区",
            {"goal": "settle_urban", "current_hukou_area": "outside_liling"},
            (),
        ),
        # A post cue before the next clause's first word ends its clause (voice input).
        ("社保没交户口还在乡下", {"urban_social_insurance": False}, ()),
        # A move that names no place goes where the spouse's hukou is.
        (
            "老公户口在嘉树镇的村里，我户口在贵州，想投靠老公落户",
            {"goal": "move_rural", "spouse_hukou_area": "liling_rural"},
            (),
        ),
        ("老公户口在村里，我想投靠他落户城里", {"goal": "settle_urban"}, ()),
        # Said of the speaker and someone joined to them: the speaker's too.
        ("我和老公在仙岳山街道买了房", {"housing": "owned"}, ()),
        ("我和老婆都在厂里上班，都交了城镇社保", {"urban_social_insurance": True}, ()),
        # A divorce stays the status whatever 老公 follows; one under way is still a marriage.
        ("我离婚了，当初结婚把户口迁到老公那边", {"marital_status": "divorced"}, ()),
        ("我和老公在闹离婚，还没去办手续", {"marital_status": "married"}, ()),
        ("离婚后又结婚了，老公户口在城里", {"marital_status": "married"}, ()),
        ("现在离咯婚，想迁回娘屋里", {"marital_status": "divorced"}, ()),
        # The second reader's probes of this change: none of these may change.
        ("名下无房可以落户城里吗", {"housing": "none"}, ()),
        ("我户口在长沙，名下没有房产", {"housing": "none"}, ()),
        ("我户口迁离了村里，老公户口在村里", {"marital_status": "married"}, ()),
        ("我生了病，能落城里吗", {"goal": "settle_urban"}, ()),
        ("老公还没退伍在部队服役", {"spouse_serving_soldier": True}, ()),
        ("我老婆没工作，她在部队当兵", {"spouse_serving_soldier": True}, ()),
        ("我老公以前是军人，不是现役了", {"spouse_serving_soldier": False}, ()),
        ("我是房东，想把房子租给别人", {}, ("housing",)),
        ("我交了房屋维修基金", {}, ("housing",)),
        ("我们七组房屋拆迁了", {}, ("housing",)),
        ("政府在建设保障房", {}, ("urban_social_insurance",)),
        ("我想考事业编制，考上了能落户吗", {}, ("transferred_or_recruited",)),
        ("人社局审批要多久", {}, ("transferred_or_recruited",)),
        ("购房后多久可以落户", {}, ("housing",)),
        # Overseas Chinese and Taiwan residents coming back: national rules (三(一)7, 三(二)9).
        (
            "我是华侨，出国时户口注销了，现在想回醴陵城区定居，能恢复户口吗",
            {"goal": "settle_urban", "national_rule_case": "returned_overseas"},
            (),
        ),
        (
            "我是台湾居民，想回老家定居，可以在村里落户吗",
            {"goal": "move_rural", "national_rule_case": "returned_overseas"},
            (),
        ),
        ("我在深圳华侨城上班", {}, ("national_rule_case",)),
        # A part-time master's is no full-time degree; a hukou moved out of school is not there.
        ("我是在职读的研究生，已经毕业了", {"fulltime_graduate": False}, ()),
        ("户口已经从学校迁到深圳工作单位的集体户", {"hukou_at_school": False}, ()),
        ("我户口还在学校，想迁回村里", {"hukou_at_school": True}, ()),
    ],
)
def test_statements_that_settle_a_fact(
    extractor: FactExtractor, text: str, expected: dict[str, object], absent: tuple[str, ...]
) -> None:
    facts = extractor.facts(text)
    assert {name: facts.get(name) for name in expected} == expected
    assert not set(absent) & set(facts)


def test_a_correction_takes_back_what_it_speaks_of(extractor: FactExtractor) -> None:
    """A later chat turn that corrects an earlier one resets the facts it speaks of."""
    text = "哦我搞错了，社保是株洲那边公司交的，人也在株洲上班，醴陵只是有套房子在城区"
    chosen, _ = extractor.read(text)
    assert {name: m.value for name, m in chosen.items()} == {"housing": "owned"}
    assert extractor.retracted(text, chosen) == {"urban_social_insurance", "employed_in_liling"}
    assert "investor_or_founder" in extractor.read("我开了个奶茶店，能落户吗")[1]
    # said again after the correction: a new value, not taken back
    text = "不对，我老婆户口在村里"
    assert extractor.retracted(text, extractor.read(text)[0]) == frozenset()
    # no correction: nothing taken back
    text = "我在城里上班，没交社保"
    assert extractor.retracted(text, extractor.read(text)[0]) == frozenset()
