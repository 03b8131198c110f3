export { EventBatcher, animationFrameScheduler, type FrameScheduler } from './batcher';
export {
  createLabStore,
  type LabActions,
  type LabState,
  type LabStore,
  type SendRequest,
} from './lab-store';
export { LabProvider, useLab, useLabStore, useLabThrottled } from './context';
export * from './selectors';
