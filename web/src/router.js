import { createRouter, createWebHistory } from 'vue-router'
import AppLayout from './views/AppLayout.vue'
import { useAuthStore } from './stores/auth.js'

export const routes = [
  // The user's home: the dashboard of the first org of their scope (the guard below resolves it).
  { path: '/', name: 'home', component: AppLayout },
  // The public portal (issue 9): no login, and the guard below does not even ask for the session.
  { path: '/portal', name: 'portal', component: () => import('./views/PortalView.vue'), meta: { public: true, portal: true } },
  { path: '/login', name: 'login', component: () => import('./views/LoginView.vue'), meta: { public: true } },
  { path: '/password', name: 'password', component: () => import('./views/ChangePassword.vue') },
  {
    path: '/orgs/:orgId(\\d+)',
    component: AppLayout,
    props: true,
    children: [
      { path: '', redirect: (to) => `/orgs/${to.params.orgId}/dashboard` },
      { path: 'dashboard', name: 'dashboard', component: () => import('./views/DashboardView.vue') },
      { path: 'problems', name: 'problems', component: () => import('./views/ProblemList.vue') },
      {
        path: 'problems/:problemId(\\d+)',
        name: 'problem',
        component: () => import('./views/ProblemDetail.vue'),
        meta: { section: 'problems' },
      },
      { path: 'opinions', name: 'opinions', component: () => import('./views/OpinionList.vue') },
      {
        path: 'opinions/:opinionId(\\d+)',
        name: 'opinion',
        component: () => import('./views/OpinionDetail.vue'),
        meta: { section: 'opinions' },
      },
      { path: 'supervision', name: 'supervision', component: () => import('./views/SupervisionView.vue') },
      { path: 'rates', name: 'rates', component: () => import('./views/OpinionRatesView.vue') },
      // 专项整治 (issue 5, docs/LINKAGE.md#campaigns): campaigns, their items and figures by item and batch.
      { path: 'campaigns', name: 'campaigns', component: () => import('./views/CampaignsView.vue') },
      { path: 'study', name: 'study', component: () => import('./views/StudyView.vue') },
      // 管理 (admin) screens; the API refuses non-admins and the screen says so.
      {
        path: 'admin/routing-rules',
        name: 'routing-rules',
        component: () => import('./views/RoutingRulesView.vue'),
        meta: { section: 'routing-rules' },
      },
      { path: 'bulletins', name: 'bulletins', component: () => import('./views/BulletinList.vue') },
      { path: 'ledger-import', name: 'ledgerImport', component: () => import('./views/LedgerImport.vue') },
      {
        path: 'bulletins/:bulletinId(\\d+)',
        name: 'bulletin',
        component: () => import('./views/BulletinDetail.vue'),
        meta: { section: 'bulletins' },
      },
      { path: 'notifications', name: 'notifications', component: () => import('./views/NotificationsView.vue') },
      { path: 'teams', name: 'teams', component: () => import('./views/TeamsView.vue') },
      // Issue 12: 个人检视 lists and the cause categories (管理).
      { path: 'self-inspection', name: 'selfInspection', component: () => import('./views/SelfInspectionView.vue') },
      {
        path: 'admin/cause-categories',
        name: 'cause-categories',
        component: () => import('./views/CauseCategoriesView.vue'),
        meta: { section: 'cause-categories' },
      },
      { path: 'webhooks', name: 'webhooks', component: () => import('./views/WebhooksView.vue') },
    ],
  },
  { path: '/:pathMatch(.*)*', redirect: '/' },
]

export const router = createRouter({
  history: createWebHistory(),
  routes,
})

// Every page but the login needs a session; an account whose password was set by someone else goes
// to the password page first (the server refuses everything else meanwhile).
router.beforeEach(async (to) => {
  // The portal calls only /api/v1/public: no GET /api/v1/session either.
  if (to.meta.portal) return true
  const auth = useAuthStore()
  if (!auth.loaded) {
    try {
      await auth.load()
    } catch {
      /* the server is unreachable: the login page says so when it is used */
    }
  }
  if (to.meta.public) {
    if (to.name === 'login' && auth.session && !auth.mustChange && auth.homeOrgId !== null) {
      return `/orgs/${auth.homeOrgId}/dashboard`
    }
    return true
  }
  if (!auth.session) return { name: 'login', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } }
  if (auth.mustChange && to.name !== 'password') return { name: 'password' }
  if (to.name === 'home') return auth.homeOrgId !== null ? `/orgs/${auth.homeOrgId}/dashboard` : { name: 'password' }
  return true
})

/** The top-level section of a route: dashboard, problems, opinions, supervision, rates, campaigns, bulletins, notifications, teams, webhooks, routing-rules or ledgerImport. */
export function sectionOf(route) {
  return route.meta?.section || route.name || 'dashboard'
}
