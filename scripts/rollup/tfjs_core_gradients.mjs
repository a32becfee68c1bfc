/**
 * Rollup plugin for the Node builds: tfjs-core's gradient registry in a bundle that keeps
 * every @tensorflow/* package external.
 *
 * tfjs-core's CommonJS entry (dist/tf-core.node.js, what `require('@tensorflow/tfjs-core')`
 * loads) registers no gradients of its own: only dist/register_all_gradients.js does, an ES
 * module whose relative imports have no extension, which Node cannot load. So this plugin
 * copies into the bundle only that file and the gradient modules it imports
 * (dist/gradients/*.js), and gives every import they make of any other tfjs-core module
 * (../ops/mul, ../kernel_names, ../util, ../engine, ...) a virtual module that re-exports the
 * same binding from the public '@tensorflow/tfjs-core' entry, which stays external: the user's
 * tfjs is the one engine, and the gradients are registered in its registry.
 *
 * Where tfjs-core does not export a binding the gradients need (maxPoolGrad, avgPoolGrad,
 * conv2DBackpropFilter, ... are internal ops), the module that defines it is copied too, if it
 * is stateless (an op wrapper in ops/, tensor_util_env.js, types.js), and its own imports go
 * through the same rule. Anything else fails the build, naming the binding: a new tfjs-core
 * must not silently bundle a second engine, registry or Tensor class.
 *
 * The plan (which files are copied, and where each other binding comes from) is made in
 * buildStart by reading the files, so it is complete before rollup loads the first virtual
 * module.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { parseAst } from 'rollup/parseAst';

const require = createRequire(import.meta.url);
const CORE = join(dirname(require.resolve('@tensorflow/tfjs-core/package.json')), 'dist');
const ENTRY = join(CORE, 'register_all_gradients.js');
/** What src/backend/gradients imports; its own id in the vitest (ESM) path. */
export const REGISTER_ALL_GRADIENTS = '@tensorflow/tfjs-core/dist/register_all_gradients';
const VIRTUAL = '\0tfjs-core-public:';

/** Copied into the bundle whatever they import: the gradients and the list that registers them. */
const isGradientModule = (rel) => rel === 'register_all_gradients.js' || rel.startsWith('gradients/');
/** Copied only where tfjs-core does not export a binding they define: stateless helpers. */
const mayCopy = (rel) => rel.startsWith('ops/') || rel === 'tensor_util_env.js' || rel === 'types.js';

/**
 * Bindings whose public form has another name. ENGINE is the engine singleton, which tfjs-core
 * hands out as engine(); getGlobalTensorClass returns the Tensor class tfjs registered first on
 * globalThis, which is the public Tensor when one tfjs-core is loaded (the point of all this).
 */
const RENAMED = {
  ENGINE: 'tf.engine()',
  getGlobalTensorClass: '() => tf.Tensor',
};

const posix = (path) => path.split(sep).join('/');

/** The public expression for `name` as module `rel` of tfjs-core defines it, or null. */
function publicBinding(api, rel, name) {
  if (Object.hasOwn(RENAMED, name)) return RENAMED[name];
  const base = basename(rel, '.js');
  // util.js, ops/axis_util.js, ...: first their own namespace (tf.util, tf.slice_util), then
  // backend_util (which gathers the ops' *_util helpers); ops and kernel names: the top level.
  // Order matters where a name is in several places (util's sum is not the op sum).
  const namespaces =
    base === 'util' || base === 'util_base'
      ? ['util']
      : base.endsWith('_util')
        ? [base, 'backend_util']
        : [null, 'backend_util'];
  for (const ns of namespaces) {
    const scope = ns == null ? api : api[ns];
    if (scope != null && typeof scope === 'object' && Object.hasOwn(scope, name) && scope[name] !== undefined) {
      return ns == null ? `tf.${name}` : `tf.${ns}.${name}`;
    }
  }
  return null;
}

function walk(node, visit) {
  if (node == null || typeof node.type !== 'string') return;
  visit(node);
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) for (const child of value) walk(child, visit);
    else if (value != null && typeof value === 'object') walk(value, visit);
  }
}

/** The resolved file of a relative import in tfjs-core's dist (they have no extension). */
function resolveImport(importer, source) {
  const file = resolve(dirname(importer), source);
  return file.endsWith('.js') ? file : `${file}.js`;
}

/**
 * For one module of tfjs-core: each tfjs-core module it imports, with the names it uses
 * (named imports, and the members read from `import * as ns`).
 */
function importsOf(file) {
  const ast = parseAst(readFileSync(file, 'utf8'));
  const uses = new Map();
  const use = (target, name) => {
    if (!uses.has(target)) uses.set(target, new Set());
    uses.get(target).add(name);
  };
  for (const node of ast.body) {
    if ((node.type === 'ExportAllDeclaration' || node.type === 'ExportNamedDeclaration') && node.source != null) {
      throw new Error(`${posix(relative(CORE, file))} re-exports from '${node.source.value}': not handled`);
    }
    if (node.type !== 'ImportDeclaration') continue;
    const source = node.source.value;
    if (!source.startsWith('.')) throw new Error(`${posix(relative(CORE, file))} imports '${source}': not handled`);
    const target = resolveImport(file, source);
    if (!uses.has(target)) uses.set(target, new Set());
    for (const spec of node.specifiers) {
      if (spec.type === 'ImportSpecifier') use(target, spec.imported.name ?? spec.imported.value);
      else if (spec.type === 'ImportNamespaceSpecifier') {
        const local = spec.local.name;
        let members = 0;
        let references = 0;
        walk(ast, (n) => {
          if (n.type === 'Identifier' && n.name === local) references++;
          if (
            n.type === 'MemberExpression' &&
            !n.computed &&
            n.object.type === 'Identifier' &&
            n.object.name === local
          ) {
            members++;
            use(target, n.property.name);
          }
        });
        // The specifier's own identifier is one reference; every other must be `local.member`.
        if (references - 1 !== members)
          throw new Error(`${posix(relative(CORE, file))} uses namespace ${local} other than as local.member`);
      } else {
        throw new Error(`${posix(relative(CORE, file))} has a default import from '${source}': not handled`);
      }
    }
  }
  return uses;
}

/**
 * Which tfjs-core files are copied, and for every other tfjs-core module the gradients reach,
 * each binding's public expression. Throws, naming them, for bindings with no public form.
 */
export function planGradientBundle(api = require('@tensorflow/tfjs-core')) {
  const copied = new Set();
  const needs = new Map(); // file -> Set of names, for modules not (yet) copied
  const queue = [ENTRY];
  const copy = (file) => {
    if (copied.has(file)) return;
    copied.add(file);
    needs.delete(file);
    queue.push(file);
  };
  copied.add(ENTRY);
  while (queue.length > 0) {
    const file = queue.shift();
    for (const [target, names] of importsOf(file)) {
      if (!existsSync(target))
        throw new Error(`${posix(relative(CORE, file))} imports ${target}, which does not exist`);
      const rel = posix(relative(CORE, target));
      if (isGradientModule(rel)) {
        copy(target);
        continue;
      }
      if (copied.has(target)) continue;
      const all = needs.get(target) ?? new Set();
      for (const name of names) all.add(name);
      needs.set(target, all);
      const missing = [...all].filter((name) => publicBinding(api, rel, name) == null);
      if (missing.length > 0 && mayCopy(rel)) copy(target);
    }
  }
  const virtual = new Map();
  const unresolved = [];
  for (const [file, names] of needs) {
    const rel = posix(relative(CORE, file));
    const bindings = new Map();
    for (const name of [...names].sort()) {
      const expr = publicBinding(api, rel, name);
      if (expr == null) unresolved.push(`${name} (from ${rel})`);
      else bindings.set(name, expr);
    }
    virtual.set(file, bindings);
  }
  if (unresolved.length > 0) {
    throw new Error(
      `tfjs-core gradients: no public export for ${unresolved.join(', ')}. ` +
        'Map it in RENAMED, or allow its module in mayCopy if it is stateless (scripts/rollup/tfjs_core_gradients.mjs).',
    );
  }
  return { copied, virtual };
}

/** The virtual module that stands in for tfjs-core module `file`. */
function virtualSource(bindings) {
  const lines = ["import * as tf from '@tensorflow/tfjs-core';"];
  for (const [name, expr] of bindings) lines.push(`export const ${name} = ${expr};`);
  return `${lines.join('\n')}\n`;
}

export function tfjsCoreGradients() {
  let plan = null;
  return {
    name: 'tfjs-core-gradients',
    buildStart() {
      try {
        plan = planGradientBundle();
      } catch (e) {
        this.error(e.message);
      }
    },
    resolveId(source, importer) {
      if (source === REGISTER_ALL_GRADIENTS || source === `${REGISTER_ALL_GRADIENTS}.js`) return ENTRY;
      if (source.startsWith(`@tensorflow/tfjs-core/`))
        this.error(`deep import '${source}' from ${importer}: only ${REGISTER_ALL_GRADIENTS} is handled`);
      if (importer == null || !importer.startsWith(CORE + sep) || !source.startsWith('.')) return null;
      const file = resolveImport(importer, source);
      if (plan.copied.has(file)) return file;
      if (plan.virtual.has(file)) return VIRTUAL + posix(relative(CORE, file));
      this.error(`unplanned tfjs-core import '${source}' from ${importer}`);
    },
    load(id) {
      if (!id.startsWith(VIRTUAL)) return null;
      return virtualSource(plan.virtual.get(join(CORE, id.slice(VIRTUAL.length))));
    },
  };
}
