"""Word lists for the generated demo: where projects sit and how big each place is, project name templates
per category and chain, the lists' sizes and the seed's sums (DESIGN.md §1), and the investors' words.

Plain data, no database: :mod:`crm.demo.plan` draws from it with a seeded ``random.Random``.
"""
from __future__ import annotations

from crm.demo import data

# The seed's plan (临汾 2022 项目建设年), at scale 1: projects per (list, active by the March launch).
# 新开工 started + 续建 resumed = 190 + 331 = 521; all lists = 1,031.
COUNTS = {("new", True): 190, ("new", False): 240, ("continuing", True): 331, ("continuing", False): 120,
          ("preparing", False): 150}
# Sums in 万元 at scale 1: 4,190亿元 total and 907亿元 planned this year; the started or resumed 521:
# 2,139.5亿元 total and 584亿元 this year.
ALL_TOTAL, ALL_PLANNED = 41_900_000, 9_070_000
ACTIVE_TOTAL, ACTIVE_PLANNED = 21_395_000, 5_840_000
# 100亿-class projects per scale unit, among the active and the other projects.
BIG = {True: 4, False: 3}

# 责任单位 weights: (unit name, weight). Counties by size (沿汾 plain larger than the 沿黄 hills).
COUNTY_WEIGHTS = {"尧都区": 12, "侯马市": 7, "霍州市": 6, "曲沃县": 6, "翼城县": 5, "襄汾县": 6, "洪洞县": 7,
                  "古县": 3, "安泽县": 3, "浮山县": 3, "吉县": 2, "乡宁县": 4, "大宁县": 2, "隰县": 2,
                  "永和县": 1.5, "蒲县": 2, "汾西县": 2}
ZONE_WEIGHT = {"侯马经济开发区": 3, "尧都高新技术产业开发区": 3}  # other county zones: 1.5
CITY_ZONE_WEIGHT = 5
CITY_DEPT_WEIGHTS = {"临汾市发展和改革委员会": 4, "临汾市重点工程建设服务中心": 1.5, "临汾市投资促进局": 1}
CITY_CODE = "141000"
CITY_ZONE_COUNTY = "尧都区"  # where 临汾开发区 lies (its 建设地点)

COUNTY_CODES = {name: code for name, code, _group in data.COUNTIES}
ZONE_COUNTY = {zone: county for zone, _short, county in data.COUNTY_ZONES}
SHORT_NAMES = {zone: short for zone, short, _county in data.COUNTY_ZONES} | {
    data.CITY_ZONE[0]: data.CITY_ZONE[1], **{dept: "临汾市" for dept, _short in data.CITY_DEPTS}}

# Category weights per kind of unit, and the sources of each category.
CATEGORY_WEIGHTS = {"county": {"industry": 52, "infrastructure": 22, "livelihood": 18, "ecology": 8},
                    "zone": {"industry": 88, "infrastructure": 12},
                    "dept": {"infrastructure": 55, "livelihood": 35, "ecology": 10}}
SOURCE_WEIGHTS = {"industry": {"attraction": 55, "enterprise": 40, "assigned": 5},
                  "infrastructure": {"government": 70, "assigned": 25, "enterprise": 5},
                  "livelihood": {"government": 80, "assigned": 20},
                  "ecology": {"government": 70, "assigned": 30}}

# Industrial names by chain: (segment index, template, GB/T 4754 division); {n} is a size.
CHAIN_NAMES = {
    "特钢": [(2, "年产{n}0万吨高端特钢项目", 31), (3, "{n}0万吨精品钢材深加工项目", 31), (4, "特钢精密锻件生产线项目", 33),
           (5, "汽车零部件精密加工项目", 36), (1, "焦化升级改造项目", 25)],
    "装备制造": [(3, "智能装备制造产业园项目", 35), (2, "高端液压件生产基地项目", 34), (1, "矿山机械关键零部件项目", 35),
             (4, "装备再制造及运维服务中心项目", 43)],
    "新能源": [(4, "{n}00MW光伏发电项目", 44), (3, "{n}GWh储能电站项目", 44), (2, "高效光伏组件生产线项目", 38),
            (1, "{n}GW高效电池片项目", 38), (4, "{n}0万千瓦风电项目", 44)],
    "碳基新材料": [(1, "年产{n}0万吨针状焦项目", 25), (2, "碳纤维复合材料项目", 30), (3, "锂电负极材料一体化项目", 30),
              (0, "煤焦油深加工项目", 26)],
}
OTHER_INDUSTRY = [("农产品精深加工项目", 13), ("现代物流园项目", 59), ("文旅康养综合体项目", 87), ("数字经济产业园项目", 65),
                  ("医药中间体项目", 27), ("绿色建材产业园项目", 30), ("特色食品加工项目", 14), ("冷链物流中心项目", 59)]
CATEGORY_NAMES = {
    "infrastructure": [("城乡供水一体化工程", 46), ("城区集中供热管网改造工程", 44), ("污水处理厂提标改造工程", 46),
                       ("国省干线公路改建工程", 48), ("220千伏输变电工程", 44), ("燃气管网建设项目", 45),
                       ("5G基站及数据中心项目", 63), ("物流园区道路工程", 48)],
    "livelihood": [("人民医院新院区建设项目", 84), ("第{n}中学建设项目", 83), ("老旧小区改造项目", 47), ("保障性租赁住房项目", 70),
                   ("职业技术学校实训基地项目", 83), ("养老服务中心项目", 85), ("全民健身中心项目", 89)],
    "ecology": [("汾河流域生态修复工程", 77), ("矿山生态修复项目", 77), ("{n}万亩造林绿化工程", 2), ("湿地公园建设项目", 78),
                ("黄河流域水土保持项目", 76)],
}
BIG_NAMES = {"industry": ("年产{n}00万吨焦化升级及化产深加工项目", 25), "infrastructure": ("高速公路建设项目", 48)}
NATURES = {"new": 70, "expand": 20, "rebuild": 10}
PHASES = ("", "", "", "（一期）", "（二期）", "（三期）")

# 投资项目代码 kinds: 01 审批 (government), 02 核准, 03 备案 (enterprise).
CODE_KIND = {"government": "01", "assigned": "01", "attraction": "03", "enterprise": "03"}

PROGRESS = ("场地平整完成", "基础施工中", "主体结构施工中", "设备基础浇筑完成", "钢结构安装中", "设备安装调试中", "管网铺设中")
PROBLEM_TITLES = {"land": "用地指标尚未落实", "funds": "项目资本金不到位", "approval": "环评手续办理滞后",
                  "energy": "用电接入需协调", "environment": "施工扬尘治理需整改", "labour": "用工短缺", "other": "周边群众协调"}
PROBLEM_STATUS_WEIGHTS = {"raised": 15, "assigned": 20, "handling": 25, "answered": 15, "closed": 25}
PROBLEM_LEVEL_WEIGHTS = {"county": 70, "city": 25, "province": 5}

# Units that host the generated leads, each with a generated officer: the counties and the city's
# investment office and zone. 尧都区 keeps only the hand-made pipeline its demo users work on.
LEAD_UNITS = [name for name in COUNTY_WEIGHTS if name != "尧都区"] + [data.CITY_ZONE[0], "临汾市投资促进局"]

# Investors from the three target clusters.
CLUSTER_WEIGHTS = {"jjj": 35, "yrd": 40, "gzpc": 25}
TRADE_CHARS = "华宏鑫泰瑞恒盛兴达通源鼎金海天中新远博创智德安康丰顺隆信诚嘉福祥和美永昌荣辉光明宇峰云龙建科联成汇聚星辰润泽佳景元正立伟东"
CHAIN_INDUSTRY = {"特钢": ("钢铁", "3130"), "装备制造": ("重工机械", "3511"), "新能源": ("新能源科技", "3825"),
                  "碳基新材料": ("碳素材料", "3091")}
OTHER_INVESTOR = (("供应链管理", None), ("医药科技", "2710"), ("电子科技", "3824"), ("储能科技", "3841"))
FORMS = ("有限公司", "有限公司", "股份有限公司", "集团有限公司")
EXIT_STAGES = ("paused", "ended")
LEAD_STAGE_WEIGHTS = {"clue": 30, "contact": 22, "visit": 15, "negotiate": 13, "signed": 12, "paused": 4, "ended": 4}
LEAD_METHODS = {"business": 30, "chain": 30, "zone": 15, "personal": 10, "county": 15}
INTERACTIONS = {"clue": (0, 1), "contact": (1, 2), "visit": (2, 3), "negotiate": (3, 5), "signed": (4, 6),
                "paused": (1, 3), "ended": (1, 2)}
INTERACTION_KINDS = {"call": 35, "wechat": 20, "visit": 20, "meeting": 10, "delegation": 8, "fair": 4, "mail": 3}
SUMMARIES = {"call": "电话沟通投资意向，对方关注用地和配套政策", "wechat": "微信发送园区招商资料，对方表示将内部研究",
             "visit": "赴企业总部拜访，介绍{unit}产业基础和营商环境", "meeting": "召开项目对接会，讨论选址和建设规模",
             "delegation": "企业考察团来访，实地察看拟选地块", "fair": "在投资推介会上洽谈合作意向", "mail": "寄送项目建议书及优惠政策汇编"}
