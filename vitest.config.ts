import { defineConfig } from 'vitest/config';

// One vitest for the whole repo (`pnpm vitest`): each package is a project; `repo` holds repository-wide checks and
// the tests of the whole product (the packed CLI, the container, the service files), which run once, after the
// packages' own tests (`pnpm test` runs the same projects through turbo, package by package, then `repo`).
export default defineConfig({
  test: {
    projects: [
      'packages/*',
      'apps/*',
      {
        test: {
          name: 'repo',
          include: ['test/**/*.test.ts'],
          // Builds (a tarball, container images) take minutes on a cold machine.
          testTimeout: 600_000,
          hookTimeout: 600_000,
          // One at a time: each of these loads the machine alone.
          fileParallelism: false,
        },
      },
    ],
  },
});
