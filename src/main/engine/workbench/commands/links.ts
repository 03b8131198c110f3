/** A run's links and their faults, and its energy meter. */
import { ok } from '../../../../shared/result';
import { linksInfo, setLinkFaults } from '../links';
import type { Handlers } from './handler';

export const linkHandlers: Handlers<'links' | 'link.faults'> = {
  links: (_, { show }) => ok(linksInfo(show.links())),
  'link.faults': (command, { show }) =>
    ok(setLinkFaults(show.links(), command.linkIds, command.faults)),
};
