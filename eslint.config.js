// Shared lint config for the whole monorepo: type-aware typescript-eslint, formatting left to Prettier.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.next/**',
      '**/.turbo/**',
      '**/src/generated/**',
      '**/next-env.d.ts',
      'data/**',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  // Boundaries between packages (issue 13): only @ganmod/db knows Prisma; nothing reaches into
  // an app; the dashboard's server and pages take only the TF-free entries of the packages.
  {
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['packages/db/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@prisma/*', '**/generated/sqlite/*', '**/generated/postgres/*'],
              message: 'Only @ganmod/db talks to Prisma: import its client and types from there.',
            },
            {
              group: [
                '@ganmod/dashboard',
                '@ganmod/dashboard/*',
                '@ganmod/trainer',
                '@ganmod/trainer/*',
              ],
              message: 'Apps are not libraries: move what you need into a package.',
            },
            {
              group: ['**/apps/*/src/**', '**/apps/*/server/**'],
              message: 'Apps are not libraries: move what you need into a package.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['apps/dashboard/src/**/*.{ts,tsx}', 'apps/dashboard/server/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@ganmod/db',
              message: 'The dashboard takes @ganmod/db/client (no migration engine).',
            },
            {
              name: '@ganmod/gan-core',
              message: 'TF.js-free entries only: @ganmod/gan-core/config or /latent.',
            },
            {
              name: '@ganmod/datasets',
              message: 'TF.js-free entries only: @ganmod/datasets/spec, /root or /prng.',
            },
            {
              name: '@ganmod/moderation',
              message: 'TF.js-free entry only: @ganmod/moderation/contract.',
            },
          ],
          patterns: [
            {
              group: ['@prisma/*', '**/generated/sqlite/*', '**/generated/postgres/*'],
              message: 'Only @ganmod/db talks to Prisma: import its client and types from there.',
            },
            {
              group: ['@ganmod/trainer', '@ganmod/trainer/*', '**/apps/trainer/**'],
              message: 'Apps are not libraries: move what you need into a package.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: globals.node,
    },
  },
  prettier,
);
