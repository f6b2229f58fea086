import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import Components from 'unplugin-vue-components/vite';
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers';
import { defineConfig } from 'vite';

// The console bundles the SDK from source, so `npm run build -w @duotoken/console` needs no prior tsc build.
const source = (pkg: string) => fileURLToPath(new URL(`../../packages/${pkg}/src/index.ts`, import.meta.url));
// `npm run dev -w @duotoken/console` proxies the API to a server started with `npm start`.
const api = process.env.DUOTOKEN_CONSOLE_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/console/',
  plugins: [
    vue(),
    // Element Plus on demand: each <el-…> used in a template is imported with its own CSS, nothing else is bundled.
    Components({ resolvers: [ElementPlusResolver()], dts: 'src/components.d.ts', dirs: [] }),
  ],
  resolve: { alias: { '@duotoken/client': source('client'), '@duotoken/protocol': source('protocol') } },
  // Into the server package, which serves it at /console and ships it in its npm tarball.
  build: { outDir: '../../packages/server/console', emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
  server: { proxy: { '/auth': api, '/admin': api, '/healthz': api } },
});
