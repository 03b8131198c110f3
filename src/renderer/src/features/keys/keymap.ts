/** The global keyboard shortcuts: which key does what. Pure. */
import { viewIndexOfDigit } from '../../../../shared/menu';

export type KeyAction =
  | { type: 'close' }
  | { type: 'search' }
  | { type: 'view'; id: string }
  | { type: 'cycle-theme' }
  | { type: 'toggle-presentation' }
  /** Pause a running run, resume a paused one. */
  | { type: 'pause-resume' };

/** What the mapping reads from a keydown event. */
export interface KeyInput {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  /** The event target's tag name (upper case, as the DOM gives it), if any. */
  targetTag?: string | null;
  targetEditable?: boolean;
  /** The event target's ARIA role, if any. */
  targetRole?: string | null;
}

const TYPING_TAGS = new Set(['INPUT', 'TEXTAREA', 'SELECT']);
/** Elements that Space itself activates (keyboard users press them with it). */
const SPACE_TAGS = new Set(['BUTTON', 'A', 'SUMMARY']);
const SPACE_ROLES = new Set(['button', 'link', 'checkbox', 'switch', 'tab', 'option', 'menuitem']);

function spaceActivates(input: KeyInput): boolean {
  return (
    (input.targetTag != null && SPACE_TAGS.has(input.targetTag.toUpperCase())) ||
    (input.targetRole != null && SPACE_ROLES.has(input.targetRole))
  );
}

/** True when the key goes to a form field (or editable text) and is not a shortcut. */
export function isTyping(input: KeyInput): boolean {
  return (
    input.targetEditable === true ||
    (input.targetTag != null && TYPING_TAGS.has(input.targetTag.toUpperCase()))
  );
}

/**
 * The action for a key, or null. `viewIds` are the views in navigation order (digit n shows
 * the n-th, 0 the tenth: shared/menu.ts viewDigit). Keys typed into inputs, selects and textareas, and chords with Ctrl/Cmd/Alt,
 * are never shortcuts; nor is Space on a button or link, which it presses.
 */
export function keyAction(input: KeyInput, viewIds: readonly string[]): KeyAction | null {
  if (input.ctrlKey || input.metaKey || input.altKey) return null;
  if (isTyping(input)) return null;
  const { key } = input;
  if (key === 'Escape') return { type: 'close' };
  if (key === '/') return { type: 'search' };
  if (key === 't') return { type: 'cycle-theme' };
  if (key === 'p') return { type: 'toggle-presentation' };
  if (key === ' ') return spaceActivates(input) ? null : { type: 'pause-resume' };
  const index = viewIndexOfDigit(key);
  if (index !== null) {
    const id = viewIds[index];
    return id === undefined ? null : { type: 'view', id };
  }
  return null;
}
