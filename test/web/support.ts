import type { Express } from 'express';
import type { Pool } from 'pg';
import request from 'supertest';
import { upsertUser } from '../../src/store/user-repo';
import { hashPassword } from '../../src/web/passwords';
import type { Persona } from '../support/api';
import { uniq } from '../support/engine';

export const PASSWORD = 'correct horse battery';

/** Creates a person who signs in to the inbox with PASSWORD. */
export async function createPerson(db: Pool, p: Persona): Promise<Persona> {
  await upsertUser(db, { id: p.userId, name: p.userId, roles: p.roles, sites: p.sites, passwordHash: await hashPassword(PASSWORD) });
  return p;
}

/** The sign-in form's CSRF token and cookie, as a browser gets them. */
export async function signInForm(agent: ReturnType<typeof request.agent>): Promise<string> {
  const res = await agent.get('/login').expect(200);
  const m = /name="_csrf" value="([^"]+)"/.exec(res.text);
  if (!m) throw new Error('no CSRF token on the sign-in form');
  return m[1];
}

/** A supertest agent signed in as the person; returns it and the session's CSRF token. */
export async function signedIn(app: Express, userId: string, password = PASSWORD) {
  const agent = request.agent(app);
  const csrf = await signInForm(agent);
  const res = await agent.post('/login').type('form').send({ user: userId, password, _csrf: csrf, next: '/app' });
  if (res.status !== 303) throw new Error(`sign-in as ${userId} answered ${res.status}`);
  const page = await agent.get('/app').expect(200);
  const token = /data-csrf="([^"]+)"/.exec(page.text)?.[1];
  if (!token) throw new Error('no session CSRF token on the page');
  return { agent, csrf: token, signIn: res };
}

/** A receiving variance of `units` at `unitCost` that waits for a person (review ladder: inventory_control first). */
export function reviewReport(site: string, units = 10, unitCost = 10) {
  return {
    kind: 'receiving_variance', site, sku: uniq('SKU'), location: 'DOCK-1', reference: { kind: 'asn', id: uniq('ASN') },
    expectedQty: 500, observedQty: 500 - units, unitCost, skuClass: 'A', source: 'erp', causedBy: ['receiver9'],
  };
}
