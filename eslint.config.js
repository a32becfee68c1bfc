// ESLint (flat config). Formatting is Prettier's (.prettierrc); this file holds the rules that
// find mistakes, the import order and the source tree's floors (docs/architecture.md).
import { readFileSync } from 'node:fs';
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** src/'s folders, bottom to top. */
const FLOORS = JSON.parse(readFileSync(new URL('./src/floors.json', import.meta.url), 'utf8'));

/**
 * The floors as import-x zones: a folder of src/ may import its own files and the folders below
 * it, never one above (test/architecture/floors.test.ts checks the same from the source text,
 * test/architecture/lint.test.ts that this rule fires).
 */
const floorZones = FLOORS.slice(0, -1).map((floor, i) => ({
  target: `./src/${floor}`,
  from: FLOORS.slice(i + 1).map((above) => `./src/${above}`),
  message: `src/${floor} is below ${FLOORS.slice(i + 1).join(', ')} (docs/architecture.md).`,
}));

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'docs/api/',
      'models/',
      'python/',
      'runs/',
      'checkpoints/',
      'bench/results/',
      '**/node_modules/',
      'examples/*/dist/',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    plugins: { 'import-x': importX },
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'] })],
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // Registration modules (gradients, kernels) are imported for their side effects.
      '@typescript-eslint/no-unused-expressions': ['error', { allowShortCircuit: true, allowTernary: true }],
      'import-x/no-duplicates': 'error',
      'import-x/first': 'error',
      'import-x/order': [
        'error',
        {
          groups: ['builtin', 'external', ['internal', 'parent', 'sibling', 'index']],
          alphabetize: { order: 'asc', caseInsensitive: true },
          'newlines-between': 'never',
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { 'import-x/no-restricted-paths': ['error', { zones: floorZones }] },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
