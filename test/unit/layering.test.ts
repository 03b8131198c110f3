/**
 * The import rules between rooms (docs/architecture.md) are lint rules; this test proves the
 * rules are in force by linting a forbidden import placed in each room, and that the real
 * tree obeys them.
 */
import { ESLint } from 'eslint';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function ruleIds(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? 'parse-error');
}

const RESTRICTED = '@typescript-eslint/no-restricted-imports';

describe('layering rules', () => {
  const cases: [string, string][] = [
    ['src/main/engine/push/x.ts', "import { app } from 'electron';"],
    ['src/main/engine/x.ts', "import { WebHost } from '../hosts/ws-host';"],
    ['src/shared/x.ts', "import { readFile } from 'node:fs';"],
    ['src/shared/x.ts', "import { Lab } from '../main/engine/lab';"],
    ['src/renderer/src/x.ts', "import { readFile } from 'node:fs';"],
    ['src/renderer/src/x.ts', "import { Lab } from '../../main/engine/lab';"],
    ['src/renderer/src/x.ts', "import { ipcRenderer } from 'electron';"],
    ['src/main/cli/x.ts', "import { app } from 'electron';"],
    ['src/main/hosts/x.ts', "import { ipcMain } from 'electron';"],
    ['src/preload/x.ts', "import { Lab } from '../main/engine/lab';"],
    // zod compiles with `new Function`, which the UI's CSP refuses: no values from it, or from
    // a shared module that loads it, reach the renderer bundle.
    ['src/renderer/src/x.ts', "import { z } from 'zod';"],
    ['src/renderer/src/x.ts', "import { COMMAND_NAMES } from '../../shared/commands';"],
    ['src/renderer/src/x.ts', "import { ClientMessageSchema } from '../../shared/wire';"],
  ];
  for (const [file, code] of cases) {
    it(`refuses \`${code}\` in ${file}`, async () => {
      expect(await ruleIds(file, `${code}\nexport {};\n`)).toContain(RESTRICTED);
    });
  }

  it('allows electron in src/main/electron', async () => {
    expect(
      await ruleIds(
        'src/main/electron/x.ts',
        "import { app } from 'electron';\nexport const a = app;\n",
      ),
    ).not.toContain(RESTRICTED);
  });

  it('lets the renderer take types from a module that loads zod', async () => {
    expect(
      await ruleIds(
        'src/renderer/src/x.ts',
        "import type { Command } from '../../shared/commands';\nexport type C = Command;\n",
      ),
    ).not.toContain(RESTRICTED);
  });

  it('refuses wall-clock time and Math.random in the engine', async () => {
    const ids = await ruleIds(
      'src/main/engine/x.ts',
      'export const a = [Date.now(), Math.random()];\nsetTimeout(() => {}, 1);\n',
    );
    expect(ids.filter((i) => i === 'no-restricted-properties')).toHaveLength(2);
    expect(ids).toContain('no-restricted-globals');
  });

  it('holds for every file in src', async () => {
    const results = await eslint.lintFiles(['src']);
    const violations = results.flatMap((r) =>
      r.messages
        .filter((m) => m.ruleId === RESTRICTED || m.ruleId?.startsWith('no-restricted'))
        .map((m) => `${path.relative(root, r.filePath)}:${m.line} ${m.message}`),
    );
    expect(violations).toEqual([]);
  }, 60_000);
});
