// The seed's whole flow walked through beian's pages in headless Chromium, by
// four people: an applicant, a platform reviewer, the SMS recipient on the
// verification site, and a provincial authority reviewer — plus a rejection
// round trip. A screenshot of every stage lands in test-artifacts/screenshots, and
// axe-core checks every page the flow visits, for every role: no violation of
// impact "serious" or "critical".
//
// Needs BEIAN_BIN (the built `beian` binary), BEIAN_SAMPLES (sample images) and Debian's chromium at
// /usr/bin/chromium (override with CHROMIUM); scripts/test.sh provides both.

import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const ADMIN_PASSWORD = "admin-ui-password";
// axe-core from npm (ui-tests/package.json), evaluated in each page it checks.
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const SHOTS = new URL("../test-artifacts/screenshots/", import.meta.url).pathname;
let server;
let base;
let browser;

// Images that pass the photo checks, written by `cargo run -p beian --example
// sample_images` (scripts/ui-tests.sh): colour scans of the §10.1 sizes and a face
// capture made from a real photograph on a white background.
const SAMPLES = process.env.BEIAN_SAMPLES;
function sample(w, h) {
  assert.ok(SAMPLES, "BEIAN_SAMPLES must name the sample image directory");
  const base = w === 1100 && h === 1500 ? "licence.png" : w === 480 ? "face.png" : "id.png";
  return readFileSync(join(SAMPLES, base));
}
const file = (name, w, h) => ({ name, mimeType: "image/png", buffer: sample(w, h) });

/** Starts `beian serve` on a fresh data directory with a manual clock; `extraArgs` are appended. */
async function startServer(extraArgs = []) {
  const bin = process.env.BEIAN_BIN;
  assert.ok(bin, "BEIAN_BIN must point at the built beian binary");
  const dataDir = mkdtempSync(join(tmpdir(), "beian-ui-"));
  const proc = spawn(bin, ["serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir, "--manual-clock", ...extraArgs], {
    env: { ...process.env, BEIAN_ADMIN_PASSWORD: ADMIN_PASSWORD, BEIAN_ARGON2_MEMORY_KIB: "64", BEIAN_LOG: "warn" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    proc.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/http:\/\/[0-9.:]+/);
      if (m) resolve(m[0]);
    });
    proc.on("exit", (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { proc, url };
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  // scripts/ui-tests.sh runs the flow with the clock inside a projected year (2027, no State
  // Council notice): every working-day deadline is provisional and the flow must still end
  // with a number. BEIAN_UI_CLOCK_START="" runs it on the real clock.
  const start = process.env.BEIAN_UI_CLOCK_START;
  ({ proc: server, url: base } = await startServer(start ? ["--clock-start", start] : []));
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  // Whatever happened, keep the last screen of everyone for the artifacts.
  for (const [name, page] of opened) {
    await page.screenshot({ path: join(SHOTS, `last-${name}.png`), fullPage: true }).catch(() => {});
  }
  await browser?.close();
  server?.kill();
});

const opened = [];

// The invented 2027 notice of crates/beian-domain/src/notice.rs (`samples::NOTICE_2027`), in the
// published style; its rest days equal the projection, its make-up days are new.
const NOTICE_2027 = [
  "国务院办公厅关于2027年部分节假日安排的通知",
  "",
  "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：",
  "",
  "经国务院批准，现将2027年元旦、春节、清明节、劳动节、端午节、中秋节和国庆节放假调休日期的具体安排通知如下。",
  "",
  "一、元旦：1月1日（周五）至3日（周日）放假，共3天。",
  "",
  "二、春节：2月5日（农历除夕、周五）至12日（农历正月初七、周五）放假调休，共8天。1月31日（周日）、2月20日（周六）上班。",
  "",
  "三、清明节：4月3日（周六）至5日（周一）放假，共3天。",
  "",
  "四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）上班。",
  "",
  "五、端午节：6月9日（周三）放假1天，不调休。",
  "",
  "六、中秋节：9月15日（周三）放假1天，不调休。",
  "",
  "七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。",
  "",
  "鼓励单位和个人结合落实带薪年休假等制度，实际形成较长假期，推动错峰出行。节假日期间，各地区、各部门要妥善安排好值班和安全、保卫、疫情防控等工作，遇有重大突发事件，要按规定及时报告并妥善处置，确保人民群众祥和平安度过节日假期。",
  "",
  "国务院办公厅",
  "2026年11月10日",
  "",
].join("\n");

/** A fresh browser session for one person (on another server when `origin` is given; `name` names its last screenshot). */
async function person(username, password, viewport = { width: 1280, height: 900 }, origin = base, name = username) {
  const context = await browser.newContext({ viewport, locale: "zh-CN" });
  const page = await context.newPage();
  opened.push([name, page]);
  await page.goto(`${origin}/login`);
  await audit(page);
  await page.getByLabel("用户名").fill(username);
  await page.getByLabel("密码").fill(password);
  await page.getByRole("button", { name: "登录" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
  await audit(page);
  return page;
}

async function shot(page, name) {
  await audit(page);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

// Violations found so far, as "rule (impact) on path: nodes"; each test ends asserting none.
const violations = new Set();
beforeEach(() => {
  violations.clear();
  audited.clear();
});

/** Runs axe-core on the page as it stands; keeps its serious and critical violations. */
async function audit(page) {
  await page.waitForLoadState("load");
  const found = await page.evaluate(async (source) => {
    if (!window.axe) (0, eval)(source);
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}) on ${location.pathname}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(" | ")}`);
  }, AXE_SOURCE);
  for (const v of found) violations.add(v);
  audited.add(new URL(page.url()).pathname.replace(/[0-9a-f]{24}/g, ":id"));
}

// The pages audited (ids replaced), listed at the end of each test.
const audited = new Set();

/** No page audited so far has a serious or critical violation. */
function assertAccessible() {
  console.log(`axe-core audited ${audited.size} pages: ${[...audited].sort().join(" ")}`);
  assert.deepEqual([...violations], [], "axe-core: serious or critical violations");
}

/** Every visible form control has an accessible label. */
async function assertLabelled(page) {
  const unlabelled = await page.$$eval("input:not([type=hidden]), select, textarea", (els) =>
    els.filter((e) => e.offsetParent !== null && !(e.labels && e.labels.length) && !e.getAttribute("aria-label")).map((e) => e.name || e.id),
  );
  assert.deepEqual(unlabelled, [], `controls without labels on ${page.url()}`);
}

/** Every form that changes something carries a CSRF token (session-bound, or the verification site's double-submit token). */
async function assertCsrf(page) {
  const missing = await page.$$eval("form[method=post]", (forms) =>
    forms.filter((f) => !(f.getAttribute("action") || "").endsWith("/login") && !f.querySelector("input[name=csrf], input[name=form_token]")).map((f) => f.getAttribute("action")),
  );
  assert.deepEqual(missing, [], `forms without a CSRF token on ${page.url()}`);
}

async function check(page) {
  await assertLabelled(page);
  await assertCsrf(page);
  await audit(page);
}

async function next(page) {
  const from = page.url();
  await page.getByRole("button", { name: "保存并下一步" }).click();
  const step = Number(from.match(/\/edit\/(\d)/)[1]);
  try {
    await page.waitForURL(new RegExp(`/edit/${step + 1}$`), { timeout: 10000 });
  } catch (e) {
    await page.screenshot({ path: join(SHOTS, `failed-step-${step}.png`), fullPage: true });
    throw new Error(`step ${step} did not advance: ${(await page.locator("main").innerText()).slice(0, 800)}`);
  }
  await audit(page);
}

test("an applicant files, a reviewer rejects then approves, the SMS is verified and the authority issues the number", async () => {
  // Admin creates the three accounts through the admin page.
  const admin = await person("admin", ADMIN_PASSWORD);
  await check(admin);
  for (const [name, role, province] of [["dev", "applicant", ""], ["rev", "platform_reviewer", ""], ["gd", "authority_reviewer", "44"]]) {
    await admin.getByLabel(/^用户名\*?$/).fill(name);
    await admin.getByLabel("初始密码").fill(`password-${name}`);
    await admin.getByLabel("角色").selectOption(role);
    await admin.getByLabel("省份代码（通管局审核员必填）").fill(province);
    await admin.getByRole("button", { name: "创建" }).click();
    await admin.getByText(`已创建账号 ${name}`).waitFor();
  }
  await shot(admin, "00-admin-accounts");

  // 1. 备案信息填写
  const dev = await person("dev", "password-dev");
  await dev.getByLabel("AppID").fill("wxui000000000001");
  await dev.getByLabel("小程序名称").fill("星河记账");
  await dev.getByLabel("账号主体名称").fill("深圳市星河科技有限公司");
  await dev.getByRole("button", { name: "登记" }).click();
  await dev.getByRole("link", { name: "去备案" }).first().click();
  await shot(dev, "01-choose-kind");
  await dev.getByRole("button", { name: "开始新增备案" }).click();
  await dev.getByRole("heading", { name: "请准备以下材料" }).waitFor();
  await shot(dev, "02-checklist");
  await dev.getByRole("link", { name: "开始填写" }).click();

  await check(dev);
  await dev.getByLabel("主办单位性质").selectOption("4");
  // The licence first: it is read (OCR) after the upload and pre-fills its number, name
  // and address for the applicant to confirm.
  await dev.getByLabel("主办单位证件类型").selectOption("1");
  await dev.getByLabel("主办单位证件照片").setInputFiles(file("licence.png", 1100, 1500));
  await dev.getByRole("button", { name: "保存草稿" }).click();
  await dev.waitForFunction(
    () => document.querySelector('[name="subject.certificate.number"]')?.value === "91440300708461136T",
    null,
    { timeout: 30000 },
  );
  assert.equal(await dev.getByLabel("主办单位名称").inputValue(), "深圳市星河科技有限公司");
  assert.equal(await dev.getByLabel("证件住所").inputValue(), "深圳市南山区高新南七道1号");
  await dev.locator('[id="o-subject.certificate.number"]').waitFor({ state: "visible" });
  await check(dev);
  await shot(dev, "03a-form-prefilled-from-licence");
  // Typed otherwise than printed: flagged while typing, with what the photo shows.
  await dev.getByLabel("主办单位名称").fill("深圳市星河网络有限公司");
  await dev
    .locator('[data-for="subject.name"]', { hasText: "证件照片上的名称为 深圳市星河科技有限公司" })
    .waitFor();
  await shot(dev, "03b-form-ocr-mismatch");
  await dev.getByLabel("主办单位名称").fill("深圳市星河科技有限公司");
  await dev.getByLabel("省份").selectOption("440000");
  await dev.getByLabel("城市").selectOption("440300");
  await dev.getByLabel("区县").selectOption("440305");
  await dev.getByLabel("详细通讯地址").fill("高新南七道1号");
  await dev.getByLabel("主办单位证件类型").selectOption("1");
  await dev.getByLabel("证件号码").fill("91440300708461136T");
  await dev.getByLabel("证件住所").fill("深圳市南山区高新南七道1号");
  await dev.getByLabel("证件有效期截止").fill("长期");
  await shot(dev, "03-form-subject");
  await next(dev);

  await dev.getByLabel(/^姓名\*?$/).fill("张三");
  await dev.getByLabel(/^证件类型\*?$/).selectOption("2");
  await dev.getByLabel(/^证件号码\*?$/).fill("440300198512311238");
  await dev.getByLabel("证件有效期开始").fill("2020-01-01");
  await dev.getByLabel("证件有效期截止").fill("2040-01-01");
  await dev.getByLabel("证件正面照片（人像面/资料页）").setInputFiles(file("front.png", 720, 1280));
  await dev.getByLabel("证件背面照片（国徽面）").setInputFiles(file("back.png", 720, 1280));
  // Inline validation: a wrong mobile is flagged while typing, before any save.
  await dev.getByLabel("手机号码").fill("1380013");
  await dev.locator('[data-for="subject_principal.mobile"]', { hasText: "手机号码格式不正确" }).waitFor();
  await dev.getByLabel("手机号码").fill("13800138000");
  await dev.getByLabel("应急联系电话").fill("13900139000");
  await dev.getByLabel("电子邮箱").fill("zs@example.com");
  await dev.getByLabel("是法定代表人").check();
  await next(dev);

  await dev.getByLabel("工具-办公效率").check();
  await dev.getByLabel("工具-天气日历").check();
  await dev.getByLabel("中文简体").check();
  await dev.getByLabel("小程序备注").fill("为个人用户提供记账、账单分类与月度统计功能，不涉及支付与理财。");
  // Pre-approval items, as many as needed: 再添加一项 saves the step and offers one more row.
  await dev.getByLabel(/^第1项 前置审批类别/).selectOption("1");
  await dev.getByLabel("第1项 审批号或文件名").fill("新闻审字〔2026〕1号");
  await dev.getByLabel("第1项 审批文件").setInputFiles(file("approval-1.png", 720, 1280));
  await dev.getByRole("button", { name: "再添加一项" }).click();
  await dev.waitForURL(/\/edit\/3\?add=1/);
  await dev.getByLabel(/^第2项 前置审批类别/).selectOption("2");
  await dev.getByLabel("第2项 审批号或文件名").fill("出版审字〔2026〕2号");
  await dev.getByLabel("第2项 审批文件").setInputFiles(file("approval-2.png", 720, 1280));
  await dev.getByRole("button", { name: "再添加一项" }).click();
  await dev.getByLabel(/^第3项 前置审批类别/).waitFor();
  assert.equal(await dev.getByLabel(/^第2项 前置审批类别/).inputValue(), "2", "the second item was saved");
  // The saved document's preview shows (it loads after the page: wait for it, up to 5 s).
  await dev.locator('img[id="img-mini_program.preapprovals.1.document"]').waitFor({ state: "visible", timeout: 5000 });
  await check(dev);
  await shot(dev, "03b-form-preapprovals");
  // Enter in a field saves the step; it does not press 删除第1项, the first button in sight.
  await dev.getByLabel("第2项 审批号或文件名").press("Enter");
  await dev.waitForURL(/\/edit\/3$/);
  assert.equal(await dev.getByLabel(/^第1项 前置审批类别/).inputValue(), "1");
  assert.equal(await dev.getByLabel(/^第2项 前置审批类别/).inputValue(), "2");
  assert.equal(await dev.getByLabel(/^第3项 前置审批类别/).count(), 0, "the empty row is gone");
  // This mini program needs none after all: 以上都不涉及 replaces the items.
  await dev.getByLabel("前置审批：以上都不涉及").check();
  await next(dev);

  await dev.getByLabel("复用主体负责人信息").check();
  await dev.getByRole("button", { name: "保存草稿" }).click();
  await dev.getByRole("button", { name: "发起人脸核身" }).click();
  await dev.getByRole("heading", { name: "人脸核身" }).waitFor();
  await check(dev);
  await dev.getByLabel("无法使用摄像头时，上传本人正面照片").setInputFiles(file("face.png", 480, 640));
  await shot(dev, "04-face-verification");
  await dev.getByRole("button", { name: "上传并核身" }).click();
  await dev.getByText("人脸核身已通过").waitFor();
  await next(dev);

  // The platform documents are shown to read, each with its PDF.
  await dev.getByRole("heading", { name: "互联网信息服务承诺书" }).waitFor();
  await dev.getByRole("heading", { name: "反诈自评估报告" }).waitFor();
  const pdfLink = await dev.getByRole("link", { name: "下载 PDF" }).first().getAttribute("href");
  const pdf = await dev.request.get(new URL(pdfLink, dev.url()).href);
  assert.equal(pdf.status(), 200);
  assert.equal(pdf.headers()["content-type"], "application/pdf");
  await shot(dev, "05a-papers");
  // Answering "yes" changes the report under the tick: it must be read and ticked again.
  await dev.getByLabel("我已阅读并确认《互联网信息服务承诺书》").check();
  await dev.getByLabel("我已核对并确认《反诈自评估报告》").check();
  await dev.getByLabel("小程序是否涉及支付、充值或其他资金往来？").check();
  await dev.getByRole("button", { name: "保存草稿" }).click();
  await dev.getByText("请重新阅读后再勾选确认").waitFor();
  assert.ok((await dev.content()).includes("仅使用平台认可的支付渠道"), "the report lists the payment measure");
  assert.equal(await dev.getByLabel("我已核对并确认《反诈自评估报告》").isChecked(), false);
  assert.equal(await dev.getByLabel("我已阅读并确认《互联网信息服务承诺书》").isChecked(), true);
  await dev.getByLabel("我已核对并确认《反诈自评估报告》").check();
  // Guangdong's pack asks for the signed commitment (签字版承诺书); other slots stay hidden.
  assert.equal(await dev.getByLabel("党建确认函").count(), 0);
  await dev.getByLabel("签字版承诺书").setInputFiles(file("signed.png", 720, 1280));
  await next(dev);
  await dev.getByText("所有信息已通过校验").waitFor();
  await dev.getByText("主体负责人 138****8000").waitFor();
  await shot(dev, "05-confirm");
  await dev.getByRole("button", { name: "确认提交备案" }).click();
  await dev.getByText("平台初审中").first().waitFor();
  const filingUrl = dev.url();
  await shot(dev, "06-progress-platform-review");

  // 2. 平台初审: rejected with a reason from the library.
  const rev = await person("rev", "password-rev");
  await check(rev);
  // Found by its name in Guangdong's orders; the filters stay in the URL.
  await rev.getByLabel("搜索").fill("星河记账");
  await rev.getByLabel("省份").selectOption("44");
  await rev.getByRole("button", { name: "筛选" }).click();
  await rev.waitForURL(/[?&]province=44/);
  assert.match(rev.url(), /[?&]q=/);
  assert.match(await rev.getByRole("link", { name: /导出 CSV/ }).getAttribute("href"), /province=44/);
  await shot(rev, "06b-queue-filtered");
  await rev.getByRole("link", { name: /wxui000000000001/ }).click();
  await rev.getByText("材料对照").waitFor();
  assert.ok(!(await rev.content()).includes("440300198512311238"), "certificate number masked for the reviewer");
  // What the licence photo reads, beside what was typed: all of it agrees here.
  const readings = rev.locator("table.readings");
  await readings.waitFor();
  assert.ok((await readings.locator("tbody tr").count()) >= 3, "the licence's number, name and address");
  assert.equal(await readings.locator("tr.differs").count(), 0);
  await readings.scrollIntoViewIfNeeded();
  await shot(rev, "07c-review-readings");
  await shot(rev, "07-platform-review");
  // 我来审: the reviewer holds the order while deciding it.
  await rev.getByRole("button", { name: "我来审" }).click();
  await rev.getByText("您正在审核本备案").waitFor();
  await shot(rev, "07a-review-claimed");
  await rev.getByLabel(/R-05 通讯地址/).check();
  await rev.getByRole("button", { name: "驳回" }).click();
  await rev.getByText("平台已驳回").first().waitFor();

  // The applicant sees the rejection, goes straight to the field, fixes it, resubmits.
  await dev.goto(filingUrl);
  await dev.getByText("所选地区与通讯地址不一致").waitFor();
  await shot(dev, "08-rejection");
  await dev.getByRole("link", { name: "去修改" }).click();
  assert.equal(await dev.locator(".flagged").count() > 0, true, "the rejected field is highlighted");
  await dev.getByLabel("详细通讯地址").fill("高新南七道2号");
  await dev.getByRole("button", { name: "保存草稿" }).click();
  await dev.goto(filingUrl.replace(/\/filings\/([^/]+).*/, "/filings/$1/edit/6"));
  await dev.getByRole("button", { name: "确认提交备案" }).click();
  await dev.getByText("平台初审中").first().waitFor();

  await rev.goto(`${base}/review`);
  await rev.getByRole("link", { name: "wxui000000000001" }).click();
  // The keyboard: the keys are listed on the page; j/k walk the fields, r goes to the
  // reason of the current field, ? to the list, a approves after a confirmation.
  await rev.getByRole("heading", { name: "键盘快捷键" }).waitFor();
  await rev.waitForLoadState("load"); // the script (deferred) listens from here on
  const focused = () => rev.evaluate(() => {
    const el = document.activeElement;
    return { field: el.getAttribute("data-review-field"), id: el.id, name: el.getAttribute("name"), value: el.value };
  });
  await rev.keyboard.press("j");
  const firstField = (await focused()).field;
  assert.ok(firstField, "j puts the focus on the first field");
  await rev.keyboard.press("j");
  assert.notEqual((await focused()).field, firstField, "j moves on");
  await rev.keyboard.press("k");
  assert.equal((await focused()).field, firstField, "k moves back");
  for (let i = 0; i < 12 && (await focused()).field !== "subject.address"; i++) await rev.keyboard.press("j");
  assert.equal((await focused()).field, "subject.address");
  await shot(rev, "07b-review-keyboard");
  await rev.keyboard.press("r");
  assert.deepEqual(await focused(), { field: null, id: "", name: "reason", value: "R-05" }, "r: the address's reason");
  // Typed into a box, the keys are text: nothing moves, nothing is approved.
  let dialogs = 0;
  const refuse = (d) => { dialogs++; d.dismiss(); };
  rev.on("dialog", refuse);
  await rev.getByLabel("问题说明").focus();
  await rev.keyboard.type("jkra?");
  assert.equal(await rev.getByLabel("问题说明").inputValue(), "jkra?");
  assert.equal((await focused()).id, "free_error");
  assert.equal(dialogs, 0, "a typed into a box does not approve");
  rev.off("dialog", refuse);
  await rev.getByLabel("问题说明").fill("");
  await rev.evaluate(() => document.activeElement.blur());
  await rev.keyboard.press("?");
  assert.equal((await focused()).id, "kb-help");
  rev.once("dialog", (d) => {
    assert.match(d.message(), /确认审核通过/);
    d.accept();
  });
  await rev.keyboard.press("a");
  await rev.getByText("待短信核验").first().waitFor();

  // 3. 工信部短信核验: the code is in the SMS outbox; the recipient uses the public site.
  await admin.goto(`${base}/admin`);
  const outbox = await admin.content();
  const code = outbox.match(/核验码为(\d{6})/)[1];
  await dev.goto(filingUrl);
  await dev.getByText("138****8000").first().waitFor();
  await shot(dev, "09-progress-sms");
  const miitContext = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "zh-CN" });
  const miit = await miitContext.newPage();
  // A cross-site post without the page's double-submit token is refused.
  const forged = await miit.request.post(`${base}/miit`, { form: { mobile: "13800138000", certificate_last6: "311238", code: "000000", action: "verify" } });
  assert.equal(forged.status(), 403);
  await miit.goto(`${base}/miit`);
  await check(miit);
  await miit.getByLabel("手机号码").fill("13800138000");
  await miit.getByLabel("证件号码后六位").fill("311238");
  await miit.getByLabel("短信验证码").fill(code === "000000" ? "111111" : "000000");
  await miit.getByRole("button", { name: "提交核验" }).click();
  await miit.getByText("验证码或证件号码后六位有误，还可尝试4次").waitFor();
  await miit.getByLabel("短信验证码").fill(code);
  await miit.getByRole("button", { name: "提交核验" }).click();
  await miit.getByText("短信核验成功，备案申请已提交至通信管理局审核").waitFor();
  await shot(miit, "10-miit-verified-phone-width");

  // 4. 通管局审核 → 5. 备案成功
  const gd = await person("gd", "password-gd");
  await check(gd);
  await gd.getByRole("link", { name: "wxui000000000001" }).click();
  await shot(gd, "11-authority-review");
  await gd.getByRole("button", { name: "审核通过" }).click();
  await gd.getByText("粤ICP备").first().waitFor();
  const number = (await gd.locator(".number").nth(1).textContent()).trim();
  assert.match(number, /^粤ICP备20\d{8}号-1X$/);
  await shot(gd, "12-authority-approved");

  await dev.goto(filingUrl);
  await dev.getByText(number).waitFor();
  await shot(dev, "13-filed");
  await dev.goto(`${base}/inbox`);
  await dev.getByText(`服务备案号：${number}`).waitFor();
  const unread = await dev.getByRole("button", { name: "标为已读" }).count();
  assert.ok(unread > 0, "status changes arrive unread");
  await dev.getByRole("button", { name: "标为已读" }).first().click();
  assert.equal(await dev.getByRole("button", { name: "标为已读" }).count(), unread - 1);
  await shot(dev, "14-inbox");

  const phone = await person("dev", "password-dev", { width: 390, height: 844 });
  await phone.goto(`${base}/apps`);
  await phone.getByText(number).waitFor();
  await shot(phone, "15-apps-phone-width");

  // The operations dashboard draws real figures from the event log.
  await admin.goto(`${base}/dashboard`);
  await admin.waitForLoadState("networkidle");
  const charts = await admin.$$eval("main img", (imgs) => imgs.map((i) => i.complete && i.naturalWidth > 0));
  assert.ok(charts.length >= 6 && charts.every(Boolean), `every chart renders: ${charts}`);
  const csv = await admin.evaluate(async () => (await fetch("/dashboard/by-status.csv")).text());
  assert.match(csv, /filed/);
  await shot(admin, "17-dashboard");

  // The trends: four inline SVG charts of the last 28 days, a table and the CSV of the range;
  // switched to weeks with the picker.
  assert.equal(await admin.locator(".trend-charts svg").count(), 4);
  assert.ok(Number(await admin.locator("#total-arrivals").innerText()) >= 2, "the submissions of this flow are counted");
  await admin.getByLabel("统计周期").selectOption("week");
  await admin.getByRole("button", { name: "查看" }).click();
  await admin.waitForURL(/period=week/);
  await admin.getByRole("columnheader", { name: "期末积压·平台初审" }).waitFor();
  const trendsCsv = await admin.evaluate(async () => {
    const href = document.querySelector("a[href^='/dashboard/trends.csv']").getAttribute("href");
    const bytes = new Uint8Array(await (await fetch(href)).arrayBuffer());
    return { bom: [...bytes.slice(0, 3)], text: new TextDecoder().decode(bytes) };
  });
  assert.deepEqual(trendsCsv.bom, [0xef, 0xbb, 0xbf], "UTF-8 with a byte order mark");
  assert.match(trendsCsv.text, /^开始日期,结束日期,提交数,/);
  await shot(admin, "17b-dashboard-trends-week");
  // A reversed range is refused in Chinese and the last 28 days shown instead.
  await admin.goto(`${base}/dashboard?from=2027-01-20&to=2027-01-10`);
  await admin.getByRole("alert").filter({ hasText: "开始日期 2027-01-20 晚于结束日期 2027-01-10" }).waitFor();
  await audit(admin);
  // At phone width the charts shrink with the page: nothing scrolls sideways but the table.
  const phoneAdmin = await person("admin", ADMIN_PASSWORD, { width: 390, height: 844 }, base, "admin-phone");
  await phoneAdmin.goto(`${base}/dashboard`);
  const widths = await phoneAdmin.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    charts: [...document.querySelectorAll(".trend-charts svg")].map((s) => s.getBoundingClientRect().width),
  }));
  assert.ok(widths.page <= 390, `no sideways scrolling at phone width: ${JSON.stringify(widths)}`);
  assert.ok(widths.charts.length === 4 && widths.charts.every((w) => w > 250 && w <= 390), JSON.stringify(widths));
  await shot(phoneAdmin, "17c-dashboard-trends-phone-width");

  const pub = await (await browser.newContext()).newPage();
  await pub.goto(`${base}/query?q=${encodeURIComponent("星河记账")}`);
  await pub.getByText(number).waitFor();
  assert.ok(!(await pub.content()).includes("13800138000"), "the public query shows no phone");
  await shot(pub, "16-public-query");
  assertAccessible();
});

test("an admin loads the 2027 holiday notice while 2027 is still projected", async () => {
  // 3 December 2026: 2026 is official, 2027 has no notice yet (domain.md §11.2, §11.4–11.5).
  const cal = await startServer(["--clock-start", "2026-12-03T10:00:00+08:00"]);
  try {
    const admin = await person("admin", ADMIN_PASSWORD, undefined, cal.url, "calendar-admin");
    await admin.goto(`${cal.url}/admin`);
    const alert = admin.locator(".banner", { hasText: "节假日安排通知尚未载入" });
    await alert.waitFor();
    assert.match(await alert.innerText(), /2027年/);
    await shot(admin, "20-admin-calendar-alert");
    await alert.getByRole("link").click();
    await admin.waitForURL(/\/admin\/calendar$/);
    await admin.getByRole("heading", { name: "节假日日历" }).waitFor();
    await check(admin);
    // The 预计 mark explains itself on hover and to the keyboard.
    const mark = admin.locator(".provisional").first();
    assert.equal(await mark.getAttribute("tabindex"), "0");
    assert.equal(await mark.getAttribute("aria-label"), await mark.getAttribute("title"));
    assert.match(await mark.getAttribute("title"), /通知尚未发布/);

    // An unreadable notice: the line it failed on, and the pasted text kept.
    const broken = NOTICE_2027.replace("三、清明节：4月3日", "三、清明节：4月33日");
    await admin.getByLabel("通知年份").fill("2027");
    await admin.getByLabel("通知全文").fill(broken);
    await admin.getByRole("button", { name: "预览" }).click();
    const problem = admin.getByRole("alert");
    await problem.getByText("第 11 行").waitFor();
    assert.match(await problem.innerText(), /4月33日/);
    assert.equal(await admin.getByLabel("通知全文").inputValue(), broken);
    await shot(admin, "21-calendar-unreadable");

    // The real text: its days beside the projection, then confirmed.
    await admin.getByLabel("通知全文").fill(NOTICE_2027);
    await admin.getByRole("button", { name: "预览" }).click();
    const preview = admin.locator("#preview");
    await preview.getByRole("heading", { name: "预览：2027年通知" }).waitFor();
    const makeup = preview.locator('time[datetime="2027-01-31"]');
    assert.equal(await makeup.count(), 1, "31 January 2027 is listed once: a make-up day, not a rest day");
    const column = await makeup.evaluate((t) => {
      const td = t.closest("td");
      return td.closest("table").tHead.rows[0].cells[td.cellIndex].textContent;
    });
    assert.match(column, /调休上班|补班/);
    assert.match(await preview.innerText(), /在办申请：0 个/);
    await shot(admin, "22-calendar-preview");
    await preview.getByRole("button", { name: "确认载入" }).click();
    const done = admin.locator(".banner.ok");
    await done.waitFor();
    assert.match(await done.innerText(), /^已载入2027年通知：.*\d+ 个期限已重新计算/);
    assert.equal(await admin.locator(".banner", { hasText: "节假日安排通知尚未载入" }).count(), 0, "the alert is gone");
    await shot(admin, "23-calendar-loaded");

    // The year, month by month, now official.
    await admin.getByRole("link", { name: "2027年", exact: true }).click();
    await admin.getByRole("heading", { name: /2027年节假日/ }).waitFor();
    assert.match(await admin.locator("h1").innerText(), /正式/);
    assert.equal(await admin.locator('time[datetime="2027-01-31"]').count(), 1);
    await shot(admin, "24-calendar-2027");
    assertAccessible();
  } finally {
    cal.proc.kill();
  }
});
