// One flat config for the whole repo. Layering is checked by test/architecture.test.ts; the rules here encode the
// STYLE.md habits that a linter can see.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.turbo/**', 'apps/bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Plain-JS fixture programs run on Node.
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        setTimeout: 'readonly',
        setInterval: 'readonly',
        console: 'readonly',
        Headers: 'readonly',
        Request: 'readonly',
        Response: 'readonly',
      },
    },
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ExportAllDeclaration',
          message: 'A public API names its exports (STYLE.md #1); no `export *`.',
        },
      ],
      'no-restricted-imports': [
        'error',
        {
          paths: builtinModules.map((name) => ({
            name,
            message: `Import builtins with the node: prefix ('node:${name}').`,
          })),
          patterns: [
            {
              group: ['@mcp-gateway/*/src/*', '@mcp-gateway/*/internal*'],
              message: "Import a package's public API, never its internals.",
            },
          ],
        },
      ],
    },
  },
  {
    // The console's JSX compiles to calls of `h` and `Fragment` (packages/console/src/html.ts), unseen by the rule.
    files: ['**/*.tsx'],
    rules: { '@typescript-eslint/no-unused-vars': ['error', { varsIgnorePattern: '^(h|Fragment)$' }] },
  },
);
