// Lint rules that keep the layers of DESIGN.md apart. A folder may only import what its layer
// allows; the rule fails `npm test` when an import crosses a line.
import tseslint from 'typescript-eslint';

// Only our own (relative) imports are restricted: `kubernetes-types/storage/v1.js` is fine in src/api.
const layer = (files, forbidden, why) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: `^\\.{1,2}/(?:.*/)?(?:${forbidden.map((f) => f.replaceAll('*', '').replaceAll('/', '')).join('|')})(?:/|$)`,
            message: why,
          },
        ],
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/results/**'] },
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    plugins: { '@typescript-eslint': tseslint.plugin },
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
    },
  },
  layer(['src/api/**/*.ts'], ['**/storage/**', '**/apiserver/**', '**/auth/**', '**/client/**', '**/controllers/**', '**/scheduler/**', '**/kubelet/**', '**/proxy/**', '**/cli/**'],
    'src/api imports nothing of ours outside src/api.'),
  layer(['src/storage/**/*.ts'], ['**/apiserver/**', '**/controllers/**', '**/scheduler/**', '**/kubelet/**', '**/proxy/**', '**/cli/**', '**/client/**'],
    'storage is below the API server and knows nothing of its clients.'),
  layer(['src/apiserver/**/*.ts'], ['**/controllers/**', '**/scheduler/**', '**/kubelet/**', '**/proxy/**', '**/cli/**'],
    'the API server never imports its clients (controllers, scheduler, kubelet, proxy).'),
  layer(['src/client/**/*.ts'], ['**/apiserver/**', '**/storage/**', '**/controllers/**', '**/scheduler/**', '**/kubelet/**', '**/proxy/**', '**/cli/**'],
    'the client library talks to the API server only over a transport.'),
  layer(['src/controllers/**/*.ts', 'src/scheduler/**/*.ts', 'src/descheduler/**/*.ts', 'src/kubelet/**/*.ts', 'src/proxy/**/*.ts'], ['**/apiserver/**', '**/storage/**'],
    'components are clients of the API server: use src/client, never apiserver/ or storage/.'),
);
