// BrowserTest.SubscribeFlow: a person on a Laconica 0.8 service (tests/peers/omb_peer.py, which
// checks every OAuth signature with python3-oauthlib) subscribes to a blog bridged by the built
// feedbridge, in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core): the
// blog's profile page and its subscribe form (and once Laconica's form page), the 303 to the peer's
// authorize page, Approve, the 303 back to the bridge's callback, the success page; then the
// failure pages a person meets: already subscribed, declined on their service, a page without
// an OMB account, a URL that is no profile, a callback the bridge never started.
//
// Usage: node subscribe_flow_test.js FEEDBRIDGE_BINARY PEER_SCRIPT OUTPUT_DIR   (CTest passes
// them; the screenshots and the logs go to OUTPUT_DIR).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const S = require('./support');
const {Feedbridge, FeedbridgeEnv, RunTest, StartServe} = require('./feedbridge');

const kChromium = '/usr/bin/chromium';
const kChromiumArgs = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const kDeadlineMs = 300000;  // CTest's TIMEOUT is 360 s: stop first, so the children go too.
const kNickname = 'garden';

const failures = [];
function Expect(ok, what) {
  if (!ok) {
    failures.push(what);
    S.Log(`FAIL: ${what}`);
  }
  return ok;
}

// The blog: its feed, and a home page that advertises no OMB account.
function StartBlog() {
  const server = new S.LoopbackServer((req, url) => {
    if (url.pathname === '/feed.rss') {
      return {headers: {'Content-Type': 'application/rss+xml'},
        body: '<?xml version="1.0"?><rss version="2.0"><channel><title>The Garden</title>' +
            `<link>${server.url}/</link><description>Plants and notes.</description>` +
            `<item><title>First</title><link>${server.url}/p/1</link><guid>p1</guid></item>` +
            '</channel></rss>'};
    }
    if (url.pathname === '/') {
      return {headers: {'Content-Type': 'text/html; charset=utf-8'},
        body: '<!DOCTYPE html><html><head><title>The Garden</title></head><body>Hi</body></html>'};
    }
    return null;
  });
  return server;
}

async function StartPeer(script, dir, logPath) {
  const portFile = path.join(dir, 'peer.port');
  const peer = S.Start('/usr/bin/python3', [script, '--variant', 'laconica-0.8', '--users',
    'alice,bob', '--port-file', portFile], {logPath});
  const port = await S.WaitFor(() => fs.existsSync(portFile) &&
                                     fs.readFileSync(portFile, 'utf8').trim(), 30000);
  if (!port) throw new Error(`omb_peer.py did not start: ${peer.err()}`);
  return {peer, url: `http://127.0.0.1:${port}`};
}

async function Heading(page) {
  return ((await page.locator('h1').first().textContent()) || '').trim();
}

// Submits `profileUrl` in the subscribe form of the blog's profile page, or with `standalone` in
// Laconica's form page (BASE/main/remotesubscribe?nickname=); resolves when the next page (the
// peer's, or a bridge page) has loaded.
async function SubmitForm(page, base, profileUrl, {standalone = false} = {}) {
  if (standalone) {
    await page.goto(`${base}main/remotesubscribe?nickname=${kNickname}`, {waitUntil: 'load'});
    Expect(await page.locator('#nickname').inputValue() === kNickname, 'form: nickname filled in');
  } else {
    await page.goto(`${base}${kNickname}`, {waitUntil: 'load'});
    Expect(await page.locator('form.subscribe input[name="nickname"]').inputValue() === kNickname,
           'profile form: the blog given');
  }
  await page.locator('#profile_url').fill(profileUrl);
  await Promise.all([page.waitForNavigation({waitUntil: 'load'}),
    page.locator('form.subscribe button[type="submit"]').click()]);
}

async function Flow(browser, base, blog, peerUrl, outDir) {
  const context = await browser.newContext();
  context.setDefaultTimeout(30000);
  context.setDefaultNavigationTimeout(60000);
  const page = await context.newPage();
  const violations = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/.test(m.text())) violations.push(m.text());
  });
  const shot = (name) => page.screenshot({path: path.join(outDir, `${name}.png`), fullPage: true});

  // The profile: no subscriber yet, the XRDS advertised.
  const profile = await page.goto(`${base}${kNickname}`, {waitUntil: 'load'});
  Expect(profile.headers()['x-xrds-location'] === `${base}${kNickname}/xrds`,
         `profile: X-XRDS-Location ${profile.headers()['x-xrds-location']}`);
  Expect(((await page.locator('p.subscribers').textContent()) || '').startsWith(
      '0 OMB subscribers'), 'profile: subscriber count 0');
  await shot('1-profile');

  // Subscribe: the form, the peer's authorize page, Approve, back on the bridge.
  await SubmitForm(page, base, `${peerUrl}/alice`);
  Expect(page.url().startsWith(`${peerUrl}/index.php?`), `after the form: at ${page.url()}`);
  Expect(await Heading(page) === 'Authorize subscription', 'the peer\'s authorize page');
  const listenee = (await page.locator('#listenee').textContent()) || '';
  Expect(listenee.includes(kNickname) && listenee.includes('The Garden'),
         `the peer was told of the blog: ${listenee}`);
  await shot('2-authorize');
  await Promise.all([page.waitForURL(`${base}main/finishremotesubscribe**`),
    page.locator('#approve').click()]);
  await page.waitForLoadState('load');
  Expect(await Heading(page) === 'Subscribed', `callback: heading '${await Heading(page)}'`);
  await shot('3-subscribed');
  const state = JSON.parse((await S.HttpGet(`${peerUrl}/_state`)).body);
  Expect(state.subscriptions.length === 1 && state.subscriptions[0].user === 'alice',
         `the peer's subscriptions: ${JSON.stringify(state.subscriptions)}`);
  // The profile may be cached for a minute (Cache-Control: max-age=60): reload revalidates it.
  await page.goto(`${base}${kNickname}`, {waitUntil: 'load'});
  await page.reload({waitUntil: 'load'});
  const count = (await page.locator('p.subscribers').textContent()) || '';
  Expect(count === '1 OMB subscriber', `profile: subscriber count '${count}'`);

  // The failure pages.
  const failure = async (name, profileUrl, heading, options) => {
    await SubmitForm(page, base, profileUrl, options);
    Expect(await Heading(page) === heading, `${name}: heading '${await Heading(page)}'`);
    await shot(`4-${name}`);
  };
  await failure('already-subscribed', `${peerUrl}/alice`, 'You are already subscribed');
  await failure('no-xrds', `${blog}/`, 'No OpenMicroBlogging account found there',
                {standalone: true});
  await failure('not-a-profile', `${peerUrl}/nobody`, 'That is not a profile URL');
  await SubmitForm(page, base, `${peerUrl}/bob`);
  Expect(await Heading(page) === 'Authorize subscription', 'bob: the peer\'s authorize page');
  await Promise.all([page.waitForURL(`${base}main/finishremotesubscribe**`),
    page.locator('#reject').click()]);
  await page.waitForLoadState('load');
  Expect(await Heading(page) === 'Subscription declined', `reject: '${await Heading(page)}'`);
  await shot('4-declined');
  const forged = await page.goto(`${base}main/finishremotesubscribe?oauth_token=forged`);
  Expect(forged.status() === 400, `forged callback: HTTP ${forged.status()}`);
  Expect(await Heading(page) === 'This subscription request is unknown',
         `forged callback: '${await Heading(page)}'`);
  await shot('4-unknown');
  Expect(violations.length === 0, `CSP refusals: ${violations}`);
  await context.close();
}

async function Main() {
  const [binary, peerScript, outDir] = process.argv.slice(2);
  if (!binary || !peerScript || !outDir) {
    throw new Error('usage: node subscribe_flow_test.js FEEDBRIDGE_BINARY PEER_SCRIPT OUTPUT_DIR');
  }
  for (const f of [binary, peerScript, kChromium, '/usr/bin/redis-server', '/usr/bin/python3']) {
    if (!fs.existsSync(f)) throw new Error(`${f} is missing (scripts/bootstrap installs it)`);
  }
  const playwright = require('playwright-core');
  fs.rmSync(outDir, {recursive: true, force: true});
  fs.mkdirSync(outDir, {recursive: true});
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'feedbridge-subscribe-'));
  tempDir = dir;
  const logPath = path.join(outDir, 'feedbridge.log');
  const blog = StartBlog();
  let browser = null;
  let serve = null;
  let redis = null;
  let peer = null;
  try {
    await blog.Listen();
    redis = await S.StartRedis(dir, logPath);
    const started = await StartPeer(peerScript, dir, path.join(outDir, 'peer.log'));
    peer = started.peer;
    const port = await S.FreePort();
    // The subscribe flow's client reaches private networks exactly when the publisher may.
    const extra = {FEEDBRIDGE_SERVER_BASE_URL: `http://127.0.0.1:${port}/`,
      FEEDBRIDGE_REDIS_URL: redis.url, FEEDBRIDGE_PUBLISHER_ALLOW_PRIVATE_NETWORKS: 'true'};
    const r = await Feedbridge(binary, ['feeds', 'add', `${blog.url}/feed.rss`, '--nickname',
      kNickname], FeedbridgeEnv(dir, extra), dir, logPath);
    if (r.code !== 0) throw new Error(`feeds add failed (${r.code}): ${r.err}`);
    const env = {FEEDBRIDGE_REDIS_URL: redis.url, FEEDBRIDGE_PUBLISHER_ALLOW_PRIVATE_NETWORKS: 'true'};
    let base;
    ({serve, base} = await StartServe(binary, dir, logPath, port, env));
    S.Log(`feedbridge serves ${base}; the peer is ${started.url}`);
    browser = await playwright.chromium.launch({executablePath: kChromium, headless: true,
      args: kChromiumArgs, timeout: 120000});
    await Flow(browser, base, blog.url, started.url, outDir);
  } finally {
    if (browser) await browser.close().catch(() => {});
    if (serve) Expect(await S.Stop(serve) === 0, 'feedbridge serve did not exit cleanly');
    if (peer) await S.Stop(peer);
    if (redis) await S.Stop(redis.redis);
    await blog.Close();
  }
}

// Every way out: children stopped (normally they are already), the temp dir removed.
let tempDir = null;
RunTest(Main, {deadlineMs: kDeadlineMs, failures, tempDir: () => tempDir});
