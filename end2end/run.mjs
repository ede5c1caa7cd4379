// Runs every browser test in end2end/tests against the real release server,
// started here on a free port over a fresh SQLite database.
//
//   node end2end/run.mjs [filter]
//
// A suite runs on the profiles it lists (`export const profiles = ['desktop',
// 'phone']`; desktop alone by default). A test fails if any page panicked or
// threw an uncaught error while it ran.
//
// Prints one line per test and a final "N passed, M failed"; exits 1 on failure.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { expectedProblems, launchBrowser, openContexts, problems, profiledBrowser, progress, within } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const targetDir = process.env.CARGO_TARGET_DIR || path.join(root, 'target');
const binary = process.env.TIDINGS_BIN || path.join(targetDir, 'release', 'tidings');
const filter = process.argv[2] || '';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

async function startServer(extraEnv = {}) {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'tidings-e2e-'));
  const base = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    TIDINGS_ADDR: `127.0.0.1:${port}`,
    TIDINGS_PUBLIC_URL: base,
    TIDINGS_DATABASE_URL: `sqlite://${dataDir}/e2e.db`,
    TIDINGS_CONFIG: path.join(here, 'tidings.e2e.toml'),
    LEPTOS_SITE_ROOT: path.join(root, 'target', 'site'),
    RUST_LOG: process.env.RUST_LOG || 'warn',
    // The test push service is plain http on 127.0.0.1.
    TIDINGS_PUSH_ALLOW_PRIVATE: '1',
    ...extraEnv,
  };
  const child = spawn(binary, ['serve'], { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch {}
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    base,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const files = readdirSync(path.join(here, 'tests')).filter((f) => f.endsWith('.mjs')).sort();
const server = await startServer();
const browser = await launchBrowser();
let passed = 0;
let failed = 0;
for (const file of files) {
  const module = await import(pathToFileURL(path.join(here, 'tests', file)));
  const suite = module.default;
  for (const profile of module.profiles || ['desktop']) for (const [name, test] of Object.entries(suite)) {
    const full = `${file.replace('.mjs', '')} › ${name}${profile === 'desktop' ? '' : ` [${profile}]`}`;
    if (filter && !full.includes(filter)) continue;
    const started = Date.now();
    progress.step = 'start';
    problems.length = 0;
    expectedProblems.length = 0;
    try {
      const limit = module.timeLimit || 60_000;
      await within(limit, 'the test', test({ browser: profiledBrowser(browser, profile), base: server.base, startServer }));
      if (problems.length) throw new Error(`a page panicked or threw:\n${problems.join('\n')}`);
      passed += 1;
      console.log(`ok   ${full} (${Date.now() - started} ms)`);
    } catch (err) {
      failed += 1;
      const seen = problems.length && !String(err).includes('a page panicked') ? `\n(pages also reported: ${problems.join('; ')})` : '';
      console.log(`FAIL ${full} (at step: ${progress.step})\n     ${`${err?.stack || err}${seen}`.split('\n').join('\n     ')}`);
      await screenshots(full);
    }
  }
}
await browser.close();
await server.stop();

/** Pictures of every page still open after a failure, in target/e2e-failures. */
async function screenshots(test) {
  const dir = path.join(root, 'target', 'e2e-failures');
  mkdirSync(dir, { recursive: true });
  let n = 0;
  for (const context of openContexts) {
    for (const page of context.pages()) {
      const file = path.join(dir, `${test.replace(/[^a-z0-9]+/gi, '-').slice(0, 80)}-${++n}.png`);
      await within(5_000, 'a screenshot', page.screenshot({ path: file, fullPage: true })).catch(() => {});
      console.log(`     screenshot of ${page.url()}: ${file}`);
    }
  }
  for (const context of openContexts) await context.close().catch(() => {});
  openContexts.clear();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
