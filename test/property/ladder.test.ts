import fc from 'fast-check';
import { durationMs, Ladder, positionOn, rolesAtOrAbove } from '../../src/domain';

const role = fc.constantFrom('inventory_control', 'site_supervisor', 'ops_manager', 'finance', 'auditor');
const sla = fc.integer({ min: 1, max: 500 }).chain((n) => fc.constantFrom(`${n}s`, `${n}m`, `${n}h`, `${n}d`, `1h${n}m`));

const ladder: fc.Arbitrary<Ladder> = fc
  .record({
    rungs: fc.array(fc.record({ role, sla }), { minLength: 1, maxLength: 10 }),
    terminal: fc.record({ action: fc.constantFrom('hold_and_page', 'page_only'), role }),
  })
  .map((l) => Ladder.parse(l));

const withLevel = ladder.chain((l) => fc.tuple(fc.constant(l), fc.integer({ min: 0, max: l.rungs.length + 3 })));

describe('the escalation ladder', () => {
  it('roles at or above a level include every role at or above the next level', () => {
    fc.assert(
      fc.property(withLevel, ([l, level]) => {
        const here = new Set(rolesAtOrAbove(l, level));
        for (const r of rolesAtOrAbove(l, level + 1)) expect(here).toContain(r);
        expect(here).toContain(positionOn(l, level).role);
        expect(here).toContain(l.terminal.role);
      }),
    );
  });

  it('is exhausted exactly from rungs.length on, where the terminal role acts alone', () => {
    fc.assert(
      fc.property(withLevel, ([l, level]) => {
        const p = positionOn(l, level);
        expect(p.exhausted).toBe(level >= l.rungs.length);
        if (p.exhausted) {
          expect(p).toEqual({ level: l.rungs.length, role: l.terminal.role, slaMs: 0, exhausted: true });
          expect(rolesAtOrAbove(l, level)).toEqual([l.terminal.role]);
        } else {
          expect(p.level).toBe(level);
          expect(p.role).toBe(l.rungs[level].role);
          expect(p.slaMs).toBe(durationMs(l.rungs[level].sla));
          expect(p.slaMs).toBeGreaterThan(0);
        }
      }),
    );
  });
});
