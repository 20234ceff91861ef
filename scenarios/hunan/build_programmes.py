"""Write scenarios/hunan/programmes.csv: the Hunan plan's counted construction programmes.

Run from the repository root after build_tables.py:  python scenarios/hunan/build_programmes.py

Each row names its seed line; where the Hunan plan gives no size or money, the figure is borrowed from
the Tongdao plan (seed 003, a county of Hunan) and says so in ``cost_source``. City-level ("市级")
programmes name one county-level unit per city by a documented rule (the city's 市辖区 with the largest
population aged 60+; 湘西州: its 县级市 吉首市), since facilities stand in county-level units.
"""
import csv
import math
S="000_df0e2ee655117bc1.txt"; T="003_d8a032d88d4cf936.txt"
units={r['id']:r for r in csv.DictReader(open('scenarios/hunan/units.csv',encoding='utf-8'))}
dem={r['unit']:r for r in csv.DictReader(open('scenarios/hunan/unit_demography.csv',encoding='utf-8'))}
older={k:int(r['base_population'])*float(r['share_60plus'])/100 for k,r in dem.items()}
pref={v['name_zh']:k for k,v in units.items() if v['level']=='prefecture'}
def seat(city):
    pc=pref[city]
    ds=[k for k,v in units.items() if v['parent']==pc and v['level']=='district'] or [k for k,v in units.items() if v['parent']==pc and v['kind_zh']=='县级市']
    return max(ds,key=lambda k:older[k])
def named(cities): return ";".join(seat(c) for c in cities)
SEATRULE="named units: each city's 市辖区 (湘西州, which has none: its 县级市 吉首市) with the largest population aged 60+ (derived rule; the plan names the city, not the site)"
H=["id","name_zh","facility_type","count","level","allocation","named_units","functions","beds","beds_nursing","plots","area_m2","staff","unit_cost","investment_total","money_unit","cost_source","start","end","deadline","funding","source","note"]
rows=[]
def add(**k):
    r={h:"" for h in H}; r.update({"level":"county","start":"2021-01","end":"2025-12","deadline":"2025-12","money_unit":"万元"}); r.update(k); rows.append(r)
RELIEF_COST=f"borrowed: Tongdao plan {T}:109 (社会救助管理站 建设床位50张, 拟投资960万元); the Hunan plan gives no money"
add(id="PG01",name_zh="市级救助管理站新建或改扩建（衡阳市、张家界市、娄底市）",facility_type="relief_station",count=3,allocation="named",named_units=named(["衡阳市","张家界市","娄底市"]),beds=50,unit_cost=960,cost_source=RELIEF_COST,source=f"{S}:252",note=SEATRULE+"; beds 50 borrowed with the cost (Tongdao line 109)")
add(id="PG02",name_zh="县级救助管理站新建或改扩建（33所）",facility_type="relief_station",count=33,allocation="by_older",beds=50,unit_cost=960,cost_source=RELIEF_COST,source=f"{S}:252",note="the plan names no counties; by_older (the 33 counties with the largest 60+ population) is the replaceable rule; 111 救助管理机构 exist (line 12) but their counties are not stated, so 'lacking' cannot be applied")
CARE_COST=f"borrowed: Tongdao plan {T}:573; {T}:574 (多功能养护楼 增加500张养老床位, 1亿元 = 10000万元); the Hunan plan gives no size or money"
add(id="PG03",name_zh="湖南省第一社会福利院（新建，省级养老示范项目）",facility_type="care_home",count=1,allocation="named",named_units=seat("长沙市"),beds=500,unit_cost=10000,cost_source=CARE_COST,source=f"{S}:268; {S}:275",note="site not stated: placed in 长沙市 (provincial capital; assumption) at "+SEATRULE.split(': ',1)[1]+"; beds 500 borrowed with the cost")
cities11=["长沙市","株洲市","湘潭市","衡阳市","岳阳市","常德市","张家界市","益阳市","永州市","娄底市","湘西土家族苗族自治州"]
add(id="PG04",name_zh="市级公办养老机构新建、续建、改扩建（11个市州）",facility_type="care_home",count=11,allocation="named",named_units=named(cities11),beds=500,unit_cost=10000,cost_source=CARE_COST,source=f"{S}:276",note=SEATRULE+"; beds 500 borrowed with the cost")
REG_COST=f"borrowed: Tongdao plan {T}:555 (单个机构不少于30张护理型床位, 投资按每床位12万元 -> 30 x 12 = 360万元)"
add(id="PG05A",name_zh="区域中心敬老院新建、续建、改扩建（200个以上：每县1个）",facility_type="care_home",count=122,allocation="every",functions="regional;tekun",beds=30,beds_nursing=30,unit_cost=360,cost_source=REG_COST,source=f"{S}:277; {S}:264; derived: 200 = 122 (one per county-level unit) + 78 (PG05B)",note="200 (line 277) over 122 county-level units: one in every unit (this row) and 78 more by_older (PG05B); the contract places at most one per unit per programme, hence two rows; size borrowed (Tongdao line 555)")
add(id="PG05B",name_zh="区域中心敬老院新建、续建、改扩建（200个以上：其余78个）",facility_type="care_home",count=78,allocation="by_older",functions="regional;tekun",beds=30,beds_nursing=30,unit_cost=360,cost_source=REG_COST,source=f"{S}:277; derived: 200 - 122 = 78",note="200 - 122 = 78 (derived), to the 78 counties with the largest 60+ population (replaceable rule); conflicts C02 (每个县2个以上, line 264)")
add(id="PG06",name_zh="县级失能照护服务机构（每县一所）",facility_type="care_home",count=122,allocation="every",functions="disabled_care;nursing",beds=30,beds_nursing=30,unit_cost=360,cost_source=REG_COST,source=f"{S}:264; {S}:277; derived: one in every county-level unit (122)",note="每个县至少建有1所 (line 264), 指导每个县建设一所 (line 277): read as every county-level unit (122; districts included, assumption); size borrowed (Tongdao line 555), all beds nursing-type (assumption: a disability care institution)")
FUN_COST=f"borrowed: Tongdao plan {T}:668 (殡仪馆及公益性公墓建设项目 0.67亿元 = 6700万元)"
add(id="PG07",name_zh="市级殡仪馆新建或改扩建（7个市）",facility_type="funeral_home",count=7,allocation="named",named_units=named(["衡阳市","岳阳市","常德市","益阳市","怀化市","永州市","娄底市"]),unit_cost=6700,cost_source=FUN_COST,source=f"{S}:333",note=SEATRULE)
add(id="PG08",name_zh="县级殡仪馆新建、续建、改扩建（64个）",facility_type="funeral_home",count=64,allocation="lacking;by_older",unit_cost=6700,cost_source=FUN_COST,source=f"{S}:333; {S}:324",note="优先支持尚无殡葬服务设施的县市区新建 (line 324): 'lacking' first (the 36 counties without one of the 86 placed funeral homes), then by_older for the 续建/改扩建")
ASH_COST=f"borrowed: Tongdao plan {T}:667 (火化墓建设2500个, 2500万元 as corrected in scenarios/tongdao/conflicts.csv C04)"
add(id="PG09",name_zh="市级公益性骨灰安放设施新建（8个市）",facility_type="public_cemetery",count=8,allocation="named",named_units=named(["株洲市","湘潭市","衡阳市","邵阳市","常德市","益阳市","怀化市","娄底市"]),functions="county",plots=2500,unit_cost=2500,cost_source=ASH_COST,source=f"{S}:334",note=SEATRULE+"; 2500 plots borrowed with the cost")
add(id="PG10",name_zh="县级公益性骨灰安放（葬）设施新建、续建、改扩建（67个）",facility_type="public_cemetery",count=67,allocation="lacking;by_older",functions="county",plots=2500,unit_cost=2500,cost_source=ASH_COST,source=f"{S}:334; {S}:324",note="'lacking' first (the 32 counties without one of the 90 placed in 2020), then by_older; 2500 plots borrowed with the cost")
TC_COST=f"borrowed: Tongdao plan {T}:658; {T}:659 (11个乡镇 公益性公墓共100000座, 1.5亿元 -> 1.5亿/11 = 1364万元 and 100000/11 = 9091 plots each, derived)"
add(id="PG11",name_zh="乡镇农村公益性墓地（1000个以上）",facility_type="public_cemetery",count=1000,allocation="by_older_prop",functions="township",plots=9091,unit_cost=1364,cost_source=TC_COST,source=f"{S}:334",note="1000 township cemeteries apportioned over the 122 counties in proportion to their population aged 60+ (largest remainder; several per county: each county's project stands for its n cemeteries); townships are not simulated (DATA_NOTES.md), so they stand at their county")
MIN_COST=f"derived: Tongdao plan {T}:541 (救助管理站及未成年人救助服务中心 2369㎡ for 0.2亿元; the minors' centre one floor 约590㎡, 30床) -> 0.2亿 x 590/2369 = 498万元 per centre"
add(id="PG12",name_zh="市级未成年人救助保护中心改扩建（湘潭市、张家界市）",facility_type="minor_protection_center",count=2,allocation="named",named_units=named(["湘潭市","张家界市"]),beds=30,area_m2=590,unit_cost=498,cost_source=MIN_COST,source=f"{S}:299",note=SEATRULE+"; size borrowed (Tongdao line 541)")
add(id="PG13",name_zh="县级未成年人救助保护中心新建、改扩建（28个）",facility_type="minor_protection_center",count=28,allocation="by_older",beds=30,area_m2=590,unit_cost=498,cost_source=MIN_COST,source=f"{S}:299",note="counties not named; base stock not stated (so 'lacking' cannot be applied): by_older (replaceable rule)")
# Planned windows (the plan gives none per facility): works durations of the schedule rule
# (buildout_parameters.csv: schedule.works_years_large 2 years at >= 5000万元, schedule.works_years_small 1.5 years,
# works not before 2022-01 = schedule.first_works_offset_years); the 1000 township cemeteries are built over
# 2.5 years (one county's batch is several cemeteries; assumption) and the 200 regional homes in two batches (assumption) so that every window ends by 2025-06, half a year
# before the deadline 2025-12 (the plan period, 000_df0e2ee655117bc1.txt:3).
WINDOWS = {
    "PG01": ("2022-01", "2023-06"), "PG02": ("2022-01", "2023-06"),
    "PG03": ("2022-01", "2023-12"), "PG04": ("2022-01", "2023-12"),
    "PG05A": ("2022-01", "2023-06"), "PG05B": ("2023-01", "2024-06"), "PG06": ("2022-07", "2023-12"),
    "PG07": ("2022-01", "2023-12"), "PG08": ("2022-01", "2023-12"),
    "PG09": ("2022-01", "2023-06"), "PG10": ("2022-01", "2023-06"),
    "PG11": ("2022-07", "2024-12"),
    "PG12": ("2022-01", "2023-06"), "PG13": ("2022-01", "2023-06"),
}
WINDOW_NOTE = ("window: derived: schedule rule durations (buildout_parameters.csv schedule.works_years_large 2 / "
               "small 1.5 years, first works 2022-01); batches staggered (assumption); deadline 2025-12 "
               "(000_df0e2ee655117bc1.txt:3)")
for r in rows:
    r["start"], r["end"] = WINDOWS[r["id"]]
    r["note"] = (r["note"] + "; " + WINDOW_NOTE).strip("; ")

with open('scenarios/hunan/programmes.csv','w',newline='',encoding='utf-8') as fh:
    w=csv.DictWriter(fh,H,lineterminator="\n"); w.writeheader(); w.writerows(rows)
tot=sum(int(r['count'])*float(r['unit_cost']) for r in rows)

# funding.csv: each programme's cost spread evenly over the months of its window, summed by year, split by
# the source shares Tongdao's funding rule assumes (scenarios/tongdao/funding_rules.md).
by_year = {y: 0.0 for y in range(2021, 2026)}
for r in rows:
    (y0, m0), (y1, m1) = (map(int, r["start"].split("-")), map(int, r["end"].split("-")))
    months = [(y, m) for y in range(y0, y1 + 1) for m in range(1, 13) if (y, m) >= (y0, m0) and (y, m) <= (y1, m1)]
    each = int(r["count"]) * float(r["unit_cost"]) / len(months)
    for y, _m in months:
        by_year[y] += each
SHARES = [("central", "中央预算内投资及中央专项资金", 0.40), ("provincial", "省级财政及省市补助资金", 0.20),
          ("county", "市县财政投入", 0.25), ("lottery", "福利彩票公益金", 0.10), ("social", "社会捐赠与社会资本", 0.05)]
with open('scenarios/hunan/funding.csv', 'w', newline='', encoding='utf-8') as fh:
    w = csv.writer(fh, lineterminator="\n")
    w.writerow("id,funding_source,name_zh,year,amount,money_unit,source,note".split(","))
    for src, name, share in SHARES:
        for y, amount in by_year.items():
            if amount <= 0:
                continue
            w.writerow([f"F_{src}_{y}", src, name, y, math.ceil(amount * share) + 1, "万元",
                        f"assumption: the plan states no investment; rule = each programme's cost (programmes.csv, "
                        f"{tot:.0f}万元 in all) spread evenly over the months of its planned window, summed by year "
                        f"({amount:.0f}万元 in {y}), x assumed share {share:.2f} of source {src}, rounded up to the 万元 plus 1万元 (the engine spreads a window's cost slightly differently from whole months)",
                        "channels named at 000_df0e2ee655117bc1.txt:411 (公共财政, 彩票公益金, 慈善捐赠资金, 社会资本); "
                        "shares borrowed from scenarios/tongdao/funding_rules.md (assumption)"])
print({y: round(v) for y, v in by_year.items()})
print(len(rows), "programmes; total cost", tot, "万元")
for r in rows:
    print(r['id'], r['count'], r['named_units'], int(r['count'])*r['unit_cost'])
