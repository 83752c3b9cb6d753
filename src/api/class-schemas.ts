import { z } from 'zod';
import { SiteId, Sku, SkuClass } from '../domain';

/** Manual ABC class overrides (PUT/GET/DELETE /v1/skus/{sku}/class): inputs and the answer. */
export const SkuPathParams = z.object({ sku: Sku });
export const ClassSiteQuery = z.strictObject({ site: SiteId });
const Reason = z.string().trim().min(1, 'say why the class is set by hand').max(500);
export const ClassOverrideBody = z.strictObject({ skuClass: SkuClass, reason: Reason });
export const ClassClearQuery = z.strictObject({ site: SiteId, reason: Reason });

const Override = z.object({ skuClass: SkuClass, by: z.string(), at: z.string(), reason: z.string().nullable() });
export const SkuClassSchema = z.object({
  site: z.string(),
  sku: z.string(),
  /** the class the planner uses from Reckon's own records: the override, else the computed class (null: the ERP's or C) */
  skuClass: SkuClass.nullable(),
  source: z.enum(['override', 'computed']).nullable(),
  computed: z.object({ skuClass: SkuClass, annualUsageValue: z.number().nullable(), computedAt: z.string().nullable() }).nullable(),
  override: Override.nullable(),
  /** false when the request asked for what was already in force (nothing written, nothing audited) */
  changed: z.boolean().optional(),
  history: z.array(z.object({ at: z.string(), by: z.string(), from: SkuClass.nullable(), to: SkuClass.nullable(), reason: z.string().nullable() })),
});
export type SkuClassView = z.infer<typeof SkuClassSchema>;
