import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadScenario, validateScenario } from '../../../src/main/engine/scenario/load';

/** A smallest scenario around one service entry. */
function withService(service: Record<string, unknown>, clock = 'real'): unknown {
  return {
    name: 'external',
    duration: '5s',
    clock: { mode: clock },
    services: [{ id: 'ext', ...service }],
    userAgents: [{ id: 'phone', service: 'ext' }],
  };
}

function problems(input: unknown): string[] {
  const result = validateScenario(input);
  return result.ok ? [] : result.problems;
}

describe('external services in the scenario schema', () => {
  it('accepts an http and an https url on the real or scaled clock', () => {
    expect(problems(withService({ url: 'http://127.0.0.1:8080/' }))).toEqual([]);
    expect(
      problems(withService({ url: 'https://push.example:443/', insecure: true }, 'scaled')),
    ).toEqual([]);
  });

  it('refuses the virtual clock, naming the service and saying why', () => {
    const found = problems(withService({ url: 'http://127.0.0.1:8080/' }, 'virtual'));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(
      /^services\.0\.url: .*real or scaled.*does not follow a virtual clock/,
    );
    // The default clock is virtual: leaving it out is refused the same way.
    const input = withService({ url: 'http://127.0.0.1:8080/' }) as Record<string, unknown>;
    delete input['clock'];
    expect(problems(input)[0]).toMatch(/virtual clock/);
  });

  it('keeps url and limits apart: an external service has its own limits', () => {
    const found = problems(
      withService({ url: 'http://127.0.0.1:8080/', limits: { queueCountMax: 5 } }),
    );
    expect(found).toEqual([
      expect.stringMatching(
        /^services\.0\.limits: an external service's limits are its own.*queueCountMax/,
      ),
    ]);
  });

  it('refuses quirks on an external service: they model a provider in the lab’s own service', () => {
    expect(problems(withService({ url: 'http://127.0.0.1:8080/', quirks: 'fcm' }))).toEqual([
      expect.stringMatching(/^services\.0\.quirks: .*an external service behaves as it does/),
    ]);
  });

  it.each([
    ['ftp://127.0.0.1/', /scheme ftp: not allowed; allowed http: or https:/],
    ['not a url', /not a URL; allowed http:\/\/host:port\//],
    ['https://user:secret@push.example/', /credentials/],
    ['https://push.example/?q=1', /query or fragment/],
  ])('names a bad url %s', (url, why) => {
    const found = problems(withService({ url }));
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^services\.0\.url: /);
    expect(found[0]).toMatch(why);
    expect(found[0]).toContain(`(got "${url}")`);
  });

  it('refuses ca and insecure where they mean nothing or contradict', () => {
    expect(problems(withService({ ca: 'ca.pem' }))[0]).toMatch(
      /^services\.0\.ca: only for an external service/,
    );
    expect(problems(withService({ url: 'http://127.0.0.1:1/', insecure: true }))[0]).toMatch(
      /^services\.0\.insecure: only for an https url/,
    );
    expect(
      problems(withService({ url: 'https://127.0.0.1:1/', ca: 'ca.pem', insecure: true }))[0],
    ).toMatch(/either ca .* or insecure/);
    expect(problems(withService({ url: 'https://127.0.0.1:1/', insecure: false }))[0]).toMatch(
      /^services\.0\.insecure: /,
    );
  });

  it.each([
    ['/etc/ssl/ca.pem', /absolute path is not allowed/],
    ['../ca.pem', /'\.\.' is not allowed/],
    ['certs/../../ca.pem', /'\.\.' is not allowed/],
  ])('names a ca path that leaves the scenario folder: %s', (ca, why) => {
    const found = problems(withService({ url: 'https://127.0.0.1:1/', ca }));
    expect(found[0]).toMatch(/^services\.0\.ca: /);
    expect(found[0]).toMatch(why);
  });
});

describe('loading a scenario with a CA file', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(path.join(tmpdir(), 'push-lab-external-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const scenarioWith = async (ca: string): Promise<string> => {
    const file = path.join(dir, 'scenarios', 'ext.json');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, JSON.stringify(withService({ url: 'https://127.0.0.1:1/', ca })));
    return file;
  };

  it("resolves the CA against the scenario's folder", async () => {
    const file = await scenarioWith('certs/ca.pem');
    await mkdir(path.join(dir, 'scenarios', 'certs'));
    await writeFile(path.join(dir, 'scenarios', 'certs', 'ca.pem'), 'PEM');
    const loaded = await loadScenario(file);
    expect(loaded.ok).toBe(true);
    if (loaded.ok)
      expect(loaded.scenario.services[0]!.ca).toMatch(/scenarios[\\/]certs[\\/]ca\.pem$/);
  });

  it('names a missing CA file', async () => {
    const loaded = await loadScenario(await scenarioWith('missing.pem'));
    expect(loaded.ok ? [] : loaded.problems).toEqual([
      'services.0.ca: cannot read it (ENOENT) (got "missing.pem")',
    ]);
  });

  it('refuses a link that leads out of the folder, and a CA that is not a regular file', async () => {
    await writeFile(path.join(dir, 'outside.pem'), 'PEM');
    const file = await scenarioWith('link.pem');
    await symlink(path.join(dir, 'outside.pem'), path.join(dir, 'scenarios', 'link.pem'));
    const loaded = await loadScenario(file);
    expect(loaded.ok ? [] : loaded.problems[0]).toMatch(
      /^services\.0\.ca: .*outside the scenario's folder/,
    );

    const dirFile = await scenarioWith('certs');
    await mkdir(path.join(dir, 'scenarios', 'certs'));
    const asDir = await loadScenario(dirFile);
    expect(asDir.ok ? [] : asDir.problems[0]).toMatch(
      /^services\.0\.ca: .*is a directory; a CA file must be a regular file/,
    );
  });
});
