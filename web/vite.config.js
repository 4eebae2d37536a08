import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The C++ server (rectify serve) listens on 8080 by default; the dev server
// forwards API and health calls to it so the UI runs on one origin.
const backend = process.env.RECTIFY_BACKEND || 'http://127.0.0.1:8080'

export default defineConfig({
  plugins: [vue()],
  server: {
    proxy: {
      '/api': { target: backend, changeOrigin: true },
      '/healthz': { target: backend, changeOrigin: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    rolldownOptions: {
      output: {
        // Keep the large libraries in their own long-cacheable chunks
        // (Vite 8 / rolldown's replacement for rollup's manualChunks).
        codeSplitting: {
          groups: [
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender)[\\/]/, priority: 30 },
            { name: 'element-plus', test: /node_modules[\\/](element-plus|@element-plus|@floating-ui|@popperjs|async-validator|dayjs|lodash|lodash-es|lodash-unified|@vueuse|memoize-one|normalize-wheel-es|@ctrl)[\\/]/, priority: 20 },
            { name: 'vue', test: /node_modules[\\/](vue|@vue|vue-router|pinia|vue-i18n|@intlify|vue-demi)[\\/]/, priority: 10 },
          ],
        },
      },
    },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.js'],
  },
})
