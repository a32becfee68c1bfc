import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { mainFields: ['module', 'jsnext:main', 'main'] },
  ssr: { resolve: { mainFields: ['module', 'jsnext:main', 'main'] } } as never,
  test: {
    include: ['test/**/*.test.ts'],
    server: { deps: { inline: [/@tensorflow\//] } },
    testTimeout: 120_000,
  },
});
