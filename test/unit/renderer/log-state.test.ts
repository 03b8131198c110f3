import { describe, expect, it } from 'vitest';
import { createLogUiStore } from '../../../src/renderer/src/features/log/log-state';
import { agents } from './fixtures';

describe('log UI state', () => {
  it('toggles kind groups and keeps the paused array by reference', () => {
    const useLogUi = createLogUiStore();
    const ui = useLogUi.getState();
    ui.toggleGroup('message');
    ui.toggleGroup('agent');
    expect([...useLogUi.getState().groups]).toEqual(['message', 'agent']);
    useLogUi.getState().toggleGroup('message');
    expect([...useLogUi.getState().groups]).toEqual(['agent']);
    useLogUi.getState().clearGroups();
    expect(useLogUi.getState().groups.size).toBe(0);

    const list = agents(1, 3);
    useLogUi.getState().pause(list, 3);
    expect(useLogUi.getState().paused?.events).toBe(list);
    expect(useLogUi.getState().paused?.seq).toBe(3);
    useLogUi.getState().resume();
    expect(useLogUi.getState().paused).toBeNull();
  });
});
