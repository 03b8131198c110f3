/**
 * The package's programmatic entry (`import { startPushService } from 'push-lab'`, through
 * lib/index.mjs): what a user's test suite may use, and nothing else of the engine.
 */
export {
  startPushService,
  NEXT_MESSAGE_DEFAULT_WAIT_MS,
  type StartPushServiceOptions,
  type RunningPushService,
  type BuiltInSubscription,
  type ReceivedPushMessage,
  type SubscriptionRef,
} from './start';
export type { PushSubscriptionJson } from './records';
export type { ServiceLimits } from '../push/types';
export type { Profile } from '../../../shared/events';
export { ServeError, SERVE_ERROR_CODES } from './serve-lab';
