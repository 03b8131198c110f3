/**
 * A yaml library error's message without its place: yaml ends the first line of its message
 * with `… at line L, column C:` and follows it with a code excerpt. Every reader of a
 * scenario (the engine's loader, the workspace's problems, the editor) states the place its
 * own way, once; this is the one cut they share. Pure: no yaml import.
 */
export function yamlMessage(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}
