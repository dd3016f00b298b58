// Process and server plumbing for the browser test: child processes that are always stopped,
// a loopback HTTP server with routes that records every request, free ports, polling waits.
'use strict';

const childProcess = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const os = require('os');
const path = require('path');

const started = Date.now();

function Log(message) {
  const seconds = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[${seconds}s] ${message}\n`);
}

function Sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Calls `probe` every 100 ms until it returns a truthy value (returned) or `ms` pass (null).
async function WaitFor(probe, ms) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() >= end) return null;
    await Sleep(100);
  }
}

// Every child still running; Cleanup() sends them SIGTERM. Runs on every exit path: normal end,
// failed assertion, uncaught error, SIGINT/SIGTERM and the test's own deadline. (ctest's timeout
// sends SIGKILL, which nothing can catch: the deadline in the test fires well before it.)
const running = new Set();

function Cleanup() {
  for (const child of running) {
    try {
      child.kill('SIGTERM');
    } catch (e) {
      // Already gone.
    }
  }
  running.clear();
}
process.on('exit', Cleanup);

// Starts `program`; its output is kept (child.out(), child.err()) and appended to `logPath` if
// given. With `env` the child gets that environment only, so nothing from the calling shell
// (FEEDBRIDGE_*, say) leaks in. child.exited resolves to the exit code (128 + signal if killed).
function Start(program, args, {env, cwd, logPath} = {}) {
  const child = childProcess.spawn(program, args, {env, cwd, stdio: ['ignore', 'pipe', 'pipe']});
  running.add(child);
  let out = '';
  let err = '';
  const log = logPath ? fs.createWriteStream(logPath, {flags: 'a'}) : null;
  child.stdout.on('data', (d) => {
    out += d;
    if (log) log.write(d);
  });
  child.stderr.on('data', (d) => {
    err += d;
    if (log) log.write(d);
  });
  child.exited = new Promise((resolve) => {
    child.on('error', (e) => {
      running.delete(child);
      err += `\ncannot start ${program}: ${e.message}\n`;
      resolve(-1);
    });
    child.on('close', (code, signal) => {
      running.delete(child);
      if (log) log.end();
      resolve(code === null ? 128 + (os.constants.signals[signal] || 0) : code);
    });
  });
  child.out = () => out;
  child.err = () => err;
  return child;
}

// Runs `program` to its end (at most `ms`) and returns {code, out, err}.
async function Run(program, args, options = {}) {
  const ms = options.timeoutMs || 120000;
  const child = Start(program, args, options);
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  const code = await child.exited;
  clearTimeout(timer);
  return {code, out: child.out(), err: child.err()};
}

// Sends SIGTERM and waits up to `ms` for the exit, then SIGKILL. Returns the exit code.
async function Stop(child, ms = 15000) {
  if (!running.has(child)) return child.exited;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  const code = await child.exited;
  clearTimeout(timer);
  return code;
}

// A port that was free a moment ago on 127.0.0.1. Only for a server that must know its own
// address before it starts (feedbridge's base_url); the caller retries if it was taken meanwhile.
function FreePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

// A private redis-server on a unix socket in `dir` (no TCP port), started and stopped by this
// process; resolves to its url for FEEDBRIDGE_REDIS_URL once it answers PING.
async function StartRedis(dir, logPath) {
  const socket = path.join(dir, 'redis.sock');
  const redis = Start('/usr/bin/redis-server', [
    '--port', '0', '--unixsocket', socket, '--unixsocketperm', '700', '--dir', dir,
    '--save', '', '--appendonly', 'no', '--daemonize', 'no'], {logPath});
  const ping = () => new Promise((resolve) => {
    const c = net.createConnection(socket);
    c.setTimeout(2000, () => {
      c.destroy();
      resolve(false);
    });
    c.on('error', () => resolve(false));
    c.on('connect', () => c.write('PING\r\n'));
    c.on('data', (d) => {
      c.destroy();
      resolve(String(d).startsWith('+PONG'));
    });
  });
  const up = await WaitFor(() => running.has(redis) && ping(), 30000);
  if (!up) throw new Error(`redis-server did not answer on ${socket}: ${redis.err()}`);
  return {redis, url: `unix:${socket}`};
}

// GET `url` (plain http, 30 s at most); resolves to {status, headers, body}.
function HttpGet(url) {
  return new Promise((resolve, reject) => {
    const request = http.get(url, (res) => {
      let body = '';
      res.on('data', (d) => body += d);
      res.on('end', () => resolve({status: res.statusCode, headers: res.headers, body}));
    });
    request.setTimeout(30000, () => request.destroy(new Error(`GET ${url}: timed out`)));
    request.on('error', reject);
  });
}

// An HTTP server on 127.0.0.1, port 0. route(request, url) returns {status, headers, body} or
// null for a 404. Every request is recorded in `requests` ({path, at}), in order.
class LoopbackServer {
  constructor(route) {
    this.requests = [];
    this.server = http.createServer((req, res) => {
      const url = new URL(req.url, 'http://127.0.0.1');
      this.requests.push({path: url.pathname, at: Date.now()});
      let answer;
      try {
        answer = route(req, url) || {status: 404, body: 'not found\n'};
      } catch (e) {
        answer = {status: 500, body: String(e.stack || e)};
      }
      res.writeHead(answer.status || 200, Object.assign({'Cache-Control': 'no-store'},
                                                        answer.headers || {}));
      res.end(answer.body || '');
    });
  }
  async Listen() {
    await new Promise((resolve, reject) => {
      this.server.on('error', reject);
      this.server.listen(0, '127.0.0.1', resolve);
    });
    this.url = `http://127.0.0.1:${this.server.address().port}`;
  }
  Close() {
    this.server.closeAllConnections && this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

module.exports = {
  Cleanup, FreePort, HttpGet, Log, LoopbackServer, Run, Sleep, Start, StartRedis, Stop, WaitFor,
};
