/**
 * docs/faults.md's table of stages is hand-readable prose around data: its type, attribute,
 * default-stream and link-down columns must equal the stage registry's attribute tables, so
 * the doc cannot drift from what the engine validates (the effect column stays prose).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { faultTypeViews } from '../../../src/main/engine/net/registry';
import { attributeSummary, type FaultTypeView } from '../../../src/shared/workbench';

const DOC = join(__dirname, '../../../docs/faults.md');

/** The cells the registry dictates for one type's row. */
export function expectedCells(t: FaultTypeView): string[] {
  return [
    `\`${t.type}\``,
    t.attributes.map((a) => `\`${a.name}\` (${attributeSummary(a)})`).join('; '),
    t.defaultStream,
    t.takesLinkDown ? 'yes' : 'no',
  ];
}

/** The rows of the table under `## Stages`, as trimmed cells (header and rule left out). */
export function stageRows(markdown: string): string[][] {
  const section = markdown.split(/^## /m).find((s) => s.startsWith('Stages'));
  if (section === undefined) throw new Error('docs/faults.md has no "## Stages" section');
  const table = section.split('\n').filter((l) => l.startsWith('|'));
  return table.slice(2).map((line) =>
    line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((cell) => cell.trim().replaceAll('\\|', '|')),
  );
}

describe('docs/faults.md stage table', () => {
  const rows = stageRows(readFileSync(DOC, 'utf8'));

  it('lists every registered fault type, in the registry order, and nothing else', () => {
    expect(rows.map((r) => r[0])).toEqual(faultTypeViews().map((t) => `\`${t.type}\``));
  });

  it('states each type its attributes, ranges, defaults, default stream and link-down as the registry does', () => {
    for (const [i, t] of faultTypeViews().entries()) {
      expect(rows[i]!.slice(0, 4), `row of ${t.type}`).toEqual(expectedCells(t));
    }
  });

  it('notices a drifted cell (the check reads the document, not a copy of the data)', () => {
    const doc = readFileSync(DOC, 'utf8').replace(
      '`jitter` (ms, 0 to 3,600,000, default 0)',
      '`jitter` (ms, 0 to 3,600,000, default 5)',
    );
    const drifted = stageRows(doc);
    const latency = faultTypeViews()[0]!;
    expect(drifted[0]!.slice(0, 4)).not.toEqual(expectedCells(latency));
  });
});
