/** One difference between two policy documents, at a JSON path such as `approval.limits.finance`. */
export interface PolicyChange {
  path: string;
  op: 'added' | 'removed' | 'changed';
  from?: unknown;
  to?: unknown;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * What changed from one policy document to another, leaf by leaf (array items by index), in
 * path order: what an admin switched off is named, not buried in two whole documents.
 */
export function policyDiff(from: unknown, to: unknown, max = 500): PolicyChange[] {
  const out: PolicyChange[] = [];
  const walk = (a: unknown, b: unknown, path: string): void => {
    if (out.length >= max) return;
    if (isPlainObject(a) && isPlainObject(b)) {
      for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
        const p = path ? `${path}.${k}` : k;
        if (!(k in b)) out.push({ path: p, op: 'removed', from: a[k] });
        else if (!(k in a)) out.push({ path: p, op: 'added', to: b[k] });
        else walk(a[k], b[k], p);
      }
      return;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      for (let i = 0; i < Math.max(a.length, b.length); i++) {
        const p = `${path}[${i}]`;
        if (i >= b.length) out.push({ path: p, op: 'removed', from: a[i] });
        else if (i >= a.length) out.push({ path: p, op: 'added', to: b[i] });
        else walk(a[i], b[i], p);
      }
      return;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path, op: 'changed', from: a, to: b });
  };
  walk(from, to, '');
  return out;
}
