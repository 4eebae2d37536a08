import { createRouter, createWebHistory } from 'vue-router'
import AppLayout from './views/AppLayout.vue'

export const ROOT_ORG_ID = 1

export const routes = [
  { path: '/', redirect: `/orgs/${ROOT_ORG_ID}/dashboard` },
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
    ],
  },
  { path: '/:pathMatch(.*)*', redirect: '/' },
]

export const router = createRouter({
  history: createWebHistory(),
  routes,
})

/** The top-level section of a route: dashboard, problems or opinions. */
export function sectionOf(route) {
  return route.meta?.section || route.name || 'dashboard'
}
