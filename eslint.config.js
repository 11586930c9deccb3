// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '.meshgov/**', 'test/fixtures/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The core is pure: no file system, network, SDK, process or child processes.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:fs', 'node:fs/*', 'fs', 'node:child_process', 'node:net', 'node:http', 'node:https'],
              message: 'src/core is pure: side effects belong in src/adapters.',
            },
            {
              group: ['@aws-sdk/*', '@octokit/*', '@smithy/*'],
              message: 'src/core is pure: vendor SDKs belong in src/adapters.',
            },
            { group: ['**/adapters/**', '**/cli/**'], message: 'src/core must not depend on adapters or the CLI.' },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'src/core is pure: only src/cli sees the process.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Take a clock: no hidden Date.now() in the core.' },
      ],
    },
  },
);
