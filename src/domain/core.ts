/**
 * The domain without its zod schemas: what workflow code imports. Every workflow run evaluates its
 * own copy of the modules it loads, so building the policy, report and event schemas (and parsing
 * the default policy) there cost about a fifth of a case's workflow CPU (docs/performance.md).
 * Nothing exported here may import a value from policy.ts, discrepancy.ts, event.ts or
 * default-policy.ts; test/workflow/bundle.test.ts checks the workflow bundle holds no zod. Their
 * types (PolicyDocument, DiscrepancyReport…) workflow code imports with `import type` from ../domain.
 */
export * from './durations';
export * from './quantities';
export * from './case-keys';
export * from './tolerance';
export * from './ladder';
export * from './evidence';
export * from './scorer';
export * from './decide';
export * from './case';
export * from './authority';
export * from './case-actions';
export * from './scoring-policy';
export * from './shadow';
export * from './calendar';
export * from './reason-codes';
