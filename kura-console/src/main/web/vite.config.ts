import { defineConfig } from 'vite';

// The app is served by Kura's admin port under /console/; build.sh passes the jar's resource
// directory as KURA_CONSOLE_OUT (Maven: target/classes/dev/kura/console/app).
export default defineConfig({
  base: '/console/',
  build: {
    outDir: process.env.KURA_CONSOLE_OUT ?? 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    modulePreload: { polyfill: false },
  },
});
