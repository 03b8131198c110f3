/** Scenario files: the examples, the recent list, reading, saving and checking one. */
import { ok } from '../../../../shared/result';
import { writeFileAtomic } from '../../fs/atomic-write';
import { checkScenarioText, listExamples, readScenarioFile } from '../scenario-files';
import type { Handlers } from './handler';

export const scenarioHandlers: Handlers<
  'scenario.examples' | 'scenario.recent' | 'scenario.read' | 'scenario.save' | 'scenario.validate'
> = {
  'scenario.examples': async (_, { examplesDir }) => ok(await listExamples(examplesDir)),
  'scenario.recent': async (_, { recent }) => ok(await recent.list()),
  'scenario.read': async (command, { files, recent }) => {
    const file = await files.resolve(command.path, 'scenario', 'read');
    const text = await readScenarioFile(file);
    const name = await files.nameFor(command.path, file, 'scenario');
    await recent.add(name);
    return ok({ path: name, text });
  },
  'scenario.save': async (command, { files, recent }) => {
    const file = await files.resolve(command.path, 'scenario', 'write');
    await writeFileAtomic(file, command.text, {
      ...(command.overwrite !== undefined ? { overwrite: command.overwrite } : {}),
    });
    const name = await files.nameFor(command.path, file, 'scenario');
    await recent.add(name);
    return ok({ path: name, bytes: Buffer.byteLength(command.text) });
  },
  'scenario.validate': (command) => ok(checkScenarioText(command.text)),
};
