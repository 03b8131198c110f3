/** Recordings: opening (from a path or an upload), saving, rerunning and diffing them. */
import { copyFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { fail, ok } from '../../../../shared/result';
import { writeFileAtomic } from '../../fs/atomic-write';
import { validateScenario } from '../../scenario/load';
import { openBundleWriter } from '../../trace/bundle';
import { diffRecordings } from '../../trace/diff';
import type { CommandContext, Handlers } from './handler';
import { withCaFiles } from './run';

export const recordingHandlers: Handlers<
  | 'bundle.open'
  | 'bundle.upload.begin'
  | 'bundle.upload.chunk'
  | 'bundle.upload.abort'
  | 'bundle.upload.end'
  | 'bundle.save'
  | 'bundle.rerun'
  | 'bundle.diff'
> = {
  'bundle.open': async (command, context) => {
    const file = await context.readableBundle(command.path);
    await context.showRecording(
      file,
      path.basename(command.path),
      await context.files.nameFor(command.path, file, 'recording'),
    );
    return ok(context.status());
  },
  'bundle.upload.begin': async (command, { uploads, session }) =>
    ok({ uploadId: await uploads.begin(session, command.name, command.bytes) }),
  'bundle.upload.chunk': async (command, { uploads, session }) =>
    ok({ received: await uploads.chunk(session, command.uploadId, command.data) }),
  'bundle.upload.abort': async (command, { uploads, session }) =>
    ok({ aborted: await uploads.abort(session, command.uploadId) }),
  'bundle.upload.end': async (command, context) => {
    const { file, name } = await context.uploads.end(context.session, command.uploadId);
    try {
      await context.showRecording(file, name, path.basename(file));
    } catch (error) {
      // Not a recording after all: it is not kept.
      await rm(file, { force: true });
      throw error;
    }
    return ok(context.status());
  },
  'bundle.save': async (command, context) => {
    const file = await context.files.resolve(command.path, 'recording', 'write');
    const saved = await saveBundle(context, file);
    return ok({ ...saved, path: await context.files.nameFor(command.path, file, 'recording') });
  },
  'bundle.rerun': async (_, context) => {
    const { input, speed, folder = null } = context.show.rerunnable();
    const loaded = validateScenario(input);
    if (!loaded.ok) {
      return fail(
        'ERR_SCENARIO_INVALID',
        `the recording's scenario no longer validates: ${loaded.problems.join('; ')}`,
      );
    }
    const scenario = await withCaFiles(loaded.scenario, folder);
    if (!scenario.ok) return scenario;
    await context.showRun(scenario.value, input, { path: null, folder, speed, paused: false });
    return ok(context.status());
  },
  'bundle.diff': async (command, { readableBundle }) => {
    const [a, b] = [await readableBundle(command.a), await readableBundle(command.b)];
    // The answer names the files as the client did.
    return ok({ ...(await diffRecordings(a, b)), a: command.a, b: command.b });
  },
};

/**
 * Saves what is shown as a bundle (atomically, like every write): the show's finished file
 * when it has one, else written from the timeline. `file` is a real path from FileAccess.
 */
async function saveBundle(
  { show, wall }: CommandContext,
  file: string,
): Promise<{ events: number; bytes: number }> {
  const source = await show.savedFile(file);
  const written = await writeFileAtomic(file, async (temporary) => {
    if (source !== null) {
      await copyFile(source, temporary);
      return;
    }
    const out = openBundleWriter(temporary, show.header(), wall);
    for (const event of show.timeline.all()) out.writer.write(event);
    const stats = await out.close({ reason: 'saved' });
    if (stats.error) throw new Error(`${file}: cannot write it (${stats.error})`);
  });
  return { events: show.timeline.count, bytes: (await stat(written)).size };
}
