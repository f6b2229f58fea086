import { createApp, watch } from 'vue';
import App from './App.vue';
import { router } from './router.js';
import { session, startSession } from './state/session-state.js';
import './styles.css';

// The guards need to know who is signed in: read the stored tokens (and who I am) before the first route.
await startSession();
createApp(App).use(router).mount('#app');

// The session ended (sign-out here or in another tab, a refresh the server refused): back to sign-in.
watch(
  () => session.tokens,
  (tokens) => {
    const current = router.currentRoute.value;
    if (tokens || current.path === '/login') return;
    void router.replace({ path: '/login', query: session.notice ? { redirect: current.fullPath } : {} });
  },
);
