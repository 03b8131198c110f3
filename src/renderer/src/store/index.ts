export { EventBatcher, animationFrameScheduler, type FrameScheduler } from './batcher';
export {
  createLabStore,
  type LabActions,
  type LabState,
  type LabStore,
  type SendRequest,
} from './lab-store';
export {
  LabProvider,
  useFeature,
  useFeatureStore,
  useLab,
  useLabStore,
  useLabThrottled,
} from './context';
export { defineFeature, type FeatureDef } from './features';
export * from './selectors';
