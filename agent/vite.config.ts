import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The pupil-facing pages (AUP, and later the "turn the screen off and tell" cover and
// teacher messages). The agent's local UI server (src/core/ui-server.ts) serves the build.
export default defineConfig({
  root: fileURLToPath(new URL('./src/browser', import.meta.url)),
  plugins: [react()],
  resolve: {
    alias: {
      '@harbour/shared': fileURLToPath(new URL('../shared/src/index.ts', import.meta.url)),
    },
  },
  build: {
    outDir: fileURLToPath(new URL('./dist/browser', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
  },
});
