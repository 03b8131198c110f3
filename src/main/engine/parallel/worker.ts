/**
 * The engine's worker thread: serves the engine's task table (tasks.ts). Its own entry in the
 * Electron bundle (electron.vite.config.ts), loaded through worker.mjs from source.
 */
import { serveTasks } from './serve-tasks';
import { ENGINE_TASKS } from './tasks';

serveTasks(ENGINE_TASKS);
