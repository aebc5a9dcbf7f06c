"""Chinese names for people, companies, cooperatives and branches, drawn vectorised.

Every function takes a numpy Generator and returns an object array of str, so
a million names cost a few array operations, not a million Python calls.
"""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

# Common surnames, most frequent first (their weights fall with rank).
SURNAMES = np.array(list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
), dtype=object)
GIVEN = np.array(list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建文斌宇浩凯俊帆琳雪梅慧婷颖晨欣怡嘉佳"
    "子涵诗雨思博轩睿泽宁晓东海波峰志国庆春燕丹瑶倩琪璐悦蕾彤楠鑫亮飞龙云翔立新永德成林正荣金凤"
), dtype=object)
# Brand syllables of company names (字号).
BRAND = np.array(list("恒信达华鑫盛源泰隆昌宏远丰瑞安顺通利兴发嘉博科创德正海天明辉汇金宝成祥福龙凯弘锦润康宇"
                      "永佳和聚中联新环亚光星"), dtype=object)
CITIES = np.array(["江城", "江城市", "临江", "东湖", "南山", "清河", "云溪", "北塘", "西岭", "江城市新区"], dtype=object)
COMPANY_SUFFIX = np.array(["有限公司", "有限责任公司", "股份有限公司", "有限公司", "有限公司"], dtype=object)

# The 15 industry sub-markets of DOMAIN §2, with a share of corporate customers
# and words that appear in company names of that industry.
INDUSTRIES: dict[str, tuple[float, tuple[str, ...]]] = {
    "农林牧渔": (0.05, ("农业开发", "生态农业", "畜牧", "林业")),
    "采矿": (0.01, ("矿业", "石材")),
    "电力热力燃气及水": (0.02, ("新能源", "燃气", "供水", "热力")),
    "制造": (0.20, ("机械制造", "电子科技", "新材料", "精密仪器", "食品", "纺织", "塑业", "汽车配件")),
    "建筑": (0.08, ("建筑工程", "建设工程", "装饰工程", "市政工程")),
    "财税金融": (0.02, ("财务咨询", "投资管理", "税务师事务所")),
    "房地产": (0.04, ("房地产开发", "置业", "物业管理")),
    "批发零售": (0.22, ("商贸", "贸易", "百货", "超市", "医药连锁", "五金")),
    "交通运输仓储邮政": (0.06, ("物流", "运输", "仓储", "快递")),
    "住宿餐饮": (0.07, ("酒店管理", "餐饮管理", "餐饮")),
    "信息技术服务": (0.08, ("信息技术", "软件", "网络科技", "数据服务")),
    "公共设施管理": (0.02, ("环境工程", "园林绿化")),
    "居民服务修理及其他": (0.06, ("家政服务", "汽车维修", "洗涤服务")),
    "教育卫生文化体育娱乐": (0.04, ("教育咨询", "文化传媒", "体育发展", "健康管理")),
    "公共管理社会保障社会组织": (0.03, ("人力资源", "社会服务")),
}
INDUSTRY_NAMES = np.array(list(INDUSTRIES), dtype=object)
INDUSTRY_SHARES = np.array([share for share, _ in INDUSTRIES.values()])

URBAN_PLACES = (
    "城中", "城东", "城西", "城南", "城北", "开发区", "高新区", "滨江", "新城", "江北", "河西", "湖滨",
    "人民路", "解放路", "中山路", "建设路", "火车站", "大学城", "工业园", "港口", "东湖", "南山",
    "文化路", "长江路", "金融街", "体育馆", "桥北", "西岭", "北塘", "光明路",
)
TOWNS = (
    "青山镇", "白沙镇", "石桥镇", "柳河镇", "马店镇", "新集镇", "花园镇", "长岭镇", "龙泉镇", "桃源镇",
    "杨柳镇", "三河镇", "黄土镇", "双庙镇", "清水镇", "高桥镇", "官庄镇", "临湖镇", "枫林镇", "泉口镇",
)
NUMERALS = ("", "二", "三", "四", "五", "六", "七", "八", "九", "十")


def _pick(rng: np.random.Generator, pool: np.ndarray, n: int, p: np.ndarray | None = None) -> np.ndarray:
    return pool[rng.choice(len(pool), size=n, p=p)]


def person_names(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` Chinese personal names: a surname and one or two given characters."""
    weights = 1.0 / (np.arange(len(SURNAMES)) + 6.0)
    surname = _pick(rng, SURNAMES, n, weights / weights.sum())
    first = _pick(rng, GIVEN, n)
    second = np.where(rng.random(n) < 0.6, _pick(rng, GIVEN, n), "").astype(object)
    return surname + first + second


def company_names(rng: np.random.Generator, industries: np.ndarray) -> np.ndarray:
    """A company name per row, its wording taken from that row's industry."""
    n = len(industries)
    word = np.empty(n, dtype=object)
    for industry, (_, words) in INDUSTRIES.items():
        rows = industries == industry
        word[rows] = _pick(rng, np.array(words, dtype=object), int(rows.sum()))
    brand = _pick(rng, BRAND, n) + _pick(rng, BRAND, n)
    return _pick(rng, CITIES, n) + brand + word + _pick(rng, COMPANY_SUFFIX, n)


def cooperative_names(rng: np.random.Generator, towns: np.ndarray) -> np.ndarray:
    """Farmers' cooperatives (三农 customers that are not households), one per town given."""
    n = len(towns)
    trade = _pick(rng, np.array(["种植", "养殖", "农机", "果蔬", "茶叶", "水产"], dtype=object), n)
    return towns + _pick(rng, BRAND, n) + _pick(rng, BRAND, n) + trade + "专业合作社"


def unique_within(
    rng: np.random.Generator,
    names: np.ndarray,
    groups: np.ndarray,
    draw: Callable[[np.random.Generator, int], np.ndarray],
    fixed: np.ndarray | None = None,
) -> np.ndarray:
    """Redraw names until each is unique within its group; ``fixed`` rows are never redrawn."""
    names = names.copy()
    fixed = np.zeros(len(names), dtype=bool) if fixed is None else fixed
    for _ in range(100):
        frame = pd.DataFrame({"g": groups, "n": names, "fixed": fixed})
        # fixed rows sort first so that their duplicates are the ones redrawn
        order = frame.sort_values("fixed", ascending=False, kind="stable").index
        dup = np.zeros(len(names), dtype=bool)
        dup[order] = frame.loc[order].duplicated(["g", "n"]).to_numpy()
        dup &= ~fixed
        if not dup.any():
            return names
        names[dup] = draw(rng, int(dup.sum()))
    raise RuntimeError("could not draw unique names; the name pool is too small for the group size")


def branch_names(types: list[str]) -> list[str]:
    """Branch names: urban places for most types, towns for township branches, all distinct."""
    names = []
    counters = {"urban": 0, "town": 0}
    for kind in types:
        pool, key = (TOWNS, "town") if kind == "township" else (URBAN_PLACES, "urban")
        k = counters[key]
        counters[key] += 1
        cycle = k // len(pool)
        numeral = NUMERALS[cycle] if cycle < len(NUMERALS) else str(cycle + 1)
        names.append(pool[k % len(pool)] + numeral + "支行")
    return names
