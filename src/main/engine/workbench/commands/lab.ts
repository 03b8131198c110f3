/** What any show answers about itself, and the sandbox lab's Send form. */
import { ok } from '../../../../shared/result';
import type { Handlers } from './handler';

export const labHandlers: Handlers<
  'snapshot' | 'info' | 'send' | 'subscribe' | 'report' | 'status'
> = {
  snapshot: (_, { snapshot }) => ok(snapshot()),
  info: (_, { show }) => ok(show.info()),
  send: (command, { show }) => show.labCommand(command),
  subscribe: (command, { show }) => show.labCommand(command),
  report: async (command, { show }) =>
    ok({ format: command.format, content: await show.report(command.format) }),
  status: (_, { status }) => ok(status()),
};
