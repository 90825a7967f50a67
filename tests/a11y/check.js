#!/usr/bin/env node
// node tests/a11y/check.js [--out DIR [--shoot NAME.html,...]] FILE.html...
// Checks each page in headless Chromium and with the W3C Nu HTML Checker, prints one JSON
// report on stdout (the tests read it) and a short summary on stderr:
//   axe-core, WCAG 2.0/2.1/2.2 A and AA + best-practice rules -> violations
//   reflow: horizontal scrolling at 320 CSS px (WCAG 1.4.10) and at 640 px (200% zoom)
//   requests: anything the page fetched besides itself (must be none), CSP violations
//   vnu: errors and warnings
//   --out DIR: NAME-375.png and NAME-1280.png full-page screenshots (of every page, or only
//   of the pages named by --shoot: screenshots of long pages take seconds each)
//   In the dark colour scheme only colour contrast is checked again (the rest is the same).
// Env: A11Y_TOOLS (folder with node_modules/{axe-core,playwright-core,vnu-jar}; default
// .tools of the project), CHROMIUM (default: chromium on PATH), A11Y_FONT_DIRS (folders of
// fonts the browser should also see, ':'-separated: the project's Amiri from its wheel, so
// pages are checked and shot in the font the PDF uses).
// Exit: 0 report written (read it for results), 2 missing prerequisite, 3 checker failure.
'use strict';
const fs = require('fs'), path = require('path'), { execFile } = require('child_process');
const { pathToFileURL } = require('url');

const args = process.argv.slice(2);
let OUT = '', SHOOT = null;
while (args[0] && args[0].startsWith('--')) {
  if (args[0] === '--out') OUT = args[1];
  else if (args[0] === '--shoot') SHOOT = new Set(args[1].split(','));
  else die(2, `unknown option ${args[0]}`);
  args.splice(0, 2);
}
const files = args.map(f => path.resolve(f));
const TOOLS = process.env.A11Y_TOOLS || path.resolve(__dirname, '..', '..', '.tools');
const mod = m => path.join(TOOLS, 'node_modules', m);
const die = (code, msg) => { process.stderr.write(`a11y: ${msg}\n`); process.exit(code); };
if (!files.length) die(2, 'usage: check.js [--out DIR] FILE.html...');
for (const m of ['axe-core', 'playwright-core', 'vnu-jar'])
  if (!fs.existsSync(path.join(mod(m), 'package.json'))) die(2, `missing npm package ${m} in ${TOOLS} (run make system)`);
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

// axe-core's icon-ligature heuristic mistakes joined Arabic script for icon-font ligatures and
// drops that text from the colour-contrast check; turn the heuristic off for RTL scripts.
const ANCHOR = 'function _isIconLigature(textVNode) {';
let axeSrc = fs.readFileSync(path.join(mod('axe-core'), 'axe.js'), 'utf8');
if (axeSrc.split(ANCHOR).length !== 2) die(2, 'unexpected axe-core build: RTL patch point not found');
axeSrc = axeSrc.replace(ANCHOR, ANCHOR +
  ' if (/[\\u0590-\\u08FF\\uFB1D-\\uFDFF\\uFE70-\\uFEFF]/.test(textVNode.actualNode.nodeValue)) { return false; }');

const report = { axe: require(path.join(mod('axe-core'), 'package.json')).version, tags: TAGS, files: {} };
for (const f of files) report.files[f] = { axe: [], vnu: [], reflow: [], requests: [], csp: [], error: null };

async function browser() {
  const { chromium } = require(mod('playwright-core'));
  const exe = process.env.CHROMIUM || '/usr/bin/chromium';
  const env = { ...process.env };
  const dirs = (process.env.A11Y_FONT_DIRS || '').split(':').filter(d => d && fs.existsSync(d));
  if (dirs.length) {
    const esc = s => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    const conf = path.join(fs.mkdtempSync(path.join(require('os').tmpdir(), 'a11y-fonts-')), 'fonts.conf');
    fs.writeFileSync(conf, '<?xml version="1.0"?>\n<fontconfig>\n  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n' +
      dirs.map(d => `  <dir>${esc(d)}</dir>\n`).join('') + '</fontconfig>\n');
    env.FONTCONFIG_FILE = conf;
  }
  const b = await chromium.launch({ executablePath: exe, timeout: 60000, env, args: [
    '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  report.chromium = b.version();
  for (const scheme of ['light', 'dark']) {
    const ctx = await b.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: scheme });
    for (const file of files) {
      const r = report.files[file], page = await ctx.newPage(), self = pathToFileURL(file).href;
      page.on('request', req => { if (req.url() !== self) r.requests.push(req.url()); });
      page.on('console', msg => { if (/Content Security Policy/i.test(msg.text())) r.csp.push(msg.text()); });
      try {
        await page.goto(self, { waitUntil: 'load', timeout: 60000 });
        await page.evaluate(axeSrc);
        const runOnly = scheme === 'light' ? { type: 'tag', values: TAGS } : { type: 'rule', values: ['color-contrast'] };
        const res = await page.evaluate(runOnly => window.axe.run(document,
          { runOnly, resultTypes: ['violations'] }), runOnly);
        for (const v of res.violations) r.axe.push({ scheme, id: v.id, impact: v.impact, help: v.help,
          nodes: v.nodes.slice(0, 5).map(n => ({ target: n.target.join(' '), summary: n.failureSummary })) });
        if (scheme === 'light') {
          for (const width of [320, 640]) {
            await page.setViewportSize({ width, height: 700 });
            const extra = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
            if (extra > 0) r.reflow.push(`scrolls sideways by ${extra}px at ${width}px`);
          }
          if (OUT && (!SHOOT || SHOOT.has(path.basename(file)))) {
            const base = path.join(OUT, path.basename(file).replace(/\.html?$/i, ''));
            for (const width of [375, 1280]) {
              await page.setViewportSize({ width, height: 800 });
              await page.screenshot({ path: `${base}-${width}.png`, fullPage: true });
            }
          }
        }
      } catch (e) { r.error = String(e.message || e).split('\n')[0]; }
      await page.close();
    }
    await ctx.close();
  }
  await b.close();
}

function vnu() {
  const jar = path.join(mod('vnu-jar'), 'build', 'dist', 'vnu.jar');
  return new Promise(resolve => execFile('java', ['-jar', jar, '--format', 'json', '--stdout', ...files],
    { maxBuffer: 256 << 20 }, (err, stdout, stderr) => {
      let res;
      try { res = JSON.parse(stdout); } catch { die(3, 'vnu did not run: ' + String(stderr || err).slice(0, 300)); }
      report.vnu = res.version;
      for (const m of res.messages) {
        const file = m.url ? decodeURIComponent(new URL(m.url).pathname) : files[0];
        const level = m.type === 'error' || m.type === 'non-document-error' ? 'error' : (m.subType === 'warning' ? 'warning' : 'info');
        (report.files[file] || report.files[files[0]]).vnu.push({ level, line: m.lastLine, message: m.message });
      }
      resolve();
    }));
}

(async () => {
  const t0 = Date.now();
  if (OUT) fs.mkdirSync(OUT, { recursive: true });
  await Promise.all([vnu(), browser()]);
  report.seconds = (Date.now() - t0) / 1000;
  for (const f of files) {
    const r = report.files[f], errs = r.vnu.filter(m => m.level === 'error').length;
    process.stderr.write(`${r.axe.length || errs || r.reflow.length || r.requests.length || r.csp.length || r.error ? 'FAIL' : 'ok  '} ${path.basename(f)}: axe ${r.axe.length} violations, vnu ${errs} errors, reflow ${r.reflow.length ? r.reflow.join('; ') : 'ok'}, requests ${r.requests.length}\n`);
  }
  process.stdout.write(JSON.stringify(report, null, 1) + '\n');
})().catch(e => die(3, String(e.stack || e).split('\n').slice(0, 4).join('\n')));
