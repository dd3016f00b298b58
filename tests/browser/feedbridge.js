// Running the built feedbridge from a browser test: the environment it gets (nothing of the
// calling shell's FEEDBRIDGE_* leaks in), one-off commands, and `serve --roles web` on a port
// picked beforehand (the base URL must name it); the run of a whole test. Shared by hostile_entry_test.js and
// subscribe_flow_test.js.
'use strict';

const fs = require('fs');
const path = require('path');

const S = require('./support');

function FeedbridgeEnv(dir, extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('FEEDBRIDGE_')) env[k] = v;
  }
  return Object.assign(env, {
    FEEDBRIDGE_DATABASE_URL: `sqlite:${path.join(dir, 'feedbridge.db')}`,
    FEEDBRIDGE_POLLER_ALLOW_PRIVATE_NETWORKS: 'true',  // The blog is on loopback.
    FEEDBRIDGE_LOG_LEVEL: 'information',
  }, extra);
}

async function Feedbridge(binary, args, env, cwd, logPath) {
  fs.appendFileSync(logPath, `\n$ feedbridge ${args.join(' ')}\n`);
  const r = await S.Run(binary, args, {env, cwd, logPath, timeoutMs: 120000});
  S.Log(`feedbridge ${args.join(' ')}: exit ${r.code}; ${r.out.trim().split('\n').pop()}`);
  return r;
}

// Starts `serve --roles web` on `port`, picked before the first feedbridge command so that the
// notices (which may name base_url) and the pages agree, and waits for the log line naming it.
// If another process took the port meanwhile, tries other free ports. `extra`: more environment.
async function StartServe(binary, dir, logPath, port, extra = {}) {
  for (let attempt = 1; ; ++attempt) {
    const base = `http://127.0.0.1:${port}/`;
    const env = FeedbridgeEnv(dir, {...extra, FEEDBRIDGE_SERVER_LISTEN: `127.0.0.1:${port}`,
      FEEDBRIDGE_SERVER_BASE_URL: base});
    fs.appendFileSync(logPath, `\n$ feedbridge serve --roles web   (${base})\n`);
    const serve = S.Start(binary, ['serve', '--roles', 'web'], {env, cwd: dir, logPath});
    let exited = false;
    serve.exited.then(() => {
      exited = true;
    });
    const up = await S.WaitFor(() => exited || serve.err().includes(`web server on port ${port}`),
                               60000);
    if (up && !exited) return {serve, base};
    await S.Stop(serve);
    const taken = /listen/.test(serve.err()) && attempt < 5;
    if (!taken) {
      throw new Error(`feedbridge serve did not come up on ${base}: ${serve.err().slice(-2000)}`);
    }
    S.Log(`port ${port} was taken; trying another`);
    port = await S.FreePort();
  }
}

// Runs `main` (an async function) as the whole test: it must end within `deadlineMs`; on every
// way out (its end, a failure, SIGINT/SIGTERM, the deadline) the children are stopped and the
// directory `tempDir()` names, if any, is removed. Exit status 0 only when `main` resolved and
// `failures` (the Expect list) is empty. `describe(e)` words an error main threw.
function RunTest(main, {deadlineMs, failures, tempDir, passMessage = 'PASS',
  describe = (e) => e.stack}) {
  const finish = (code) => {
    S.Cleanup();
    const dir = tempDir();
    if (dir) fs.rmSync(dir, {recursive: true, force: true});
    process.exit(code);
  };
  const deadline = setTimeout(() => {
    S.Log(`FAIL: the test did not finish within ${deadlineMs / 1000} s`);
    finish(1);
  }, deadlineMs);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      S.Log(`FAIL: ${signal} received`);
      finish(1);
    });
  }
  main().then(() => {
    clearTimeout(deadline);
    if (failures.length) {
      S.Log(`${failures.length} failures:\n  ${failures.join('\n  ')}`);
      finish(1);
    }
    S.Log(passMessage);
    finish(0);
  }, (e) => {
    clearTimeout(deadline);
    S.Log(`FAIL: ${describe(e)}`);
    if (failures.length) S.Log(`and ${failures.length} failures:\n  ${failures.join('\n  ')}`);
    finish(1);
  });
}

module.exports = {Feedbridge, FeedbridgeEnv, RunTest, StartServe};
