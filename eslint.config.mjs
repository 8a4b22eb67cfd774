// Type-aware lint for src/ and test/; formatting is Prettier's job (eslint-config-prettier turns off style rules).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const DATABASE_IMPORT_MESSAGE =
  'Queries belong in the repository of the module that owns the table (*.repository.ts) or in src/common/database.';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/generated/**', '.local/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      // An async method is often the interface's shape (ProviderAdapter.verify, OnApplicationShutdown) without an await.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.repository.ts', 'src/common/database/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'pg', message: DATABASE_IMPORT_MESSAGE }],
          patterns: [{ regex: '(^|/)database/prisma\\.service$', message: DATABASE_IMPORT_MESSAGE }],
        },
      ],
    },
  },
  {
    // Tests assert on HTTP answers and rows, which are untyped JSON by nature; `expect` is their type check.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', 'prisma.config.ts'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off', 'no-redeclare': ['error', { builtinGlobals: false }] },
  },
  { files: ['**/*.mjs'], languageOptions: { sourceType: 'module' } },
  // The console's progressive enhancement runs in the browser.
  { files: ['src/console/assets/**/*.js'], languageOptions: { sourceType: 'script', globals: { ...globals.browser } } },
  prettier,
);
