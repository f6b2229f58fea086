import { createRouter, createWebHashHistory, type RouteLocationNormalized } from 'vue-router';
import { t, type MessageKey } from './i18n/i18n.js';
import AppShell from './layout/AppShell.vue';
import LoginPage from './pages/LoginPage.vue';
import { isAnyAdmin, isPlatformAdmin, session } from './state/session-state.js';

/** Who may open a page: anyone signed in, any admin (platform or company), or platform admins only. */
type Access = 'self' | 'admin' | 'platform';

declare module 'vue-router' {
  interface RouteMeta {
    access?: Access;
    title?: MessageKey;
  }
}

/**
 * The console's pages. Admin pages are loaded on first visit (one chunk
 * each), so the sign-in page and the self-service pages stay small. Hash
 * URLs (`/console/#/users`): the server serves one index.html and needs no
 * fallback route.
 */
export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    { path: '/login', component: LoginPage, meta: { title: 'login.title' } },
    {
      path: '/',
      component: AppShell,
      children: [
        { path: '', component: { render: () => null }, meta: { access: 'self' } },
        { path: 'overview', component: () => import('./pages/OverviewPage.vue'), meta: { access: 'platform', title: 'nav.overview' } },
        { path: 'users', component: () => import('./pages/users/UsersPage.vue'), meta: { access: 'admin', title: 'nav.users' } },
        { path: 'users/:id', component: () => import('./pages/users/UserDetailPage.vue'), meta: { access: 'admin', title: 'nav.users' } },
        {
          path: 'companies',
          component: () => import('./pages/companies/CompaniesPage.vue'),
          meta: { access: 'admin', title: 'nav.companies' },
        },
        {
          path: 'companies/:id',
          component: () => import('./pages/companies/CompanyDetailPage.vue'),
          meta: { access: 'admin', title: 'nav.companies' },
        },
        { path: 'sessions', component: () => import('./pages/SessionsPage.vue'), meta: { access: 'admin', title: 'nav.sessions' } },
        { path: 'audit', component: () => import('./pages/AuditPage.vue'), meta: { access: 'platform', title: 'nav.audit' } },
        { path: 'keys', component: () => import('./pages/KeysPage.vue'), meta: { access: 'platform', title: 'nav.keys' } },
        { path: 'account', component: () => import('./pages/account/AccountPage.vue'), meta: { access: 'self', title: 'nav.account' } },
        {
          path: 'account/sessions',
          component: () => import('./pages/account/MySessionsPage.vue'),
          meta: { access: 'self', title: 'nav.mySessions' },
        },
      ],
    },
    { path: '/:rest(.*)*', redirect: '/' },
  ],
});

/** Where a signed-in user lands: the first page their rights open. */
function home(): string {
  if (isPlatformAdmin.value) return '/overview';
  if (isAnyAdmin.value) return '/users';
  return '/account';
}

function allowed(to: RouteLocationNormalized): boolean {
  if (to.meta.access === 'platform') return isPlatformAdmin.value;
  if (to.meta.access === 'admin') return isAnyAdmin.value;
  return true;
}

// The UI hides what the API would refuse; the API is what enforces it.
router.beforeEach((to) => {
  const signedIn = session.tokens !== null;
  if (to.path === '/login') return signedIn ? home() : true;
  if (!signedIn) return { path: '/login', query: to.path === '/' ? {} : { redirect: to.fullPath } };
  if (to.path === '/' || !allowed(to)) return home();
  return true;
});

router.afterEach((to) => {
  document.title = to.meta.title ? `${t(to.meta.title)} · duotoken` : 'duotoken';
});
