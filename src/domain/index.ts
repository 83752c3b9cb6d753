// the schema-free domain (all that workflow code may import as values), then the zod schemas,
// the default policy and scorer v2
export * from './core';
export * from './identifiers';
export * from './instants';
export * from './discrepancy';
export * from './policy';
export * from './calendar-schema';
export * from './default-policy';
export * from './policy-diff';
export * from './event';
export * from './scorer-v2';
export * from './site-policy';
