import { describe, expect, it } from 'vitest';
import { isTyping, keyAction } from '../../../src/renderer/src/features/keys/keymap';
import { VIEWS } from '../../../src/renderer/src/features/views';

const IDS = ['overview', 'topology', 'subscriptions', 'metrics', 'log', 'flows'];

describe('keyboard shortcuts', () => {
  it('maps the keys to actions', () => {
    expect(keyAction({ key: 'Escape' }, IDS)).toEqual({ type: 'close' });
    expect(keyAction({ key: '/' }, IDS)).toEqual({ type: 'search' });
    expect(keyAction({ key: 't' }, IDS)).toEqual({ type: 'cycle-theme' });
    expect(keyAction({ key: 'p' }, IDS)).toEqual({ type: 'toggle-presentation' });
    expect(keyAction({ key: 'x' }, IDS)).toBeNull();
    expect(keyAction({ key: 'T' }, IDS)).toBeNull();
  });

  it('digits switch views in navigation order; beyond the last view they do nothing', () => {
    expect(keyAction({ key: '1' }, IDS)).toEqual({ type: 'view', id: 'overview' });
    expect(keyAction({ key: '5' }, IDS)).toEqual({ type: 'view', id: 'log' });
    expect(keyAction({ key: '6' }, IDS)).toEqual({ type: 'view', id: 'flows' });
    expect(keyAction({ key: '7' }, IDS)).toBeNull();
    expect(keyAction({ key: '0' }, IDS)).toBeNull();
  });

  it('uses the app’s own view list; 0 shows the tenth view', () => {
    const ids = VIEWS.map((v) => v.id);
    expect(keyAction({ key: '1' }, ids)).toEqual({ type: 'view', id: ids[0] });
    expect(ids[9]).toBe('recordings');
    expect(keyAction({ key: '0' }, ids)).toEqual({ type: 'view', id: 'recordings' });
  });

  it('ignores keys typed into form fields and editable text', () => {
    for (const targetTag of ['INPUT', 'TEXTAREA', 'SELECT', 'input']) {
      expect(isTyping({ key: 't', targetTag })).toBe(true);
      expect(keyAction({ key: 't', targetTag }, IDS)).toBeNull();
      expect(keyAction({ key: '1', targetTag }, IDS)).toBeNull();
      expect(keyAction({ key: '/', targetTag }, IDS)).toBeNull();
    }
    expect(keyAction({ key: 'p', targetTag: 'DIV', targetEditable: true }, IDS)).toBeNull();
    expect(keyAction({ key: 'p', targetTag: 'BUTTON' }, IDS)).toEqual({
      type: 'toggle-presentation',
    });
    expect(keyAction({ key: '2', targetTag: 'BODY' }, IDS)).toEqual({
      type: 'view',
      id: 'topology',
    });
  });

  it('ignores chords with Ctrl, Cmd or Alt', () => {
    expect(keyAction({ key: '1', ctrlKey: true }, IDS)).toBeNull();
    expect(keyAction({ key: 't', metaKey: true }, IDS)).toBeNull();
    expect(keyAction({ key: 'p', altKey: true }, IDS)).toBeNull();
  });
});
