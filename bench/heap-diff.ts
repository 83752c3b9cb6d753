/**
 * What N more cached cases added to the heap, by kind of object:
 * `npm run bench:heap-diff -- before.heapsnapshot after.heapsnapshot N` (snapshots from
 * `npm run bench:heap -- N --snapshots DIR`). Prints KB and count per case for the biggest
 * groups; stack strings the SDK captured for pending promises are grouped apart.
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size and count by "type|name"; strings by whether they are captured stacks. */
function groups(file: string): Map<string, { count: number; bytes: number }> {
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const [type, name, size] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const out = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < s.nodes.length; i += fields.length) {
    const t = types[s.nodes[i + type]];
    const n = s.strings[s.nodes[i + name]];
    const label = t.endsWith('string') ? (/(^|\n)\s*at \S/.test(n) ? 'captured stack' : 'other') : n || '(anonymous)';
    const key = `${t}|${label}`;
    const g = out.get(key) ?? { count: 0, bytes: 0 };
    g.count++;
    g.bytes += s.nodes[i + size];
    out.set(key, g);
  }
  return out;
}

function main(): void {
  const [beforeFile, afterFile, n] = process.argv.slice(2);
  const cases = Number(n);
  if (!beforeFile || !afterFile || !(cases > 0)) throw new Error('usage: heap-diff before.heapsnapshot after.heapsnapshot N');
  const before = groups(beforeFile);
  const rows = [...groups(afterFile)].map(([key, g]) => {
    const b = before.get(key) ?? { count: 0, bytes: 0 };
    return { key, kb: (g.bytes - b.bytes) / cases / 1024, count: (g.count - b.count) / cases };
  });
  const total = rows.reduce((a, r) => a + r.kb, 0);
  console.log(`${total.toFixed(1)} KB per case in the snapshots (${cases} cases)`);
  for (const r of rows.sort((a, b) => b.kb - a.kb).slice(0, 25)) {
    console.log(`${r.kb.toFixed(2).padStart(8)} KB ${r.count.toFixed(1).padStart(7)} per case  ${r.key}`);
  }
}

main();
