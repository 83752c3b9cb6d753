import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOW_PRELOAD_MODULES } from '../../src/temporal/worker-interceptors';

/**
 * Each workflow run evaluates every module of the bundle again: a schema library there is built
 * once per case. The bench measured zod's schema construction at about a fifth of a case's
 * workflow CPU, so the bundle the worker runs must hold the domain without it.
 */
let modules: string[];

beforeAll(async () => {
  const { code } = await bundleWorkflowCode({
    workflowsPath: require.resolve('../../src/workflows'),
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    preloadModules: WORKFLOW_PRELOAD_MODULES,
    logger: new DefaultLogger('WARN'),
  });
  // webpack names each module it bundles in a comment: `/***/ "./src/domain/core.ts"`
  modules = [...code.matchAll(/^\/\*\*\*\/ "([^"]+)"/gm)].map((m) => m[1]);
}, 60_000);

it('bundles the workflows with the schema-free domain', () => {
  expect(modules).toEqual(expect.arrayContaining([expect.stringMatching(/src\/domain\/core\.ts$/), expect.stringMatching(/src\/domain\/decide\.ts$/)]));
});

it('holds no zod and none of the domain modules that build schemas', () => {
  const schemaModules = modules.filter((m) => /node_modules\/zod\/|src\/domain\/(policy|discrepancy|event|default-policy|index)\.ts$/.test(m));
  expect(schemaModules).toEqual([]);
});

/**
 * Every Reckon module of the bundle is preloaded (WORKFLOW_PRELOAD_MODULES): evaluated once per
 * worker thread and shared by every cached case. So none may keep state of its own, or one case
 * would see another's: no top-level `let`/`var`, no top-level statement that runs code, no
 * mutable collection (a Map, Set or array not typed read-only; a WeakMap is a memo keyed by the
 * caller's own object), no static field a class could change.
 */
it('preloads every Reckon module of the bundle, and none of them keeps state of its own', () => {
  expect(WORKFLOW_PRELOAD_MODULES).toEqual(
    expect.arrayContaining([require.resolve('../../src/workflows'), ...WORKFLOW_INTERCEPTOR_MODULES, require.resolve('../../src/domain/core')]),
  );
  const own = modules.filter((m) => m.startsWith('./src/'));
  expect(own.length).toBeGreaterThan(30);
  const findings = own.flatMap((m) => moduleStateOf(join(__dirname, '..', '..', m)).map((f) => `${m}: ${f}`));
  expect(findings).toEqual([]);
});

function moduleStateOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const line = (n: ts.Node) => source.getLineAndCharacterOfPosition(n.getStart()).line + 1;
  for (const s of source.statements) {
    if (ts.isVariableStatement(s)) {
      if (!(s.declarationList.flags & ts.NodeFlags.Const)) found.push(`line ${line(s)}: a top-level let/var`);
      for (const d of s.declarationList.declarations) {
        const init = d.initializer;
        const readOnly = d.type !== undefined && /^Readonly|^readonly /.test(d.type.getText(source));
        if (init && ts.isNewExpression(init) && /^(Map|Set|Array)$/.test(init.expression.getText(source)) && !readOnly) {
          found.push(`line ${line(d)}: a mutable ${init.expression.getText(source)} (type it read-only)`);
        }
        if (init && ts.isArrayLiteralExpression(init) && !readOnly) found.push(`line ${line(d)}: a mutable array (type it readonly)`);
      }
    } else if (ts.isExpressionStatement(s)) {
      found.push(`line ${line(s)}: code run when the module loads`);
    } else if (ts.isClassDeclaration(s)) {
      for (const m of s.members) {
        const mods = ts.canHaveModifiers(m) ? (ts.getModifiers(m) ?? []) : [];
        const isStatic = mods.some((x) => x.kind === ts.SyntaxKind.StaticKeyword);
        const isReadonly = mods.some((x) => x.kind === ts.SyntaxKind.ReadonlyKeyword);
        if (isStatic && ts.isPropertyDeclaration(m) && !isReadonly) found.push(`line ${line(m)}: a static field that can change`);
      }
    }
  }
  return found;
}
