import type { Pool, PoolClient } from 'pg';
import type { RankedLocation } from '../domain/count-risk';
import type { PlannedLocation } from '../domain/cycle-plan';
import { afterSql, decodeKeyset, encodeKeyset, keysetPage, orderBySql, type Keyset, type KeysetOrder } from './keyset';

type Db = Pick<Pool | PoolClient, 'query'>;

/** Recorded cycle-count plans: each planner run's ranked bins and the count tasks they got. */

export interface CountPlanItem extends RankedLocation {
  taskIds: string[];
  /** why the bin is on the plan: due by its class's frequency, or chosen for risk */
  purpose: PlannedLocation['purpose'];
}

export interface CountPlan {
  id: string;
  site: string;
  plannedAt: string;
  topN: number;
  considered: number;
  modelVersion: string;
  status: 'planned' | 'tasks_created';
  completedAt: string | null;
  items: CountPlanItem[];
}

export interface NewCountPlan {
  id: string;
  site: string;
  topN: number;
  considered: number;
  modelVersion: string;
  /** plans before the ABC programme carried no purpose: they were all risk */
  items: (RankedLocation & Partial<Pick<PlannedLocation, 'purpose' | 'skuClass' | 'dueInDays'>>)[];
}

/** Records a plan once: false when a plan with this id was already recorded (a retried run), which then stands. */
export async function insertPlan(db: Db, p: NewCountPlan): Promise<boolean> {
  const inserted = await db.query(
    `INSERT INTO count_plans (id, site, top_n, considered, model_version) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO NOTHING`,
    [p.id, p.site, p.topN, p.considered, p.modelVersion],
  );
  if (!inserted.rowCount) return false;
  if (p.items.length === 0) return true;
  await db.query(
    `INSERT INTO count_plan_items (plan_id, rank, location, risk, factors, reasons, skus, purpose)
     SELECT $1, x.rank, x.location, x.risk, x.factors, ARRAY(SELECT jsonb_array_elements_text(x.reasons)), ARRAY(SELECT jsonb_array_elements_text(x.skus)), x.purpose
     FROM jsonb_to_recordset($2::jsonb) AS x(rank integer, location text, risk numeric, factors jsonb, reasons jsonb, skus jsonb, purpose text)`,
    [
      p.id,
      JSON.stringify(
        p.items.map((i) => ({
          ...i,
          purpose: i.purpose ?? 'risk',
          // the class and deadline ride with the factors the plan was made from
          factors: { ...i.factors, ...(i.skuClass ? { skuClass: i.skuClass } : {}), ...(i.dueInDays !== undefined ? { dueInDays: i.dueInDays } : {}) },
        })),
      ),
    ],
  );
  return true;
}

/** The count tasks each bin got, and the plan is done. Setting the same ids again changes nothing. */
export async function completePlan(db: Db, planId: string, tasks: { location: string; taskIds: string[] }[]): Promise<void> {
  if (tasks.length > 0) {
    await db.query(
      `UPDATE count_plan_items i SET task_ids = ARRAY(SELECT jsonb_array_elements_text(x.task_ids))
       FROM jsonb_to_recordset($2::jsonb) AS x(location text, task_ids jsonb)
       WHERE i.plan_id = $1 AND i.location = x.location`,
      [planId, JSON.stringify(tasks.map((t) => ({ location: t.location, task_ids: t.taskIds })))],
    );
  }
  await db.query(
    `UPDATE count_plans SET status = 'tasks_created', completed_at = COALESCE(completed_at, now()) WHERE id = $1`,
    [planId],
  );
}

interface PlanRow {
  id: string;
  site: string;
  planned_at: Date;
  planned_text: string;
  top_n: number;
  considered: number;
  model_version: string;
  status: CountPlan['status'];
  completed_at: Date | null;
}
interface ItemRow {
  plan_id: string;
  rank: number;
  location: string;
  risk: string;
  factors: RankedLocation['factors'];
  reasons: string[];
  skus: string[];
  task_ids: string[];
  purpose: CountPlanItem['purpose'];
}

const PLAN_COLUMNS = `id, site, planned_at, top_n, considered, model_version, status, completed_at,
  to_char(planned_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS planned_text`;

async function withItems(db: Db, rows: PlanRow[]): Promise<CountPlan[]> {
  if (rows.length === 0) return [];
  const { rows: items } = await db.query<ItemRow>(
    'SELECT * FROM count_plan_items WHERE plan_id = ANY($1::text[]) ORDER BY plan_id, rank',
    [rows.map((r) => r.id)],
  );
  return rows.map((r) => ({
    id: r.id,
    site: r.site,
    plannedAt: r.planned_at.toISOString(),
    topN: r.top_n,
    considered: r.considered,
    modelVersion: r.model_version,
    status: r.status,
    completedAt: r.completed_at ? r.completed_at.toISOString() : null,
    items: items
      .filter((i) => i.plan_id === r.id)
      .map((i) => ({ rank: i.rank, location: i.location, purpose: i.purpose, risk: Number(i.risk), skus: i.skus, factors: i.factors, reasons: i.reasons, taskIds: i.task_ids })),
  }));
}

export async function getPlan(db: Db, id: string): Promise<CountPlan | null> {
  const { rows } = await db.query<PlanRow>(`SELECT ${PLAN_COLUMNS} FROM count_plans WHERE id = $1`, [id]);
  return rows.length ? (await withItems(db, rows))[0] : null;
}

/** Newest first, on (planned_at, id). */
const BY_PLANNED: KeysetOrder = { column: 'planned_at', dir: 'DESC', nullable: false, cast: 'timestamptz', maxIdLength: 300 };

/** Where the previous page ended. */
export type PlanCursor = Keyset;
export const encodePlanCursor = (c: PlanCursor): string => encodeKeyset(BY_PLANNED, c);
export const decodePlanCursor = (text: string): PlanCursor | null => decodeKeyset(BY_PLANNED, text);

/** Newest plans first, keyset-paginated on (planned_at, id). */
export async function listPlans(
  db: Db,
  filter: { site?: string[]; visibleSites?: string[] },
  page: { limit: number; after?: PlanCursor },
): Promise<{ items: CountPlan[]; next: PlanCursor | null }> {
  const params: unknown[] = [];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where: string[] = [];
  if (filter.site) where.push(`site = ANY(${p(filter.site)}::text[])`);
  if (filter.visibleSites) where.push(`site = ANY(${p(filter.visibleSites)}::text[])`);
  if (page.after) where.push(afterSql(BY_PLANNED, page.after, p));
  const { rows } = await db.query<PlanRow>(
    `SELECT ${PLAN_COLUMNS} FROM count_plans ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ${orderBySql(BY_PLANNED)} LIMIT ${p(page.limit + 1)}`,
    params,
  );
  const { rows: pageRows, next } = keysetPage(rows.map((r) => ({ ...r, sort_value: r.planned_text })), page.limit);
  return { items: await withItems(db, pageRows), next };
}

/** Whether a plan with this id was recorded (a count task's owner is a plan, not a case). */
export async function planExists(db: Db, id: string): Promise<boolean> {
  return ((await db.query('SELECT 1 FROM count_plans WHERE id = $1', [id])).rowCount ?? 0) > 0;
}
