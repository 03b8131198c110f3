/**
 * The third-party licenses Push Lab ships: every package in the closure of package.json's
 * `dependencies` (what electron-builder packs, and what the renderer bundle is made of),
 * each with its name, version, license field and license file text, read from node_modules.
 * No dependency: node resolution by hand (a package's node_modules, then its parents').
 *
 * Used three ways: the renderer build's plugin (electron.vite.config.ts) serves the list to
 * the About dialog as `virtual:third-party-licenses` and writes third-party-licenses.txt
 * beside out/renderer/index.html (so it ships inside the app); vitest's config gives its
 * tests the same module; `node scripts/licenses.mjs [file]` writes the text file alone.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** License text longer than this is cut (a few packages ship whole notice collections). */
const LICENSE_TEXT_CHARS_MAX = 20_000;
const LICENSE_FILE = /^(licen[cs]e|copying|notice)([-._].*)?$/i;

/** The folder `name` resolves to from a package in `fromDir`, or null. */
function resolvePackageDir(name, fromDir) {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}

/** The `license` field as one string (old `licenses` arrays and `{type}` objects too). */
function licenseName(pkg) {
  const field = pkg.license ?? pkg.licenses;
  if (typeof field === 'string') return field;
  if (Array.isArray(field))
    return field.map((l) => (typeof l === 'string' ? l : l?.type)).join(' OR ');
  if (field && typeof field.type === 'string') return field.type;
  return 'UNKNOWN';
}

function licenseText(dir) {
  const files = readdirSync(dir)
    .filter((n) => LICENSE_FILE.test(n))
    .sort();
  if (files.length === 0) return null;
  const text = files.map((f) => readFileSync(path.join(dir, f), 'utf8').trim()).join('\n\n');
  return text.length > LICENSE_TEXT_CHARS_MAX
    ? `${text.slice(0, LICENSE_TEXT_CHARS_MAX)}\n… (cut; the full text is in the package)`
    : text;
}

/**
 * The production closure of `rootDir`'s package.json, sorted by name then version:
 * `{ name, version, license, text }` (text null when the package ships no license file).
 * A dependency that is not installed is skipped when optional, else it throws.
 */
export function collectLicenses(rootDir = ROOT) {
  const root = JSON.parse(readFileSync(path.join(rootDir, 'package.json'), 'utf8'));
  const seen = new Map();
  const queue = [{ pkg: root, dir: rootDir }];
  while (queue.length > 0) {
    const { pkg, dir } = queue.shift();
    const wanted = [
      ...Object.keys(pkg.dependencies ?? {}).map((name) => ({ name, optional: false })),
      ...Object.keys(pkg.optionalDependencies ?? {}).map((name) => ({ name, optional: true })),
    ];
    for (const { name, optional } of wanted) {
      const depDir = resolvePackageDir(name, dir);
      if (depDir === null) {
        if (optional) continue;
        throw new Error(`${name} (a dependency of ${pkg.name}) is not installed in node_modules.`);
      }
      if (seen.has(depDir)) continue;
      const dep = JSON.parse(readFileSync(path.join(depDir, 'package.json'), 'utf8'));
      seen.set(depDir, {
        name: dep.name ?? name,
        version: dep.version ?? '',
        license: licenseName(dep),
        text: licenseText(depDir),
      });
      queue.push({ pkg: dep, dir: depDir });
    }
  }
  const unique = new Map();
  for (const entry of seen.values()) unique.set(`${entry.name}@${entry.version}`, entry);
  return [...unique.values()].sort((a, b) =>
    a.name === b.name ? a.version.localeCompare(b.version) : a.name.localeCompare(b.name),
  );
}

/** The list as one plain-text file. */
export function licensesText(list) {
  const head = [
    'Push Lab — third-party software',
    '',
    'Push Lab (MIT) is built with the packages below; each keeps its own license. The',
    'Electron runtime of the desktop app carries its own LICENSE and LICENSES.chromium.html.',
    '',
    ...list.map((e) => `  ${e.name} ${e.version} — ${e.license}`),
  ];
  const bodies = list.map((e) =>
    [
      '-'.repeat(78),
      `${e.name} ${e.version} — ${e.license}`,
      '',
      e.text ?? '(no license file in the package; see its license field above)',
    ].join('\n'),
  );
  return `${[...head, '', ...bodies].join('\n')}\n`;
}

/** The file name the text ships under, beside out/renderer/index.html. */
export const LICENSES_FILE = 'third-party-licenses.txt';
const VIRTUAL_ID = 'virtual:third-party-licenses';

/** A vite plugin: `import('virtual:third-party-licenses')` and the shipped text file. */
export function thirdPartyLicenses(rootDir = ROOT) {
  let list = null;
  const get = () => (list ??= collectLicenses(rootDir));
  return {
    name: 'push-lab:third-party-licenses',
    resolveId(source) {
      return source === VIRTUAL_ID ? `\0${VIRTUAL_ID}` : null;
    },
    load(id) {
      return id === `\0${VIRTUAL_ID}` ? `export default ${JSON.stringify(get())};` : null;
    },
    generateBundle() {
      this.emitFile({ type: 'asset', fileName: LICENSES_FILE, source: licensesText(get()) });
    },
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = path.resolve(process.argv[2] ?? path.join(ROOT, 'out', LICENSES_FILE));
  const list = collectLicenses();
  writeFileSync(file, licensesText(list));
  console.log(`${path.relative(process.cwd(), file)}: ${list.length} packages`);
}
