// Harbour's layer map inside the server, by folder name (in the manner of VS Code's
// code-layering rule): a file in one layer folder may import only from the layers it is
// given, and a feature (features/<name>/) may be reached from outside it only through
// its index. Type-only imports count too: a layer that needs another's types depends on it.
import path from 'node:path';

/** @type {import('eslint').Rule.RuleModule} */
export const serverLayers = {
  meta: {
    type: 'problem',
    docs: { description: 'Keeps the server layered: db, core, transports, features, composition root.' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          layers: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
        },
        required: ['root', 'layers'],
        additionalProperties: false,
      },
    ],
    messages: {
      layer: '{{from}}/ may not import from {{to}}/ (it may use: {{allowed}}).',
      unknownLayer: '{{to}}/ is not in the layer map; add it to the server-layers rule in eslint.config.js.',
      featureInternals:
        'Reach another feature only through its index: import "features/{{feature}}/index.js", not "{{spec}}".',
    },
  },
  create(context) {
    const { root, layers } = context.options[0];
    // Relative to where ESLint runs (the repository), or absolute.
    const rootDir = path.resolve(context.cwd, root);
    const file = context.filename;
    const where = locate(rootDir, file);
    if (!where) return {};

    /** @param {import('estree').Node} node @param {string} spec */
    function check(node, spec) {
      if (!spec.startsWith('.')) return;
      const target = locate(rootDir, path.resolve(path.dirname(file), spec));
      if (!target) return;
      if (target.layer === 'features' && !(where.layer === 'features' && where.feature === target.feature)) {
        if (target.rest !== 'index.js' && target.rest !== 'index.ts' && target.rest !== 'index') {
          context.report({ node, messageId: 'featureInternals', data: { feature: target.feature, spec } });
          return;
        }
      }
      // The composition root (files directly in the server folder) may use every layer.
      if (where.layer === null || target.layer === where.layer) return;
      const allowed = layers[where.layer];
      if (!allowed) return;
      if (target.layer === null || !allowed.includes(target.layer)) {
        const to = target.layer ?? '(the composition root)';
        if (target.layer !== null && !(target.layer in layers)) {
          context.report({ node, messageId: 'unknownLayer', data: { to } });
          return;
        }
        context.report({
          node,
          messageId: 'layer',
          data: { from: where.layer, to, allowed: allowed.join(', ') || 'nothing of the server' },
        });
      }
    }

    const source = (node) => {
      if (node.source && typeof node.source.value === 'string') check(node, node.source.value);
    };
    return {
      ImportDeclaration: source,
      ExportNamedDeclaration: source,
      ExportAllDeclaration: source,
      ImportExpression(node) {
        if (node.source.type === 'Literal' && typeof node.source.value === 'string')
          check(node, node.source.value);
      },
    };
  },
};

/**
 * Where a path lies inside the server: its layer (the first folder under the server's
 * root, or null for the root's own files), the feature (for features/<name>/...) and the
 * rest of the path inside it. Undefined outside the server.
 */
function locate(rootDir, file) {
  const rel = path.relative(rootDir, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  const parts = rel.split(path.sep);
  if (parts.length === 1) return { layer: null, feature: null, rest: parts[0] };
  const layer = parts[0];
  if (layer === 'features') return { layer, feature: parts[1] ?? null, rest: parts.slice(2).join('/') };
  return { layer, feature: null, rest: parts.slice(1).join('/') };
}

export default { rules: { 'server-layers': serverLayers } };
