import { defineConfig } from 'vitest/config';

// One vitest for the whole repo (`pnpm vitest`): each package is a project; `repo` holds repository-wide checks.
// `pnpm test` runs the same projects through turbo, package by package, plus `repo`.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', { test: { name: 'repo', include: ['test/**/*.test.ts'] } }],
  },
});
