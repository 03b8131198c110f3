// Lint rules, including the import rules between rooms from ../shared/docs/architecture.md
// (docs/architecture.md in this repo): a violation fails `npm run lint` and so `npm test`.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import { readdirSync, readFileSync } from 'node:fs';

const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'http',
  'http2',
  'net',
  'crypto',
  'os',
  'url',
  'stream',
];
const pattern = (group, message) => ({ group, message });

/**
 * The shared modules that load zod, directly or through another shared module. zod compiles
 * its parsers with `new Function`, which the UI's CSP refuses, so the renderer may import
 * their types but never their values (a Send form once pulled zod in through a constant).
 */
function sharedModulesLoadingZod() {
  const dir = new URL('./src/shared/', import.meta.url);
  const imports = new Map();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const text = readFileSync(new URL(file, dir), 'utf8');
    // Value imports only: `import type …` erases at build time.
    const specs = [...text.matchAll(/^import (?!type\b)[^;]*?from '([^']+)'/gms)].map((m) => m[1]);
    imports.set(file.replace(/\.ts$/, ''), specs);
  }
  const loading = new Set();
  for (let grew = true; grew;) {
    grew = false;
    for (const [name, specs] of imports) {
      if (loading.has(name)) continue;
      if (specs.some((s) => s === 'zod' || loading.has(s.replace(/^\.\//, '')))) {
        loading.add(name);
        grew = true;
      }
    }
  }
  return [...loading].map((name) => `**/shared/${name}`);
}

/** no-restricted-imports for one room. */
const room = (files, patterns) => ({
  files,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
});

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'node_modules/**',
      // An engine package's own install (packages/artillery-engine-push-lab: artillery, 461 MB).
      'packages/*/node_modules/**',
      'test-results/**',
      'playwright-report/**',
      '.ci-results/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
    },
  },
  // ---- the rooms -------------------------------------------------------------------------
  room(
    ['src/shared/**'],
    [
      pattern(nodeBuiltins, 'src/shared is pure TypeScript: no node:* modules.'),
      pattern(
        ['electron', 'react', 'react-dom', 'zustand'],
        'src/shared must not import electron or UI libraries.',
      ),
      pattern(
        ['**/main/**', '**/renderer/**', '**/preload/**'],
        'src/shared imports nothing outside src/shared.',
      ),
    ],
  ),
  room(
    ['src/main/engine/**'],
    [
      pattern(['electron', 'react', 'react-dom'], 'The engine never imports electron or react.'),
      pattern(
        ['**/hosts/**', '**/cli/**', '**/electron/**', '**/renderer/**'],
        'The engine must not import hosts, cli, electron or renderer.',
      ),
    ],
  ),
  room(
    ['src/main/hosts/**'],
    [
      pattern(
        ['electron'],
        'Hosts take Electron objects as parameters; only src/main/electron imports electron.',
      ),
      pattern(
        ['react', 'react-dom', '**/renderer/**', '**/cli/**'],
        'Hosts must not import react, renderer or cli.',
      ),
    ],
  ),
  room(
    ['src/main/electron/**'],
    [
      pattern(
        ['react', 'react-dom', '**/renderer/**', '**/cli/**'],
        'The Electron room must not import the renderer or cli.',
      ),
    ],
  ),
  room(
    ['src/main/cli/**'],
    [
      pattern(
        ['electron', 'react', 'react-dom', '**/renderer/**', '**/electron/**'],
        'The CLI must not import electron, react or the renderer.',
      ),
    ],
  ),
  room(
    ['src/preload/**'],
    [
      pattern(
        ['**/main/**', '**/renderer/**', ...nodeBuiltins],
        'The preload hands over the contract only: no engine, renderer or node modules.',
      ),
    ],
  ),
  room(
    ['src/renderer/**'],
    [
      pattern(
        [...nodeBuiltins, 'electron', 'ws'],
        'The renderer runs in a browser: no node:*, electron or ws.',
      ),
      pattern(
        ['**/main/**', '**/preload/**'],
        'The renderer talks to the lab through src/shared and its bridge only.',
      ),
      {
        group: ['zod', ...sharedModulesLoadingZod()],
        allowTypeImports: true,
        message:
          'The renderer imports only types from modules that load zod (the CSP forbids eval).',
      },
    ],
  ),
  // ---- determinism: the engine asks its Clock and Rng ---------------------------------
  {
    files: ['src/main/engine/**'],
    ignores: ['src/main/engine/clock/real.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use the injected Clock (clock.now()).' },
        {
          object: 'Math',
          property: 'random',
          message: 'Use the injected Rng (or node:crypto for secrets).',
        },
        { object: 'performance', property: 'now', message: 'Use the injected Clock.' },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'setTimeout', message: 'Use clock.schedule().' },
        { name: 'setInterval', message: 'Use every(clock, ...).' },
        { name: 'setImmediate', message: 'Use clock.schedule(0, ...).' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'new Date() reads the wall clock; use the injected Clock.',
        },
      ],
    },
  },
  {
    files: ['test/**', 'scripts/**', 'bin/**', '*.config.*'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    // The Artillery engine is CommonJS, so every Artillery 2 loads it (older ones `require`).
    files: ['packages/*/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
