// ESLint for every TypeScript and JavaScript source, run by `npm run lint`. The linters live in their own npm project,
// tools/lint: typescript-eslint parses with TypeScript's JS API, which the build's TypeScript 7 no longer ships, so
// they bring TypeScript 6 where the build cannot see it.
import { createRequire } from 'node:module';

const lint = createRequire(new URL('./tools/lint/package.json', import.meta.url));
const js = lint('@eslint/js');
const tseslint = lint('typescript-eslint');
const globals = lint('globals');

export default [
  { ignores: ['**/node_modules/', 'dist/', 'runtime-layer/dist/', '**/cdk.out/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: globals.node },
    // `const { omitted, ...rest } = value` is how an object is copied without some keys.
    rules: { '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }] },
  },
  // Plain .js files are CommonJS (the bench runner, the example and test apps): require is how they import.
  { files: ['**/*.js'], languageOptions: { sourceType: 'commonjs' }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
];
