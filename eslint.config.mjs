import nx from '@nx/eslint-plugin';

/**
 * One lint configuration for the whole workspace. Warnings fail the build
 * (every lint target runs with maxWarnings 0), so nothing here is advisory.
 */
export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/node_modules', '**/coverage', 'infra/.cache', 'infra/.data', '.nx'],
  },
  {
    files: ['**/*.ts'],
    rules: {
      // Module boundaries over project tags (see STYLE.md "Layout"): an app may use libs,
      // a lib never an app, contracts depend on nothing.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: [],
          depConstraints: [
            {
              sourceTag: 'type:app',
              onlyDependOnLibsWithTags: ['type:util', 'type:messaging', 'type:contracts'],
            },
            {
              sourceTag: 'type:util',
              onlyDependOnLibsWithTags: ['type:util', 'type:contracts'],
            },
            {
              sourceTag: 'type:messaging',
              onlyDependOnLibsWithTags: ['type:messaging', 'type:util', 'type:contracts'],
            },
            {
              sourceTag: 'type:contracts',
              onlyDependOnLibsWithTags: [],
              bannedExternalImports: [
                '@nestjs/*',
                'kafkajs',
                'nats',
                'mqtt',
                'typeorm',
                'pg',
                'pino*',
                'prom-client',
              ],
            },
            {
              // The broker core (libs/messaging) knows nothing of NestJS: the Nest wiring lives
              // in libs/nest-messaging, so a service on another framework can reuse the core.
              sourceTag: 'scope:framework-free',
              bannedExternalImports: ['@nestjs/*'],
            },
            {
              sourceTag: 'type:testing',
              onlyDependOnLibsWithTags: ['type:util', 'type:messaging', 'type:contracts'],
            },
            {
              sourceTag: 'type:e2e',
              onlyDependOnLibsWithTags: [
                'type:util',
                'type:messaging',
                'type:contracts',
                'type:testing',
              ],
            },
            {
              sourceTag: 'type:tool',
              onlyDependOnLibsWithTags: [
                'type:util',
                'type:messaging',
                'type:contracts',
                'type:testing',
              ],
            },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      'no-console': 'error',
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    // Tests may import the testing harness and use non-null assertions on values they just asserted.
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@nx/enforce-module-boundaries': [
        'error',
        {
          allow: [],
          depConstraints: [
            {
              sourceTag: '*',
              onlyDependOnLibsWithTags: [
                'type:util',
                'type:messaging',
                'type:contracts',
                'type:testing',
              ],
            },
          ],
        },
      ],
    },
  },
  {
    files: ['tools/**/*.ts', 'infra/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
];
