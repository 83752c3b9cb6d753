import { Sku } from '../domain';
import { ClassClearQuery, ClassOverrideBody, ClassSiteQuery, SkuClassSchema } from './class-schemas';
import { jsonSchema, pathParameter, problem, queryParameters, ref, type Json } from './openapi-parts';

/** The accuracy programme's side of /openapi.json: manual ABC class overrides, from the handlers' zod schemas. */

const ok = (description: string) => ({ description, content: { 'application/json': { schema: ref('SkuClass') } } });
const SKU = pathParameter('sku', Sku, 'the sku');
const SITE = queryParameters(ClassSiteQuery, { site: 'the site the class holds at (within the key’s sites)' });
const CLEAR = queryParameters(ClassClearQuery, { site: 'the site the class holds at (within the key’s sites)', reason: 'why the override is cleared' });
const errors = {
  '400': problem('invalid input; `errors` names each failing field'),
  '401': problem('missing, unknown or revoked API key'),
  '403': problem('(changes) the key has neither admin nor inventory_control'),
  '404': problem('the site is outside the key’s sites (as an unknown site)'),
  '503': problem('a dependency is unavailable'),
};

function accuracyPaths(): Json {
  return {
    '/v1/skus/{sku}/class': {
      get: {
        summary: 'A sku’s ABC class at a site: computed, overridden by a person, and the overrides’ history (who, when, why)',
        parameters: [SKU, ...SITE],
        responses: { '200': ok('the class'), ...errors },
      },
      put: {
        summary: 'Override a sku’s ABC class at a site (admin, inventory_control); audited; the cycle-count planner uses it from its next run and names it in the plan’s reasons',
        description: 'Setting the class already in force writes and audits nothing (`changed: false`). A recomputation of the site’s classes keeps the override.',
        parameters: [SKU, ...SITE],
        requestBody: { required: true, content: { 'application/json': { schema: ref('SkuClassOverride') } } },
        responses: { '200': ok('the class after the change'), ...errors },
      },
      delete: {
        summary: 'Clear a sku’s class override at a site (admin, inventory_control); audited with the reason',
        parameters: [SKU, ...CLEAR],
        responses: { '200': ok('the class after the change'), ...errors },
      },
    },
  };
}

export function withAccuracy<T extends Json>(spec: T): T {
  const components = spec.components as { schemas: Json };
  components.schemas.SkuClass = jsonSchema(SkuClassSchema, 'output');
  components.schemas.SkuClassOverride = jsonSchema(ClassOverrideBody, 'input');
  return { ...spec, paths: { ...(spec.paths as Json), ...accuracyPaths() } };
}
