/**
 * Reads the `.cpuprofile` files `node --cpu-prof` wrote and says where the time went: a
 * roll-up by area (idle, GC, node:http2 internals, the engine, ...) and the functions with
 * the most self time.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The area a function belongs to, by its script URL. */
function area(node: ProfileNode): string {
  const { functionName, url } = node.callFrame;
  if (functionName === '(idle)') return 'idle (waiting for I/O)';
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (functionName === '(program)') return 'native / V8 (program)';
  if (url.includes('/src/main/engine/')) return 'push engine (src/main/engine)';
  if (url.includes('/src/shared/')) return 'shared (src/shared)';
  if (/node:internal\/http2|node:http2/.test(url)) return 'node:http2 (JS side)';
  if (/node:internal\/(streams|stream_base)|node:stream/.test(url)) return 'node streams';
  if (/node:internal\/(timers|process\/task_queues)|node:timers/.test(url)) {
    return 'node timers / ticks';
  }
  if (/node:internal\/(crypto|url)|node:crypto/.test(url)) return 'node crypto / url';
  if (url.startsWith('node:')) return 'node (other)';
  if (url.includes('node_modules')) return 'node_modules';
  if (url === '') return `native: ${functionName || '(anonymous)'}`;
  return 'other';
}

function shortUrl(url: string): string {
  const at = url.indexOf('/src/');
  if (at >= 0) return url.slice(at + 1);
  return url.replace(/^file:\/\/.*\/node_modules\//, '');
}

export function summarizeProfiles(dir: string, top = 15): string[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  } catch {
    return ['  (no profiles written)'];
  }
  const lines: string[] = [];
  for (const file of files.sort()) {
    const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Profile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const selfUs = new Map<number, number>();
    let totalUs = 0;
    profile.samples.forEach((id, i) => {
      const dt = Math.max(0, profile.timeDeltas[i + 1] ?? 0);
      selfUs.set(id, (selfUs.get(id) ?? 0) + dt);
      totalUs += dt;
    });
    const areas = new Map<string, number>();
    const functions = new Map<string, number>();
    for (const [id, us] of selfUs) {
      const node = byId.get(id);
      if (!node) continue;
      areas.set(area(node), (areas.get(area(node)) ?? 0) + us);
      const { functionName, url, lineNumber } = node.callFrame;
      const key = `${functionName || '(anonymous)'}  ${url ? `${shortUrl(url)}:${lineNumber + 1}` : ''}`;
      functions.set(key, (functions.get(key) ?? 0) + us);
    }
    const busyUs = totalUs - (areas.get('idle (waiting for I/O)') ?? 0);
    const pct = (us: number, of: number): string => `${((100 * us) / of).toFixed(1)}%`.padStart(6);
    lines.push(
      `  ${file}: ${(totalUs / 1e6).toFixed(1)} s sampled, ${(busyUs / 1e6).toFixed(1)} s busy`,
    );
    lines.push('    by area (share of busy time):');
    for (const [name, us] of [...areas].sort((a, b) => b[1] - a[1])) {
      if (name.startsWith('idle')) continue;
      if (us / busyUs < 0.005) continue;
      lines.push(`      ${pct(us, busyUs)}  ${name}`);
    }
    lines.push(`    top ${top} functions by self time (share of busy time):`);
    for (const [name, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top + 1)) {
      if (name.startsWith('(idle)')) continue;
      lines.push(`      ${pct(us, busyUs)}  ${name}`);
    }
  }
  return lines;
}
