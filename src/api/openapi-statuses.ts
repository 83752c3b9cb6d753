import { problem, type Json } from './openapi-parts';

/**
 * The answers every operation can give whatever it does, added last so no operation's list of
 * status codes is short of what the server really sends (schemathesis checks each answer).
 */
const TOO_LARGE_HEADERS = problem('the request line or headers are larger than the server accepts (16 KiB)');
const BODY = {
  '413': problem('the body is larger than the limit (an event or a report: MAX_EVENT_BYTES)'),
  '415': problem('the body is not application/json (`Accept-Post` lists the accepted types)'),
};
const RULE = {
  '422': problem('well-formed, but a rule this document cannot state refuses it (across fields, a NUL character, a cursor this API did not issue); `errors` names the fields'),
};

type Operation = { parameters?: { name?: string; in?: string }[]; requestBody?: unknown; responses?: Json };

export function withStatuses<T extends Json>(spec: T): T {
  for (const ops of Object.values(spec.paths as Record<string, Record<string, Operation>>)) {
    for (const op of Object.values(ops)) {
      const responses = (op.responses ??= {});
      const add = (extra: Json) => {
        for (const [status, answer] of Object.entries(extra)) responses[status] ??= answer;
      };
      add({ '431': TOO_LARGE_HEADERS });
      if (op.requestBody) add(BODY);
      if (op.requestBody || op.parameters?.length) add(RULE);
    }
  }
  return spec;
}

/** The methods each path of the document declares, as a matcher: for 405 with `Allow` on any other method. */
export function declaredMethods(spec: Json): (path: string) => string[] | undefined {
  const routes = Object.entries(spec.paths as Record<string, Json>).map(([template, ops]) => {
    const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
    const methods = Object.keys(ops).map((m) => m.toUpperCase());
    // express answers HEAD for every GET; OPTIONS it answers itself
    if (methods.includes('GET')) methods.push('HEAD');
    return { re: new RegExp(`^${pattern}/?$`), methods, params: (template.match(/\{/g) ?? []).length };
  });
  // a literal path (/v1/discrepancies/repin) wins over a template that also matches it ({id})
  routes.sort((a, b) => a.params - b.params);
  return (path) => routes.find((r) => r.re.test(path))?.methods;
}
