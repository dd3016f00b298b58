// BrowserTest.HostileEntryRunsNoScript: a blog whose feed carries script, event handlers,
// javascript: links and CSS tricks is bridged by the built feedbridge binary, and headless
// Chromium (Debian's /usr/bin/chromium, driven by playwright-core) reads its pages. No payload
// may run, request anything or navigate, neither with our Content-Security-Policy nor with the
// browser told to ignore it (the sanitizer alone). A positive control first shows that the same
// harness sees every payload run when the markup reaches a page raw.
//
// Usage: node hostile_entry_test.js FEEDBRIDGE_BINARY OUTPUT_DIR   (CTest passes both; the
// screenshots and the logs of feedbridge go to OUTPUT_DIR).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const {Payloads, Script} = require('./payloads');
const S = require('./support');
const {Feedbridge, FeedbridgeEnv, RunTest, StartServe} = require('./feedbridge');

const kChromium = '/usr/bin/chromium';
const kChromiumFlags = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
// CTest's TIMEOUT is 600 s; stop ourselves first, so the servers are always cleaned up. A run
// takes about a minute on an idle machine.
const kDeadlineMs = 540000;
const kNickname = 'hostile';

// ---- Assertions: every failure is reported, the first fatal one stops the run. ----

const failures = [];
function Expect(ok, what) {
  if (!ok) {
    failures.push(what);
    S.Log(`FAIL: ${what}`);
  }
  return ok;
}
class Fatal extends Error {}
function Require(ok, what) {
  if (!ok) throw new Fatal(what);
}

// ---- The hostile blog ----

function XmlEscape(s) {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;');
}

// Titles are text (Atom type="text"): their '<script>' must show as characters, not run.
const kBlogTitle = 'Hostile <script>alert(\'PWNED:blog\')</script> Blog';
const kDescription = '<img src=x onerror=alert(\'PWNED:description\')> reads as text';
const kEntryTitle = '<script>alert(\'PWNED:title\')</script> Hostile <b>title</b> & "quotes"';

// The entries of the second version of the feed: each gets a notice. `title` is what the page
// must show as text (and how the notice text starts); `labels` are texts the content must show,
// so a payload that swallowed the rest of the content would not go unnoticed.
function NewEntries(blog, beacon) {
  const js = (name) => Script(name, beacon);
  const payloads = Payloads(beacon);
  const content = [
    '<p>Every payload below is labelled; none may run.</p>',
    ...payloads.map((p) => `<p class="label">payload ${p.name}:</p>\n${p.html}`),
    `<p class="label">links:</p><p><a href="${blog}/post/safe">a safe link</a> and ` +
        '<a href="relative">a relative link</a>.</p>',
  ].join('\n');
  return [
    {key: 'payloads', id: 'entry-payloads', link: `${blog}/post/1`, title: kEntryTitle,
      titleXml: `<title type="text">${XmlEscape(kEntryTitle)}</title>`,
      contentXml: `<content type="html">${XmlEscape(content)}</content>`,
      labels: payloads.map((p) => `payload ${p.name}:`)},
    // An HTML title (reduced to text), a javascript: link as the post's address, a summary.
    {key: 'html-title', id: 'entry-html-title', link: `javascript:${js('entry-link')}`,
      title: 'Second hostile title',
      titleXml: `<title type="html">${XmlEscape(
          `<img src=x onerror="${js('html-title')}">Second <i>hostile</i> title`)}</title>`,
      contentXml: `<summary type="html">${XmlEscape(
          `<p>A summary with <a href="javascript:${js('summary-link')}">a javascript: link</a>` +
          ` and <b onmouseover="${js('summary-onmouseover')}">a handler</b>.</p>`)}</summary>`,
      labels: ['A summary with']},
    // Inline XHTML content: markup as XML elements rather than escaped text.
    {key: 'xhtml', id: 'entry-xhtml', link: `${blog}/post/3`, title: 'XHTML entry',
      titleXml: '<title type="text">XHTML entry</title>',
      contentXml: '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">' +
          `<p onclick="${XmlEscape(js('xhtml-onclick'))}">XHTML content</p>` +
          `<script>${XmlEscape(js('xhtml-script'))}</script>` +
          `<a href="javascript:${XmlEscape(js('xhtml-link'))}">xhtml javascript: link</a>` +
          '</div></content>',
      labels: ['XHTML content']},
    // Plain-text content: its markup is text and must show as such.
    {key: 'text', id: 'entry-text', link: `${blog}/post/4`, title: 'Plain text entry',
      titleXml: '<title type="text">Plain text entry</title>',
      contentXml: `<content type="text">${XmlEscape(
          `<script>${js('text-script')}</script> is shown as text`)}</content>`,
      labels: ['<script>', 'is shown as text']},
  ];
}

// Version 1 holds one old post (the backlog: stored, never broadcast); version 2 adds the
// hostile entries, oldest first in time.
function Feed(blog, beacon, version) {
  const now = Date.now();
  const iso = (minutesAgo) => new Date(now - minutesAgo * 60000).toISOString();
  const entries = [{id: 'entry-backlog', link: `${blog}/post/0`, minutes: 60,
    titleXml: '<title type="text">Backlog post</title>',
    contentXml: '<content type="text">An old post.</content>'}];
  if (version >= 2) {
    NewEntries(blog, beacon).forEach((e, i) => entries.push({...e, minutes: 10 - i}));
  }
  const items = entries.map((e) => `<entry>
  <id>urn:feedbridge-browser-test:${e.id}</id>
  ${e.titleXml}
  <link rel="alternate" href="${XmlEscape(e.link)}"/>
  <published>${iso(e.minutes)}</published>
  <updated>${iso(e.minutes)}</updated>
  ${e.contentXml}
</entry>`);
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<title type="text">${XmlEscape(kBlogTitle)}</title>
<subtitle type="text">${XmlEscape(kDescription)}</subtitle>
<link rel="alternate" href="javascript:alert('PWNED:site')"/>
<link rel="self" href="${blog}/feed.atom"/>
<icon>javascript:alert('PWNED:icon')</icon>
<id>urn:feedbridge-browser-test:blog</id>
<updated>${iso(0)}</updated>
${items.join('\n')}
</feed>
`;
}

function HtmlPage(title, body) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>` +
      `</head><body><main>${body}</main></body></html>`;
}

// The blog: its feed, its posts, the beacon (records, answers 204 so nothing navigates) and the
// raw payload pages of the positive control.
function StartBlog(state) {
  const server = new S.LoopbackServer((req, url) => {
    const p = url.pathname;
    if (p === '/feed.atom') {
      return {headers: {'Content-Type': 'application/atom+xml; charset=utf-8'},
        body: Feed(server.url, `${server.url}/beacon`, state.version)};
    }
    let m = p.match(/^\/post\/(\w+)$/);
    if (m) {
      return {headers: {'Content-Type': 'text/html; charset=utf-8'},
        body: HtmlPage(`Post ${m[1]}`, `<h1>Original post ${m[1]}</h1>`)};
    }
    if (p.startsWith('/beacon/')) return {status: 204};
    m = p.match(/^\/control\/([\w-]+)$/);
    const payload = m && state.payloads.find((x) => x.name === m[1]);
    if (payload) {
      return {headers: {'Content-Type': 'text/html; charset=utf-8'},
        body: HtmlPage(`control ${payload.name}`, `<p>raw ${payload.name}:</p>\n${payload.html}`)};
    }
    if (p === '/control-csp') {
      // Every script payload raw, under the CSP feedbridge sends: the CSP alone must stop them.
      const body = state.payloads.filter((x) => x.kind === 'script' && x.runsRaw)
          .map((x) => `<p>raw ${x.name}:</p>\n${x.html}`).join('\n');
      return {headers: {'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': state.csp}, body: HtmlPage('control under CSP', body)};
    }
    return null;
  });
  return server;
}

// ---- feedbridge: tests/browser/feedbridge.js ----

// ---- The browser side: what a page did, and the checks ----

// Listens to everything a page can do that the test watches.
function Watch(page, record) {
  page.on('dialog', (d) => {
    record.dialogs.push(d.message());
    d.dismiss().catch(() => {});
  });
  page.on('console', (m) => record.console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => record.errors.push(String(e)));
  page.on('popup', (p) => record.popups.push(p.url()));
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) record.navigations.push(f.url());
  });
}

function NewRecord() {
  return {dialogs: [], console: [], errors: [], popups: [], navigations: []};
}

// A fresh context (no cookies, no cache) whose documents collect their CSP violations, with
// timeouts for a loaded machine.
async function NewContext(browser, options = {}) {
  const context = await browser.newContext(options);
  context.setDefaultTimeout(30000);
  context.setDefaultNavigationTimeout(60000);
  await context.addInitScript(InitScript);
  return context;
}

// Runs in every document before its own content: collects CSP violations as the page sees them.
function InitScript() {
  window.__fbViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__fbViolations.push(`${e.effectiveDirective} ${e.blockedURI}`);
  });
}

// What the documents of a page hold now: payload markers, titles, CSP violations. A frame whose
// document never got a script context (one the CSP blocked) answers nothing, so each frame has
// 5 s to answer.
async function FrameState(page) {
  const empty = {pwned: [], title: '', violations: []};
  return Promise.all(page.frames().map((f) => {
    const state = f.evaluate(() => ({
      url: location.href,
      pwned: window.__pwned || [],
      title: document.title,
      violations: window.__fbViolations || [],
    })).catch((e) => ({...empty, url: f.url(), error: String(e)}));
    const silent = S.Sleep(5000).then(() => ({...empty, url: f.url(), error: 'no answer'}));
    return Promise.race([state, silent]);
  }));
}

function BeaconHits(server, since = 0) {
  return server.requests.filter((r) => r.path.startsWith('/beacon/') && r.at >= since)
      .map((r) => r.path.split('/')[2]);
}

// A snapshot of everything the harness saw since `since`.
async function Observe(page, record, server, since) {
  return {
    dialogs: [...record.dialogs],
    console: [...record.console],
    beacons: BeaconHits(server, since),
    frames: page.isClosed() ? [] : await FrameState(page),
  };
}

// The channels of `seen` (an Observe() snapshot) on which payload `name` showed itself.
function Channels(name, seen) {
  const mark = `PWNED:${name}`;
  const channels = new Set();
  if (seen.dialogs.includes(mark)) channels.add('dialog');
  if (seen.console.some((c) => c.endsWith(mark))) channels.add('console');
  if (seen.beacons.includes(name)) channels.add('beacon');
  if (seen.frames.some((f) => f.pwned.includes(name))) channels.add('marker');
  if (seen.frames.some((f) => f.title === mark)) channels.add('title');
  return channels;
}

async function Act(page, payload) {
  const target = page.locator(`#${payload.name}`);
  if (payload.action === 'click') await target.click({timeout: 15000, noWaitAfter: true});
  if (payload.action === 'hover') await target.hover({timeout: 15000});
}

// Positive control: each payload Chromium runs raw, alone in a document with no CSP, must be seen
// by the harness, and each channel must have caught something. Returns the slowest time from
// load (or the reader's action) to detection, which sets how long the real pages are watched.
async function PositiveControl(browser, server, payloads) {
  const context = await NewContext(browser);
  const record = NewRecord();
  const channels = new Set();
  let slowest = 0;
  const page = await context.newPage();
  Watch(page, record);
  for (const p of payloads.filter((x) => x.runsRaw)) {
    await page.goto(`${server.url}/control/${p.name}`, {waitUntil: 'load'});
    await Act(page, p);
    const acted = Date.now();
    const seen = await S.WaitFor(async () => {
      const c = Channels(p.name, await Observe(page, record, server, 0));
      const enough = p.kind === 'script' ? c.size > 0 : c.has('beacon');
      return enough ? c : null;
    }, 15000);
    if (Expect(seen, `positive control: the harness did not see raw '${p.name}' run`)) {
      slowest = Math.max(slowest, Date.now() - acted);
      seen.forEach((c) => channels.add(c));
      S.Log(`control: raw ${p.name} seen after ${Date.now() - acted} ms via ` +
            `${[...seen].join(', ')}`);
    }
  }
  for (const c of ['dialog', 'console', 'beacon', 'marker', 'title']) {
    Expect(channels.has(c), `positive control: no raw payload was caught by the ${c} channel`);
  }
  await context.close();
  return slowest;
}

// The script payloads raw under feedbridge's CSP (no sanitizer): none may run, and the page must
// report the CSP violations (which also proves the violation listener works).
async function CspOnlyControl(browser, server, payloads, settleMs, outDir) {
  const context = await NewContext(browser);
  const record = NewRecord();
  const page = await context.newPage();
  Watch(page, record);
  const since = Date.now();
  await page.goto(`${server.url}/control-csp`, {waitUntil: 'load'});
  const scripts = payloads.filter((x) => x.kind === 'script' && x.runsRaw);
  for (const p of scripts.filter((x) => x.action)) await Act(page, p);
  await page.waitForLoadState('networkidle', {timeout: 15000}).catch(() => {});
  await S.Sleep(settleMs);
  const seen = await Observe(page, record, server, since);
  for (const p of scripts) {
    const c = Channels(p.name, seen);
    Expect(c.size === 0, `CSP-only control: raw '${p.name}' ran despite the CSP ` +
           `(${[...c].join(', ')})`);
  }
  const violations = seen.frames.flatMap((f) => f.violations);
  Expect(violations.some((v) => v.startsWith('script-src')),
         'CSP-only control: the page reported no script-src violation');
  Expect(BeaconHits(server, since).length === 0,
         `CSP-only control: beacon hits ${BeaconHits(server, since)}`);
  S.Log(`control: raw script under the CSP alone: ${violations.length} violations reported`);
  await page.screenshot({path: path.join(outDir, 'control-csp-only.png'), fullPage: true});
  await context.close();
}

// Where the watch of `record` stands now; a check from this mark on ignores what came before it
// (so one payload that ran fails the page it ran on, not every page after it).
function Mark(record) {
  return {at: Date.now(), dialogs: record.dialogs.length, console: record.console.length,
    errors: record.errors.length, popups: record.popups.length};
}

// Everything on the page now, or since `mark`, that would mean a payload ran or could run:
// checked after every page the reader sees. `where` names the page in messages.
async function ExpectNothingRan(page, record, server, mark, where, {cspEnforced}) {
  const frames = await FrameState(page);
  Expect(frames.length === 1, `${where}: ${frames.length - 1} frames in the page`);
  for (const f of frames) {
    Expect(f.pwned.length === 0, `${where}: payload marker set in ${f.url}: ${f.pwned}`);
    Expect(!f.title.startsWith('PWNED'), `${where}: title changed to '${f.title}'`);
    // Media and images are a matter of policy, not of script; anything else the CSP had to
    // block means the sanitizer let it through.
    const serious = f.violations.filter((v) => !/^(media|img)-src /.test(v));
    if (cspEnforced) Expect(serious.length === 0, `${where}: CSP violations: ${serious}`);
    const others = f.violations.filter((v) => !serious.includes(v));
    if (others.length) S.Log(`${where}: note: the CSP blocked ${others.join(', ')}`);
  }
  const dialogs = record.dialogs.slice(mark.dialogs);
  Expect(dialogs.length === 0, `${where}: dialogs opened: ${dialogs}`);
  const lines = record.console.slice(mark.console);
  // Chromium's own errors (CSP refusals) may quote a payload; those are not its output.
  const pwnedLogs = lines.filter((c) => !c.startsWith('error: ') && c.includes('PWNED'));
  Expect(pwnedLogs.length === 0, `${where}: payload console output: ${pwnedLogs}`);
  const refused = lines.filter((c) => /Refused to|Content Security Policy/.test(c) &&
                                    !/(Refused to load|Loading) (media|the image) /.test(c));
  Expect(refused.length === 0, `${where}: refusals in the console: ${refused}`);
  // An uncaught exception means some script ran: feedbridge's pages have none of their own.
  const errors = record.errors.slice(mark.errors);
  Expect(errors.length === 0, `${where}: script errors: ${errors}`);
  const popups = record.popups.slice(mark.popups);
  Expect(popups.length === 0, `${where}: popups opened: ${popups}`);
  const hits = BeaconHits(server, mark.at);
  Expect(hits.length === 0, `${where}: beacon hits: ${hits}`);
}

// The DOM of a feedbridge page: nothing active, no handler, no script URL anywhere. With
// `subscribeForm`, the page (a profile) holds the bridge's own subscribe form: exactly one, in the
// profile's head, posting to BASE/main/remotesubscribe, with the blog's nickname, a profile URL
// field and a submit button; nothing of it comes from the feed.
async function ExpectInertDom(page, base, where, {subscribeForm = false} = {}) {
  const bad = await page.evaluate(([stylesheet, formAction]) => {
    const found = [];
    const forms = document.querySelectorAll('form');
    const own = formAction && forms.length === 1 ? forms[0] : null;
    if (formAction) {
      if (!own) found.push(`${forms.length} forms, want the subscribe form alone`);
      else if (own.getAttribute('action') !== formAction || own.method !== 'post' ||
               own.className !== 'subscribe' || !own.closest('article.profile')) {
        found.push(`<form action=${own.getAttribute('action')} method=${own.method}>`);
      }
    }
    // The subscribe form's own controls, and nothing else inside it.
    const ownControl = (el) => {
      if (!own || !own.contains(el) || el === own) return el === own;
      const type = el.getAttribute('type');
      const name = el.getAttribute('name');
      return (el.localName === 'input' && type === 'hidden' && name === 'nickname') ||
        (el.localName === 'input' && type === 'url' && name === 'profile_url') ||
        (el.localName === 'button' && type === 'submit' && el.children.length === 0) ||
        (el.localName === 'label' && el.children.length === 0);
    };
    const banned = new Set(['script', 'iframe', 'frame', 'object', 'embed', 'applet', 'form',
      'input', 'button', 'textarea', 'select', 'base', 'svg', 'math', 'noscript', 'template',
      'style']);
    const urlAttributes = new Set(['href', 'src', 'action', 'formaction', 'data', 'poster',
      'background', 'cite', 'xlink:href', 'srcset', 'ping']);
    for (const el of document.querySelectorAll('*')) {
      const tag = el.localName;
      if (own && own.contains(el)) {
        if (!ownControl(el)) found.push(`<${tag}> in the subscribe form`);
        if (el !== own) continue;
      }
      if (banned.has(tag) && el !== own) found.push(`<${tag}>`);
      if (tag === 'meta' && /refresh/i.test(el.httpEquiv)) found.push('<meta refresh>');
      if (tag === 'link' && el.rel !== 'alternate' && el.href !== stylesheet) {
        found.push(`<link rel=${el.rel} href=${el.href}>`);
      }
      for (const a of el.attributes) {
        const name = a.name.toLowerCase();
        if (name.startsWith('on') || name === 'style' || name === 'srcdoc') {
          found.push(`${tag}[${name}]`);
        }
        if (urlAttributes.has(name)) {
          let scheme;
          try {
            scheme = new URL(a.value, document.baseURI).protocol;
          } catch (e) {
            scheme = 'unparsable';
          }
          if (!['http:', 'https:', 'mailto:'].includes(scheme)) {
            found.push(`${tag}[${name}=${a.value.slice(0, 40)}]`);
          }
        }
      }
    }
    return found;
  }, [`${base}style.css`, subscribeForm ? `${base}main/remotesubscribe` : null]);
  Expect(bad.length === 0, `${where}: active markup in the page: ${bad.join(' ')}`);
}

// Loads settle: the network goes quiet, then the page is watched `settleMs` longer, which is at
// least three times what the slowest raw payload needed to show itself.
async function Settle(page, settleMs) {
  await page.waitForLoadState('networkidle', {timeout: 15000}).catch(() => {});
  await S.Sleep(settleMs);
}

function ExpectSecurityHeaders(response, where) {
  const h = response.headers();
  const csp = h['content-security-policy'] || '';
  Expect(response.status() === 200, `${where}: HTTP ${response.status()}`);
  Expect(/default-src 'none'/.test(csp) && !/script-src/.test(csp) && !/unsafe-/.test(csp),
         `${where}: Content-Security-Policy '${csp}' does not forbid script`);
  Expect(h['x-content-type-options'] === 'nosniff', `${where}: no X-Content-Type-Options`);
}

async function Text(page, selector) {
  const l = page.locator(selector);
  return (await l.count()) ? (await l.first().textContent()).trim() : null;
}

// A reader on the notice page: the mouse passes over every element of the content, then every
// link and summary in it is clicked; http(s) links may lead to the blog (and back), nothing else
// may happen. The viewport is made as tall as the page so every element is under the mouse
// without scrolling.
async function ReadContent(page, base, blog, where) {
  const url = page.url();
  const viewport = page.viewportSize();
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  await page.setViewportSize({width: viewport.width, height: Math.min(height, 16000)});
  const centers = await page.locator('.content *').evaluateAll((els) => els.map((e) => {
    const r = e.getBoundingClientRect();
    return r.width && r.height ? [r.x + r.width / 2, r.y + r.height / 2] : null;
  }).filter((c) => c));
  for (const [x, y] of centers) await page.mouse.move(x, y, {steps: 2});
  await page.setViewportSize(viewport);

  const clickable = page.locator('.content a, .content summary');
  const count = await clickable.count();
  let followed = 0;
  for (let i = 0; i < count; ++i) {
    const target = clickable.nth(i);
    const href = await target.getAttribute('href');
    await target.click({timeout: 5000, noWaitAfter: true})
        .catch(() => target.dispatchEvent('click'));
    await S.Sleep(300);
    await page.waitForLoadState('load').catch(() => {});
    const now = page.url();
    if (now !== url) {
      Expect(/^https?:/.test(now) && (now.startsWith(blog) || now.startsWith(base)),
             `${where}: link '${href}' led to ${now}`);
      ++followed;
      await page.goto(url, {waitUntil: 'load'});
    }
  }
  return {hovered: centers.length, links: count, followed};
}

// One context: the pages as a reader sees them. `cspEnforced` false tells Chromium to ignore
// feedbridge's CSP, so the sanitizer alone must hold.
async function ReadBlog(browser, env) {
  const {base, blog, server, entries, settleMs, outDir, cspEnforced, label} = env;
  const context = await NewContext(browser, {bypassCSP: !cspEnforced});
  const page = await context.newPage();
  const record = NewRecord();
  Watch(page, record);
  const shot = (name) => page.screenshot({path: path.join(outDir, `${label}-${name}.png`),
    fullPage: true});
  const start = Mark(record);

  // The index: the blog's name is text.
  let where = `${label} index`;
  let response = await page.goto(base, {waitUntil: 'load'});
  ExpectSecurityHeaders(response, where);
  await Settle(page, settleMs);
  Expect(await Text(page, 'main h1') === 'Bridged blogs', `${where}: heading`);
  Expect(await Text(page, 'li.blog h2 a') === kBlogTitle,
         `${where}: blog name shown as '${await Text(page, 'li.blog h2 a')}'`);
  Expect((await Text(page, 'li.blog .meta') || '').startsWith(`@${kNickname}`),
         `${where}: nickname`);
  Expect(await Text(page, 'li.blog .health') === 'ok', `${where}: health`);
  Expect(await page.title() === 'Bridged blogs · feedbridge', `${where}: title`);
  await ExpectInertDom(page, base, where);
  await ExpectNothingRan(page, record, server, start, where, {cspEnforced});
  await shot('1-index');

  // The profile, by following the blog's link.
  where = `${label} profile`;
  let mark = Mark(record);
  const [profileResponse] = await Promise.all([
    page.waitForResponse((r) => r.url() === `${base}${kNickname}`),
    page.locator('li.blog h2 a').click(),
  ]);
  await page.waitForLoadState('load');
  ExpectSecurityHeaders(profileResponse, where);
  await Settle(page, settleMs);
  Expect(page.url() === `${base}${kNickname}`, `${where}: at ${page.url()}`);
  Expect(await Text(page, '.profile h1') === kBlogTitle, `${where}: name`);
  Expect(await Text(page, '.profile .description') === kDescription,
         `${where}: description shown as '${await Text(page, '.profile .description')}'`);
  Expect(await page.locator('a.home').count() === 0, `${where}: the javascript: site link shown`);
  Expect(await page.locator('img.icon').count() === 0, `${where}: the javascript: icon shown`);
  const feedLinks = await page.locator('.feeds a').evaluateAll((as) => as.map((a) => a.href));
  Expect(['feed.atom', 'feed.rss', 'feed.json'].every((f) =>
    feedLinks.includes(`${base}${kNickname}/${f}`)), `${where}: feed links ${feedLinks}`);
  const notices = await page.locator('li.notice > p:first-child').allTextContents();
  Expect(notices.length === entries.length,
         `${where}: ${notices.length} notices, want ${entries.length}: ${notices}`);
  Expect(notices.some((t) => t.startsWith(kEntryTitle)),
         `${where}: the notice with the literal <script> title is missing: ${notices}`);
  Expect(await page.title() === `${kBlogTitle} · feedbridge`, `${where}: title`);
  await ExpectInertDom(page, base, where, {subscribeForm: true});
  await ExpectNothingRan(page, record, server, mark, where, {cspEnforced});
  await shot('2-profile');
  const profileUrl = page.url();

  // Each notice, by clicking its link on the profile.
  for (let i = 0; i < notices.length; ++i) {
    const entry = entries.find((e) => notices[i].startsWith(e.title));
    where = `${label} notice of '${entry ? entry.key : notices[i]}'`;
    if (!Expect(entry, `${where}: a notice of no known entry`)) continue;
    if (page.url() !== profileUrl) await page.goto(profileUrl, {waitUntil: 'load'});
    const link = page.locator('li.notice').nth(i).locator('.meta a');
    const href = await link.getAttribute('href');
    mark = Mark(record);
    const [noticeResponse] = await Promise.all([
      page.waitForResponse((r) => r.url() === href),
      link.click(),
    ]);
    await page.waitForLoadState('load');
    ExpectSecurityHeaders(noticeResponse, where);
    Expect(/\/notice\/\d+$/.test(page.url()), `${where}: at ${page.url()}`);
    await Settle(page, settleMs);
    Expect(await Text(page, '.notice-text') === notices[i], `${where}: notice text`);
    Expect(await Text(page, '.entry h1') === entry.title,
           `${where}: entry title shown as '${await Text(page, '.entry h1')}'`);
    Expect(await page.locator('.entry h1 *').count() === 0, `${where}: markup in the title`);
    Expect(await Text(page, '.notice-page .meta a') === kBlogTitle, `${where}: blog name`);
    const content = (await Text(page, '.content')) || '';
    for (const l of entry.labels) {
      Expect(content.includes(l), `${where}: content lacks '${l}'`);
    }
    const original = await page.locator('a.original').evaluateAll((as) => as.map((a) => a.href));
    if (entry.link.startsWith('http')) {
      Expect(original.length === 1 && original[0] === entry.link,
             `${where}: 'Read the original post' links to ${original}`);
    } else {
      Expect(original.every((h) => /^https?:/.test(h)), `${where}: original link ${original}`);
    }
    const failed = failures.length;
    await ExpectInertDom(page, base, where);
    await ExpectNothingRan(page, record, server, mark, where, {cspEnforced});
    await shot(`3-notice-${entry.key}`);
    mark = Mark(record);
    const read = await ReadContent(page, base, blog, where);
    await Settle(page, settleMs);
    await ExpectNothingRan(page, record, server, mark, `${where}, after reading`, {cspEnforced});
    S.Log(`${where}: ${failures.length > failed ? 'FAILED' : 'nothing ran'}; hovered ` +
          `${read.hovered} elements, clicked ${read.links} links and summaries ` +
          `(${read.followed} led to the blog)`);

    if (entry.key === 'payloads') {
      // "Read the original post" leads to the blog.
      await Promise.all([page.waitForURL(entry.link), page.locator('a.original').click()]);
      Expect(await Text(page, 'h1') === 'Original post 1', `${where}: original post page`);
      if (cspEnforced) await shot('4-original-post');
      await page.goBack({waitUntil: 'load'});
    }
  }
  // The mirror feeds opened in the browser: XML and JSON are rendered (or downloaded), never run;
  // an XML document would run XHTML <script> elements and handlers, so the writers must escape.
  for (const format of ['atom', 'rss', 'json']) {
    where = `${label} feed.${format}`;
    const url = `${base}${kNickname}/feed.${format}`;
    mark = Mark(record);
    response = await page.goto(url, {waitUntil: 'load'}).catch((e) => e);
    if (!Expect(response, `${where}: no response`)) continue;
    if (response instanceof Error) {
      // Chromium saves what it cannot show (JSON Feed's type, say): nothing to run then.
      Expect(/Download is starting/.test(response.message), `${where}: ${response.message}`);
      S.Log(`${where}: downloaded, not shown`);
      continue;
    }
    Expect(response.status() === 200, `${where}: HTTP ${response.status()}`);
    Expect(!/html/.test(response.headers()['content-type'] || ''),
           `${where}: served as ${response.headers()['content-type']}`);
    await Settle(page, settleMs);
    const failed = failures.length;
    await ExpectNothingRan(page, record, server, mark, where, {cspEnforced});
    const scripts = await page.evaluate(() => document.getElementsByTagName('script').length);
    Expect(scripts === 0, `${where}: ${scripts} script elements in the rendered feed`);
    S.Log(`${where}: shown as ${response.headers()['content-type']}; ` +
          `${failures.length > failed ? 'FAILED' : 'nothing ran'}`);
  }

  // No navigation but the reader's own: every main-frame URL is feedbridge's or the blog's.
  const strays = record.navigations.filter((u) => !u.startsWith(base) && !u.startsWith(blog));
  Expect(strays.length === 0, `${label}: navigations away: ${strays}`);
  // And nothing at all in between the checks above.
  await ExpectNothingRan(page, record, server, start, `${label}, the whole visit`, {cspEnforced});
  await context.close();
}

// ---- Main ----

async function Main() {
  const [binary, outDir] = process.argv.slice(2);
  Require(binary && outDir, 'usage: node hostile_entry_test.js FEEDBRIDGE_BINARY OUTPUT_DIR');
  Require(fs.existsSync(binary), `no feedbridge binary at ${binary}: build it first`);
  Require(fs.existsSync('/usr/bin/redis-server'),
          '/usr/bin/redis-server is missing: run scripts/bootstrap');
  Require(fs.existsSync(kChromium),
          `${kChromium} is missing: run scripts/bootstrap (it installs Debian's chromium)`);
  let playwright;
  try {
    playwright = require('playwright-core');
  } catch (e) {
    throw new Fatal('playwright-core is not installed in tests/browser/node_modules: run ' +
                    `scripts/bootstrap (it runs npm ci there): ${e.message}`);
  }
  fs.rmSync(outDir, {recursive: true, force: true});
  fs.mkdirSync(outDir, {recursive: true});
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'feedbridge-browser-'));
  tempDir = dir;
  const logPath = path.join(outDir, 'feedbridge.log');
  const state = {version: 1, payloads: [], csp: ''};
  const server = StartBlog(state);
  let browser = null;
  let serve = null;
  let redis = null;
  try {
    await server.Listen();
    const blog = server.url;
    state.payloads = Payloads(`${blog}/beacon`);
    // Our own redis-server, not feedbridge's private one: then every process of the run is our
    // child and stopped on every exit path.
    redis = await S.StartRedis(dir, logPath);
    const port = await S.FreePort();
    const env = FeedbridgeEnv(dir, {FEEDBRIDGE_SERVER_BASE_URL: `http://127.0.0.1:${port}/`,
      FEEDBRIDGE_REDIS_URL: redis.url});

    // The first fetch stores the backlog without notices; the second brings the hostile entries.
    let r = await Feedbridge(binary, ['feeds', 'add', `${blog}/feed.atom`, '--nickname', kNickname],
                             env, dir, logPath);
    Require(r.code === 0, `feeds add failed (${r.code}): ${r.err}`);
    Require(r.out.includes('1 entry (not broadcast)'), `feeds add: ${r.out}`);
    state.version = 2;
    const entries = NewEntries(blog, `${blog}/beacon`);
    r = await Feedbridge(binary, ['poll', kNickname], env, dir, logPath);
    Require(r.code === 0, `poll failed (${r.code}): ${r.err}`);
    Require(r.out.includes(`${entries.length} new, ${entries.length} notices`), `poll: ${r.out}`);

    let base;
    ({serve, base} = await StartServe(binary, dir, logPath, port));
    S.Log(`feedbridge serves ${base}; the blog is ${blog}`);
    state.csp = (await S.HttpGet(base)).headers['content-security-policy'] || '';
    Require(state.csp, `${base} sent no Content-Security-Policy`);

    browser = await playwright.chromium.launch({
      executablePath: kChromium, headless: true, args: kChromiumFlags, timeout: 120000});
    S.Log(`Chromium ${browser.version()}`);

    const slowest = await PositiveControl(browser, server, state.payloads);
    const settleMs = Math.min(Math.max(3 * slowest, 1500), 8000);
    S.Log(`positive control done; slowest raw payload ${slowest} ms, pages watched ${settleMs} ms`);
    await CspOnlyControl(browser, server, state.payloads, settleMs, outDir);

    const reading = {base, blog, server, entries, settleMs, outDir};
    await ReadBlog(browser, {...reading, cspEnforced: true, label: 'csp'});
    await ReadBlog(browser, {...reading, cspEnforced: false, label: 'sanitizer-only'});
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (serve) {
      const code = await S.Stop(serve);
      Expect(code === 0, `feedbridge serve exited with ${code} on SIGTERM`);
    }
    if (redis) await S.Stop(redis.redis);
    await server.Close();
  }
}

// Every way out: children stopped (normally they are already), the temp dir removed.
let tempDir = null;
RunTest(Main, {deadlineMs: kDeadlineMs, failures, tempDir: () => tempDir,
  passMessage: `PASS; screenshots in ${process.argv[3]}`,
  describe: (e) => (e instanceof Fatal ? e.message : e.stack)});
