/**
 * Every command's handler, by area. `Handlers` (no argument) requires one handler for each
 * `Command['type']`: a command added to the contract without a handler does not compile.
 */
import { compareHandlers } from './compare';
import type { Handlers } from './handler';
import { labHandlers } from './lab';
import { linkHandlers } from './links';
import { recordingHandlers } from './recordings';
import { runHandlers } from './run';
import { scenarioHandlers } from './scenario';
import { timelineHandlers } from './timeline';

export const COMMAND_HANDLERS: Handlers = {
  ...labHandlers,
  ...runHandlers,
  ...scenarioHandlers,
  ...linkHandlers,
  ...timelineHandlers,
  ...recordingHandlers,
  ...compareHandlers,
};

export type { CommandContext, Handler, Handlers } from './handler';
