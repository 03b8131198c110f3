/**
 * The installers' configuration (electron-builder.yml), checked without an Electron binary:
 * electron-builder's own loader and schema, the fields an installer needs, and the file set
 * it would pack, computed with its own matchers and dependency collector over the built tree.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { drawIcon, encodePng } from '../../../scripts/icons.mjs';
import { collectLicenses, LICENSES_FILE } from '../../../scripts/licenses.mjs';
import { RECORDING_EXTENSION, SCENARIO_EXTENSION } from '../../../src/shared/file-kinds';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  name: string;
  main: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

// electron-builder's internals, loaded from where it is installed (CommonJS).
const requireBuilder = createRequire(require_resolve('app-builder-lib/package.json'));
function require_resolve(id: string): string {
  return createRequire(path.join(root, 'package.json')).resolve(id);
}

interface Config {
  appId?: string;
  productName?: string;
  publish?: unknown;
  directories?: { output?: string; buildResources?: string };
  fileAssociations?: { ext: string | string[]; name?: string; mimeType?: string }[];
  linux?: { target?: string[]; icon?: string };
  mac?: { target?: string[]; icon?: string };
  win?: { target?: string[]; icon?: string };
  icon?: string;
  [key: string]: unknown;
}
interface Matcher {
  from: string;
  to: string;
  createFilter(): (file: string, stat: unknown) => boolean;
}
const quietLogger = { isEnabled: false, add: () => undefined };
const { getConfig, validateConfiguration } = requireBuilder('./out/util/config/config') as {
  getConfig(projectDir: string, configPath: string | null, extra: null): Promise<Config>;
  validateConfiguration(config: Config, logger: typeof quietLogger): Promise<void>;
};
const { getMainFileMatchers, getFileMatchers } = requireBuilder('./out/fileMatcher') as {
  getMainFileMatchers(...args: unknown[]): Matcher[];
  getFileMatchers(config: Config, name: string, to: string, options: unknown): Matcher[] | null;
};
const { AppFileWalker } = requireBuilder('./out/util/AppFileWalker') as {
  AppFileWalker: new (matcher: Matcher, packager: unknown) => unknown;
};
const { walk } = requireBuilder('builder-util/out/fs') as {
  walk(dir: string, filter: unknown, consumer: unknown): Promise<string[]>;
};
const { getCollectorByPackageManager } = requireBuilder('./out/node-module-collector') as {
  getCollectorByPackageManager(
    pm: string,
    dir: string,
    tmp: unknown,
  ): { getNodeModules(o: { packageName: string }): Promise<{ nodeModules: { name: string }[] }> };
};
const { TmpDir } = requireBuilder('temp-file') as {
  TmpDir: new (name: string) => { cleanup(): Promise<void> };
};

const APP = '/app';
const RESOURCES = '/resources';

/** What electron-builder would put in the app (relative to the asar) and in resources/. */
async function packagedFiles(config: Config): Promise<{ app: string[]; resources: string[] }> {
  const outDir = path.resolve(root, config.directories?.output ?? 'dist');
  const info = {
    projectDir: root,
    buildResourcesDir: path.resolve(root, config.directories?.buildResources ?? 'build'),
    config,
    isPrepackedAppAsar: false,
    debugLogger: quietLogger,
    areNodeModulesHandledExternally: false,
  };
  const expand = (pattern: string) => pattern;
  const [main] = getMainFileMatchers(root, APP, expand, {}, { info }, outDir, false);
  const appFiles = await walk(main!.from, main!.createFilter(), new AppFileWalker(main!, info));
  const extra =
    getFileMatchers(config, 'extraResources', RESOURCES, {
      macroExpander: expand,
      customBuildOptions: {},
      globalOutDir: outDir,
      defaultSrc: root,
    }) ?? [];
  const resources: string[] = [];
  for (const m of extra) {
    const files = await walk(m.from, m.createFilter(), new AppFileWalker(m, info));
    resources.push(...files.map((f) => path.posix.join(m.to, path.relative(m.from, f))));
  }
  return { app: appFiles.map((f) => path.relative(root, f).split(path.sep).join('/')), resources };
}

describe('electron-builder.yml', () => {
  let config: Config;
  beforeAll(async () => {
    config = await getConfig(root, null, null);
  });

  it('is valid for electron-builder (its own schema), which refuses a misspelt key', async () => {
    await expect(validateConfiguration(config, quietLogger)).resolves.toBeUndefined();
    await expect(
      validateConfiguration({ ...config, fileAssociation: [] }, quietLogger),
    ).rejects.toThrow(/fileAssociation/);
  });

  it('names the app, builds AppImage, deb, dmg and nsis, and never auto-updates', () => {
    expect(config.appId).toBe('org.pushlab.app');
    expect(config.productName).toBe('Push Lab');
    expect(config.publish).toBeNull();
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.mac?.target).toEqual(['dmg']);
    expect(config.win?.target).toEqual(['nsis']);
    expect(pkg.scripts['dist']).toMatch(/electron-vite build && electron-builder/);
    expect(pkg.main).toBe('out/main/index.js');
  });

  it('associates the recording and scenario extensions the app opens, and no plain .yaml', () => {
    const exts = (config.fileAssociations ?? []).flatMap((a) => [a.ext].flat());
    expect(exts.sort()).toEqual([RECORDING_EXTENSION, SCENARIO_EXTENSION].sort());
    for (const a of config.fileAssociations ?? []) expect(a.mimeType).toMatch(/^application\//);
  });

  it('has its icons: a 512×512 PNG from scripts/icons.mjs, Linux sizes, an .icns and an .ico', () => {
    const png = readFileSync(path.join(root, config.icon!));
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([512, 512]);
    // The committed images are the script's drawing (regenerate with `npm run icons`).
    expect(readFileSync(path.join(root, config.linux!.icon!, '64x64.png'))).toEqual(
      encodePng(64, drawIcon(64)),
    );
    const icns = readFileSync(path.join(root, config.mac!.icon!));
    expect(icns.subarray(0, 4).toString('latin1')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const ico = readFileSync(path.join(root, config.win!.icon!));
    expect([ico.readUInt16LE(0), ico.readUInt16LE(2)]).toEqual([0, 1]);
    expect(ico.readUInt16LE(4)).toBeGreaterThanOrEqual(4);
  });

  describe('after a build', () => {
    beforeAll(() => {
      // `npm test` builds first; alone, this file builds (no Electron binary needed).
      if (existsSync(path.join(root, 'out/main/index.js'))) return;
      const built = spawnSync(
        process.execPath,
        [require_resolve('electron-vite/bin/electron-vite.js'), 'build'],
        {
          cwd: root,
          stdio: 'pipe',
          timeout: 120_000,
        },
      );
      if (built.status !== 0) throw new Error(`electron-vite build failed: ${built.stderr}`);
    }, 130_000);

    it('packs the built app and the example scenarios, and no sources, tests or maps', async () => {
      const { app, resources } = await packagedFiles(config);
      expect(app).toContain('package.json');
      expect(app).toContain('out/main/index.js');
      expect(app).toContain('out/main/parallel-worker.js');
      expect(app).toContain('out/preload/index.cjs');
      expect(app).toContain('out/renderer/index.html');
      expect(app).toContain(`out/renderer/${LICENSES_FILE}`);
      for (const file of app) {
        expect(file, file).toMatch(/^(package\.json|out\/(main|preload|renderer)\/)/);
        expect(file, file).not.toMatch(/\.(ts|tsx|map)$/);
      }
      const examples = ['smoke.yaml', 'commute.yaml'];
      for (const e of examples) expect(resources).toContain(`${RESOURCES}/scenarios/${e}`);
      for (const file of resources) expect(file).toMatch(/^\/resources\/scenarios\/[^/]+\.yaml$/);
    });

    it('packs production dependencies only: none of the dev tools', async () => {
      const tmp = new TmpDir('push-lab-packaging-test');
      try {
        const { nodeModules } = await getCollectorByPackageManager('npm', root, tmp).getNodeModules(
          {
            packageName: pkg.name,
          },
        );
        const names = new Set(nodeModules.map((m) => m.name));
        for (const dep of Object.keys(pkg.dependencies)) expect(names, dep).toContain(dep);
        for (const dev of Object.keys(pkg.devDependencies)) expect(names, dev).not.toContain(dev);
        // The main bundle needs only these at run time (the rest is bundled or unused there).
        const main = readFileSync(path.join(root, 'out/main/index.js'), 'utf8');
        const external = [...main.matchAll(/from "([^".][^"]*)"/g)]
          .map((m) => m[1]!)
          .filter((m) => !m.startsWith('node:') && m !== 'electron');
        for (const e of external) expect(names, e).toContain(e);
      } finally {
        await tmp.cleanup();
      }
    }, 60_000);

    it('ships the third-party licenses of every production package beside the renderer', () => {
      const text = readFileSync(path.join(root, 'out/renderer', LICENSES_FILE), 'utf8');
      const list = collectLicenses(root);
      for (const dep of Object.keys(pkg.dependencies)) {
        const entry = list.find((l) => l.name === dep);
        expect(entry, dep).toBeDefined();
        expect(text).toContain(`${entry!.name} ${entry!.version} — ${entry!.license}`);
      }
      for (const dev of Object.keys(pkg.devDependencies))
        expect(list.map((l) => l.name)).not.toContain(dev);
      expect(list.find((l) => l.name === 'react')?.text).toMatch(/MIT License/);
    });
  });
});
