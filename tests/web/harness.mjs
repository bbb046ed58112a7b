// What the browser tests stand on: a demo district served by the real mingzhangd on loopback, the
// API seen directly (to compare the page with), a proxy that alters answers in transit, and a
// headless Chromium driven by playwright-core from the portal's own locked npm packages.
//
// Paths come from ctest (tests/web/CMakeLists.txt): MINGZHANGD, MINGZHANG_CLI, PORTAL_DIR,
// PORTAL_NODE_MODULES, SCREENSHOT_DIR; CHROMIUM defaults to /usr/bin/chromium.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const DAEMON_START_MS = 20_000;
const DEMO_MS = 120_000;
const DEMO_SCALE = '0.05';

export function env(name, fallback) {
  const value = process.env[name] ?? fallback;
  if (!value) throw new Error(`${name} is not set (ctest sets it; see tests/web/CMakeLists.txt)`);
  return value;
}

function run(argv, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128, signal, output });
    });
  });
}

export { run as runCommand };

// mingzhangd on 127.0.0.1, an ephemeral port (read back from its "serving ... on" line).
async function startDaemon(dataDir, webDir) {
  const child = spawn(env('MINGZHANGD'), ['--data-dir', dataDir, '--listen', '127.0.0.1:0', '--threads', '2', '--web-dir', webDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`mingzhangd did not start:\n${log}`)), DAEMON_START_MS);
    child.stderr.on('data', (d) => {
      log += d;
      const m = /serving .* on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`mingzhangd exited (${code}):\n${log}`)));
  });
  return { url, child, log: () => log };
}

async function stopDaemon(daemon) {
  if (daemon.child.exitCode !== null) return daemon.child.exitCode;
  const exited = new Promise((resolve) => daemon.child.on('exit', (code) => resolve(code)));
  daemon.child.kill('SIGTERM');
  return exited;
}

// The demo district through the API, as tools/run.sh makes it, but small.
async function makeDemo(url, dataDir, outDir) {
  const r = await run([env('MINGZHANG_CLI'), 'demo', '--server', url, '--admin-token-file', join(dataDir, 'admin.token'), '--out-dir', outDir, '--scale', DEMO_SCALE], DEMO_MS);
  if (r.code !== 0) throw new Error(`mingzhang demo failed (${r.code}):\n${r.output}`);
  const guide = readFileSync(join(outDir, 'demo.txt'), 'utf8');
  const owner = /owner\.token +owner of unit (\S+) in community (\S+)/.exec(guide);
  const months = /months: +(\d{4}-\d{2}) \.\. (\d{4}-\d{2})/.exec(guide);
  if (!owner || !months) throw new Error(`demo.txt does not say who the owner is:\n${guide}`);
  const token = (role) => readFileSync(join(outDir, `${role}.token`), 'utf8').trim();
  return {
    unit: owner[1],
    community: owner[2],
    firstMonth: months[1],
    lastMonth: months[2],
    tokens: { owner: token('owner'), firm: token('firm'), committee: token('committee'), regulator: token('regulator'), admin: readFileSync(join(dataDir, 'admin.token'), 'utf8').trim() },
  };
}

// The API, seen directly by the test (never through the proxy).
export class ApiClient {
  constructor(url) {
    this.url = url;
  }

  async call(method, path, token, body) {
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(this.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return { text, json: () => JSON.parse(text), headers: res.headers };
  }

  async get(path, token) {
    return (await this.call('GET', path, token)).json();
  }

  async post(path, token, body) {
    return (await this.call('POST', path, token, body)).json();
  }
}

// A proxy to `target` that passes everything through, except that while `tamper` is set it hands
// every JSON answer of a path matching `tamper.path` to `tamper.edit(json)` and sends the result.
export async function startTamperProxy(target) {
  const state = { tamper: null, edits: 0 };
  const server = http.createServer((req, res) => {
    const upstream = http.request(target + req.url, { method: req.method, headers: req.headers }, (up) => {
      const tamper = state.tamper;
      if (!tamper || !tamper.path.test(req.url) || up.statusCode !== 200) {
        res.writeHead(up.statusCode, up.headers);
        up.pipe(res);
        return;
      }
      const chunks = [];
      up.on('data', (c) => chunks.push(c));
      up.on('end', () => {
        // Answers come gzip-coded to a browser (it accepts gzip); the altered one goes out plain.
        const raw = Buffer.concat(chunks);
        const gzipped = up.headers['content-encoding'] === 'gzip';
        const body = JSON.parse((gzipped ? gunzipSync(raw) : raw).toString('utf8'));
        tamper.edit(body);
        state.edits += 1;
        const out = Buffer.from(JSON.stringify(body));
        const headers = { ...up.headers, 'content-length': String(out.length) };
        delete headers['content-encoding'];
        res.writeHead(200, headers);
        res.end(out);
      });
    });
    upstream.on('error', (err) => {
      res.writeHead(502);
      res.end(String(err));
    });
    req.pipe(upstream);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    state,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// Debian's Chromium, never a downloaded one, with a profile of its own.
async function launchBrowser(profileDir, downloadsDir) {
  const require = createRequire(join(env('PORTAL_NODE_MODULES'), 'resolve-from-here.js'));
  const { chromium } = require('playwright-core');
  return chromium.launchPersistentContext(profileDir, {
    executablePath: env('CHROMIUM', '/usr/bin/chromium'),
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    downloadsPath: downloadsDir,
  });
}

// Everything a browser test needs, started once; close() stops it all.
export async function startWorld() {
  const root = mkdtempSync(join(tmpdir(), 'mingzhang-web-'));
  const dataDir = join(root, 'data');
  const daemon = await startDaemon(dataDir, env('PORTAL_DIR'));
  const world = { root, dataDir, daemon, url: daemon.url, api: new ApiClient(daemon.url), pageErrors: [] };
  try {
    world.demo = await makeDemo(daemon.url, dataDir, join(root, 'demo-tokens'));
    world.proxy = await startTamperProxy(daemon.url);
    world.browser = await launchBrowser(join(root, 'profile'), join(root, 'downloads'));
    world.screenshots = env('SCREENSHOT_DIR');
    mkdirSync(world.screenshots, { recursive: true });
  } catch (err) {
    await stopDaemon(daemon);
    throw err;
  }
  world.close = async () => {
    await world.browser?.close();
    await world.proxy?.close();
    const code = await stopDaemon(daemon);
    rmSync(root, { recursive: true, force: true });
    return code;
  };
  return world;
}

// A fresh page that records the page's uncaught errors into world.pageErrors.
export async function newPage(world) {
  const page = await world.browser.newPage();
  page.on('pageerror', (err) => world.pageErrors.push(err.message));
  return page;
}

// Signs in with a token at `base` (the server or the proxy: each origin keeps its own accounts),
// as staff do, then opens `hash`. No id is typed: the page learns them from GET /v1/me.
export async function signIn(page, base, hash, { token }) {
  await page.goto(`${base}/#/join`);
  await page.click('#staff-sign-in summary');
  await page.fill('#sign-in input[name=value]', token);
  await page.click('#sign-in button[type=submit]');
  await page.waitForFunction(() => !window.location.hash.startsWith('#/join'));
  await page.goto(`${base}/${hash}`);
}

export async function screenshot(world, page, name) {
  await page.screenshot({ path: join(world.screenshots, `${name}.png`), fullPage: true });
}

// The same money format as the page, written independently: "123456" -> "¥1,234.56".
export function yuan(fen) {
  let v = BigInt(fen);
  const sign = v < 0n ? '-' : '';
  if (v < 0n) v = -v;
  const whole = (v / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}¥${whole}.${(v % 100n).toString().padStart(2, '0')}`;
}

// PNG bytes -> RGBA pixels, decoded by a blank page's canvas (node has no PNG decoder): for
// reading QR codes back from screenshots with jsQR.
export async function pixelsOfPng(world, png) {
  const blank = await world.browser.newPage();
  try {
    return await blank.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      [canvas.width, canvas.height] = [img.naturalWidth, img.naturalHeight];
      const g = canvas.getContext('2d');
      g.drawImage(img, 0, 0);
      return { width: canvas.width, height: canvas.height, data: Array.from(g.getImageData(0, 0, canvas.width, canvas.height).data) };
    }, png.toString('base64'));
  } finally {
    await blank.close();
  }
}
