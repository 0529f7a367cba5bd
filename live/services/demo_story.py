"""The demo's story: ten communities of one subdistrict, each with its own weekly broadcast, its
own concerns, and the opinions behind each agenda item.

Everything here is demo content written by (imaginary) residents and staff, so it is Chinese on
every page, as it would be in a real subdistrict. The seeding code is in ``demo.py``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoItem:
    title: str
    category: str
    status: str  # where the item stands today
    responsible: str | None
    outcome: str | None
    #: (text, location): what residents said in the broadcasts, the first one raised it
    opinions: tuple[tuple[str, str], ...]
    #: a near-duplicate raised later, merged into the first opinion by the moderator
    duplicate: str | None = None


@dataclass(frozen=True)
class DemoCommunity:
    slug: str
    name: str
    secretary: str  # the host's display name
    grid_worker: str  # the moderator's display name
    weekday: int  # 0 = Monday: the day of the weekly broadcast (Asia/Shanghai)
    hour: int
    minute: int
    show: str  # the broadcast's name, e.g. 周四直播间
    compounds: tuple[str, ...]
    items: tuple[DemoItem, ...]
    chat: tuple[str, ...]
    upcoming_topic: str
    meeting_format: str = "roundtable"
    meeting_place: str = "社区党群服务中心二楼会议室"
    grids: int = 10  # 119 in all: the communities differ in size
    compounds_total: int = 8  # 89 in all
    residents: int = 5  # residents with an account and a verified household


#: Opinions every community also has: one waiting in triage, one off topic (rejected).
FRESH = (
    ("facilities", "希望周末也能开放社区图书室，孩子们有地方看书。"),
    ("environment", "小区里流浪猫越来越多了，能不能联系救助站？"),
    ("other", "希望社区多组织一些老年人智能手机培训。"),
)
OFF_TOPIC = "直播的声音有点小，后面的人听不清。"
#: Other compound names, after each community's own.
MORE_COMPOUNDS = (
    "梧桐苑",
    "春晖园",
    "东湖小区",
    "翠竹苑",
    "金桂园",
    "阳光家园",
    "锦江花园",
    "铁路新村",
    "电力新村",
    "幸福里",
    "南苑小区",
    "北苑小区",
    "文化新村",
    "建设新村",
)

COMMUNITIES: tuple[DemoCommunity, ...] = (
    DemoCommunity(
        slug="hexie",
        name="和谐社区",
        secretary="李书记",
        grid_worker="王网格员",
        weekday=3,
        hour=19,
        minute=30,
        show="周四直播间",
        compounds=("纺织厂宿舍", "电力新村", "幸福里"),
        grids=18,
        compounds_total=14,
        residents=9,
        items=(
            DemoItem(
                "纺织厂宿舍3号楼加装电梯",
                "renovation",
                "deliberating",
                "业主委员会",
                None,
                (
                    ("希望给老楼加装电梯，六楼的老人上下楼太难了。", "纺织厂宿舍3号楼"),
                    ("加装电梯费用怎么分摊？一楼住户担心采光。", "纺织厂宿舍3号楼1单元"),
                ),
                duplicate="3号楼能不能装个电梯，我妈腿脚不好下不了楼。",
            ),
            DemoItem(
                "电动车集中充电棚建设",
                "parking",
                "resolved",
                "物业公司",
                "已在2号、5号楼之间建成集中充电棚（40个充电位），楼道内不再充电，消防通道每日巡查。",
                (
                    ("楼道里飞线给电动车充电，太危险了。", "电力新村5号楼"),
                    ("晚上电动车把消防通道堵住了，希望划定停车位。", "电力新村"),
                ),
                duplicate="电动车在楼道充电很危险，能不能建个充电棚？",
            ),
            DemoItem(
                "幸福里楼道灯维修",
                "facilities",
                "in_progress",
                "物业公司",
                None,
                (("幸福里2号楼楼道灯坏了三个星期了，晚上很黑。", "幸福里2号楼"),),
            ),
        ),
        chat=("书记好！", "电梯的事什么时候开会？", "充电棚用上了，方便多了", "楼道灯还没修", "听得很清楚"),
        upcoming_topic="加装电梯方案征求意见，欢迎3号楼的居民参加。",
    ),
    DemoCommunity(
        slug="xingfu",
        name="幸福社区",
        secretary="陈书记",
        grid_worker="赵网格员",
        weekday=1,
        hour=19,
        minute=0,
        show="周二议事厅",
        compounds=("锦江花园", "阳光家园"),
        grids=12,
        compounds_total=9,
        residents=6,
        meeting_format="monday_face_to_face",
        items=(
            DemoItem(
                "公开物业收支情况",
                "property",
                "decided",
                "物业公司",
                None,
                (
                    ("物业费涨了，但是保洁次数反而少了，希望公开物业收支。", "锦江花园"),
                    ("公共收益（电梯广告、停车费）去哪了？", "锦江花园"),
                ),
                duplicate="物业能不能把账目公示出来？",
            ),
            DemoItem(
                "地下车库车位只租不售",
                "parking",
                "resolved",
                "业主委员会",
                "业委会与物业协商：车位优先租给本小区业主，月租由每月400元降到300元，公示三个月。",
                (("地下车库车位被外面的人租走了，业主反而没车位。", "阳光家园地下车库"),),
            ),
            DemoItem(
                "装修噪音时间约定",
                "dispute",
                "proposed",
                None,
                None,
                (("楼上装修每天早上七点就开始打电钻，影响休息。", "阳光家园6号楼"),),
            ),
        ),
        chat=("陈书记好", "物业今天来了吗？", "账目什么时候公示", "车位租金降了谢谢", "+1"),
        upcoming_topic="物业收支公示说明会，物业经理到场答疑。",
    ),
    DemoCommunity(
        slug="anning",
        name="安宁社区",
        secretary="周书记",
        grid_worker="孙网格员",
        weekday=2,
        hour=15,
        minute=0,
        show="周三垃圾分类课堂",
        compounds=("东湖小区", "翠竹苑"),
        grids=15,
        compounds_total=11,
        residents=7,
        meeting_format="stairwell",
        meeting_place="东湖小区4号楼楼道口",
        items=(
            DemoItem(
                "调整东湖小区垃圾投放点",
                "garbage",
                "resolved",
                "社区居委会",
                "投放点由1个增加到3个，早晚定时投放时段各延长半小时，配备志愿者督导。",
                (
                    ("垃圾分类投放点太远，老人拿着垃圾要走很远。", "东湖小区"),
                    ("投放时间太短，上班族赶不上。", "东湖小区7号楼"),
                ),
                duplicate="能不能在北门再设一个垃圾投放点？",
            ),
            DemoItem(
                "厨余垃圾及时清运",
                "garbage",
                "in_progress",
                "区城管局",
                None,
                (("厨余垃圾桶没有及时清运，夏天味道很大。", "翠竹苑"),),
            ),
            DemoItem(
                "清理绿化带杂物",
                "environment",
                "scheduled",
                "物业公司",
                None,
                (("小区绿化带里堆了很多杂物，蚊子很多。", "翠竹苑3号楼"),),
            ),
        ),
        chat=("周书记好", "新投放点很方便", "厨余桶又满了", "志愿者辛苦了", "学到了"),
        upcoming_topic="垃圾分类小课堂：厨余垃圾怎么分。",
    ),
    DemoCommunity(
        slug="chaoyang",
        name="朝阳社区",
        secretary="吴书记",
        grid_worker="郑网格员",
        weekday=0,
        hour=10,
        minute=0,
        show="周一面对面",
        compounds=("铁路新村", "金桂园"),
        grids=9,
        compounds_total=7,
        residents=5,
        meeting_format="monday_face_to_face",
        items=(
            DemoItem(
                "健身器材维修",
                "facilities",
                "in_progress",
                "区体育局",
                None,
                (("健身器材坏了很久没人修，孩子玩的时候有危险。", "铁路新村小广场"),),
                duplicate="小广场的单杠松了，太危险了。",
            ),
            DemoItem(
                "开办社区老年助餐点",
                "other",
                "resolved",
                "社区居委会",
                "社区食堂已开办助餐点，70岁以上老人午餐每份补贴5元，可送餐上门。",
                (
                    ("独居老人做饭不方便，希望社区办个老年食堂。", "金桂园"),
                    ("我们楼好几位老人都需要送餐。", "金桂园2号楼"),
                ),
            ),
            DemoItem(
                "单元门口修无障碍坡道",
                "renovation",
                "proposed",
                None,
                None,
                (("坐轮椅出不了单元门，台阶太高了。", "铁路新村8号楼"),),
            ),
        ),
        chat=("吴书记早", "助餐点的饭很好吃", "器材什么时候修好", "坡道的事请重视", "谢谢社区"),
        upcoming_topic="周一面对面：无障碍坡道改造方案。",
    ),
    DemoCommunity(
        slug="minsheng",
        name="民生社区",
        secretary="冯书记",
        grid_worker="钱网格员",
        weekday=4,
        hour=19,
        minute=30,
        show="周五民生直播间",
        compounds=("春晖园", "梧桐苑"),
        grids=11,
        compounds_total=8,
        residents=5,
        meeting_format="peacemaker",
        items=(
            DemoItem(
                "早市占道经营整治",
                "environment",
                "resolved",
                "街道综合执法队",
                "早市移入梧桐苑东侧临时市场，6:00–8:30营业，收市后半小时内清扫。",
                (("早市把路都占了，救护车都进不来。", "梧桐苑门口"),),
                duplicate="门口早市太乱了，车开不进去。",
            ),
            DemoItem(
                "一楼餐馆油烟扰民",
                "dispute",
                "deliberating",
                "区生态环境局",
                None,
                (
                    ("楼下饭店的油烟直接冲到我家窗户，窗都不敢开。", "春晖园1号楼"),
                    ("油烟管道应该接到楼顶排放。", "春晖园1号楼"),
                ),
            ),
        ),
        chat=("冯书记好", "早市搬了以后干净多了", "油烟问题什么时候解决", "我是和事佬的会我去", "+1"),
        upcoming_topic="我是和事佬：一楼餐馆和楼上住户面对面。",
    ),
    DemoCommunity(
        slug="yuhua",
        name="雨花社区",
        secretary="褚书记",
        grid_worker="卫网格员",
        weekday=3,
        hour=20,
        minute=0,
        show="周四夜话",
        compounds=("雨花新村", "南苑小区"),
        grids=16,
        compounds_total=12,
        residents=8,
        meeting_format="streetlamp",
        meeting_place="雨花新村中心路灯下",
        items=(
            DemoItem(
                "雨污分流改造",
                "renovation",
                "in_progress",
                "区住建局",
                None,
                (
                    ("一下大雨小区就积水，下水道返臭。", "雨花新村"),
                    ("雨水管和污水管混在一起，希望改造。", "雨花新村4号楼"),
                ),
                duplicate="每次下雨小区门口都淹了。",
            ),
            DemoItem(
                "疏通南苑化粪池",
                "environment",
                "resolved",
                "物业公司",
                "化粪池已清掏疏通，物业承诺每半年清掏一次并公示时间。",
                (("化粪池堵了，一楼卫生间往上冒水。", "南苑小区2号楼"),),
            ),
        ),
        chat=("褚书记晚上好", "雨污分流施工注意安全", "化粪池弄好了", "施工噪音有点大", "辛苦了"),
        upcoming_topic="雨污分流施工进度通报，路灯会议现场答疑。",
    ),
    DemoCommunity(
        slug="jinxiu",
        name="锦绣社区",
        secretary="蒋书记",
        grid_worker="沈网格员",
        weekday=5,
        hour=9,
        minute=30,
        show="周六早安直播间",
        compounds=("锦绣华庭", "锦绣花苑"),
        grids=6,
        compounds_total=4,
        residents=4,
        items=(
            DemoItem(
                "门禁系统更换",
                "property",
                "resolved",
                "物业公司",
                "门禁已更换为刷卡加人脸识别，访客登记，老人可到物业免费办卡。",
                (("门禁经常坏，陌生人随便进出。", "锦绣华庭"),),
                duplicate="小区大门的门禁又坏了。",
            ),
            DemoItem(
                "增设快递柜",
                "facilities",
                "decided",
                "物业公司",
                None,
                (("快递堆在门卫室，经常丢件。", "锦绣华庭北门"),),
            ),
            DemoItem(
                "高空抛物治理",
                "dispute",
                "scheduled",
                "社区民警",
                None,
                (
                    ("楼上又扔垃圾下来，差点砸到孩子。", "锦绣花苑5号楼"),
                    ("希望装高空抛物监控。", "锦绣花苑5号楼"),
                ),
            ),
        ),
        chat=("蒋书记早上好", "新门禁挺好用", "快递柜什么时候装", "高空抛物太吓人了", "支持装监控"),
        upcoming_topic="高空抛物治理：监控安装位置征求意见。",
    ),
    DemoCommunity(
        slug="qinghe",
        name="清河社区",
        secretary="韩书记",
        grid_worker="杨网格员",
        weekday=2,
        hour=19,
        minute=30,
        show="周三清河议事",
        compounds=("清河湾", "河畔人家"),
        grids=10,
        compounds_total=8,
        residents=5,
        meeting_format="one_issue",
        items=(
            DemoItem(
                "清理河道漂浮垃圾",
                "environment",
                "resolved",
                "区水务局",
                "河道保洁每天两次，设置3处垃圾拦截网，河长公示牌已更新联系电话。",
                (("清河里漂着很多垃圾和塑料袋。", "清河湾沿河步道"),),
            ),
            DemoItem(
                "广场舞音量约定",
                "dispute",
                "closed",
                None,
                None,
                (("晚上九点以后广场舞音响还很响。", "河畔人家中心广场"),),
                duplicate="广场舞太吵了，孩子没法写作业。",
            ),
            DemoItem(
                "沿河步道增设路灯",
                "facilities",
                "proposed",
                None,
                None,
                (("沿河步道晚上太黑，散步不安全。", "清河湾沿河步道"),),
            ),
        ),
        chat=("韩书记好", "河道干净多了", "广场舞已经小声了", "步道确实太黑", "+1"),
        upcoming_topic="一期一会：沿河步道路灯。",
    ),
    DemoCommunity(
        slug="taoyuan",
        name="桃园社区",
        secretary="朱书记",
        grid_worker="秦网格员",
        weekday=1,
        hour=15,
        minute=30,
        show="周二桃园说事",
        compounds=("桃园新村", "机械厂宿舍"),
        grids=14,
        compounds_total=10,
        residents=6,
        items=(
            DemoItem(
                "机械厂宿舍外墙改造",
                "renovation",
                "in_progress",
                "区住建局",
                None,
                (
                    ("3号楼外墙脱落，下雨天楼道漏水，希望纳入老旧小区改造。", "机械厂宿舍3号楼"),
                    ("外墙砖掉下来差点砸到人。", "机械厂宿舍3号楼"),
                ),
                duplicate="我们楼外墙一直掉东西，太危险了。",
            ),
            DemoItem(
                "顶楼屋面防水维修",
                "renovation",
                "resolved",
                "物业公司",
                "6栋顶楼屋面已重做防水，质保五年。",
                (("顶楼一下雨就漏水，墙都发霉了。", "桃园新村6号楼"),),
            ),
            DemoItem(
                "拆除楼顶违规搭建",
                "dispute",
                "deliberating",
                "街道综合执法队",
                None,
                (("有人在楼顶搭了棚子，影响防水施工。", "桃园新村6号楼"),),
            ),
        ),
        chat=("朱书记好", "外墙施工什么时候结束", "顶楼不漏了谢谢", "违建要依法拆除", "听到了"),
        upcoming_topic="老旧小区改造进度通报。",
    ),
    DemoCommunity(
        slug="fengle",
        name="丰乐社区",
        secretary="许书记",
        grid_worker="何网格员",
        weekday=4,
        hour=18,
        minute=30,
        show="周五家长议事会",
        compounds=("丰乐苑", "学府花园"),
        grids=8,
        compounds_total=6,
        residents=4,
        meeting_format="family",
        items=(
            DemoItem(
                "小学门口接送拥堵",
                "parking",
                "decided",
                "交警大队",
                None,
                (
                    ("放学时间学校门口堵得水泄不通。", "学府花园南门"),
                    ("希望设临时停车接送区。", "学府花园"),
                ),
                duplicate="学校门口接孩子的车太多了，堵死了。",
            ),
            DemoItem(
                "共享单车乱停放",
                "parking",
                "resolved",
                "区城管局",
                "在丰乐苑东门划定单车停放区，运营企业每日两次清运。",
                (("共享单车把盲道都占了。", "丰乐苑东门"),),
            ),
            DemoItem(
                "更新儿童游乐设施",
                "facilities",
                "proposed",
                None,
                None,
                (("滑梯生锈了，孩子划伤了手。", "丰乐苑中心花园"),),
            ),
        ),
        chat=("许书记好", "接送区什么时候划好", "单车整齐多了", "滑梯真的该换了", "谢谢"),
        upcoming_topic="家长议事会：学校门口接送区方案。",
    ),
)

#: The kind of each responsible party (see ``PARTY_KINDS`` in accountability).
PARTY_KINDS: dict[str, str] = {
    "物业公司": "property",
    "业主委员会": "owners_committee",
    "社区居委会": "committee",
    "社区民警": "department",
    "交警大队": "department",
    "街道综合执法队": "department",
    "区城管局": "department",
    "区体育局": "department",
    "区生态环境局": "department",
    "区住建局": "department",
    "区水务局": "department",
}

#: The responsible party's first answer to each item (its response, within the time limit).
ANSWERS: dict[str, str] = {
    "纺织厂宿舍3号楼加装电梯": "业委会已逐户收集3号楼意向，正在统计各楼层意见，下次议事会讨论费用分摊方案。",
    "电动车集中充电棚建设": "物业已选址2号、5号楼之间的空地，报街道审批后本月内动工。",
    "幸福里楼道灯维修": "已报修，灯具已订货，到货后本周内更换。",
    "公开物业收支情况": "物业同意每季度在公告栏和业主群公示收支明细，第一期下月初公示。",
    "地下车库车位只租不售": "业委会已约物业协商车位出租规则，优先保障本小区业主。",
    "调整东湖小区垃圾投放点": "居委会已实地查看，拟在北门和7号楼旁各增设一个投放点。",
    "厨余垃圾及时清运": "已协调清运公司夏季每天增加一次清运。",
    "清理绿化带杂物": "物业已排期，下周六组织保洁和志愿者集中清理。",
    "健身器材维修": "已登记损坏器材，在厂家保修期内，免费更换配件。",
    "开办社区老年助餐点": "居委会正与社区食堂商谈助餐合作，先统计需要送餐的老人。",
    "早市占道经营整治": "执法队已约谈摊主，拟在梧桐苑东侧设临时市场。",
    "一楼餐馆油烟扰民": "已上门检测，油烟浓度超标，已责令餐馆限期整改。",
    "雨污分流改造": "已纳入今年雨污分流改造计划，施工队下月进场。",
    "疏通南苑化粪池": "物业已联系清掏车，两天内处理完毕。",
    "门禁系统更换": "物业已报价更换门禁系统，费用经业委会同意从公共收益列支。",
    "增设快递柜": "物业已联系两家快递柜企业，初步选址北门。",
    "高空抛物治理": "民警已走访5号楼住户，正在排查，并评估安装监控的位置。",
    "清理河道漂浮垃圾": "河道保洁已由每天一次增加到两次。",
    "机械厂宿舍外墙改造": "已纳入老旧小区改造，施工前先在外墙拉设防护网。",
    "顶楼屋面防水维修": "物业已勘察漏水点，雨季前完成维修。",
    "拆除楼顶违规搭建": "已下发限期拆除通知书，逾期将依法强制拆除。",
    "小学门口接送拥堵": "交警已实地查看，拟在南门设临时接送停车区。",
    "共享单车乱停放": "已约谈运营企业，在东门划定停放区。",
}

#: What residents wrote beside their ratings of a resolved item.
#: What residents write beside a rating, by rating (an empty one: no comment).
RATING_COMMENTS = {
    "satisfied": ("办得好，谢谢社区", "希望保持下去", "", ""),
    "basically_satisfied": ("基本解决了", "速度再快一点就好了", ""),
    "unsatisfied": ("还是老样子，没看到什么变化", "说了好几次了，没人来看", ""),
}
