import { createApp } from 'vue'
import { createPinia } from 'pinia'
import {
  ElAlert,
  ElAside,
  ElBreadcrumb,
  ElBreadcrumbItem,
  ElButton,
  ElCard,
  ElCol,
  ElConfigProvider,
  ElContainer,
  ElDatePicker,
  ElDescriptions,
  ElDescriptionsItem,
  ElEmpty,
  ElForm,
  ElFormItem,
  ElHeader,
  ElInput,
  ElLink,
  ElLoading,
  ElMain,
  ElMenu,
  ElMenuItem,
  ElSubMenu,
  ElOption,
  ElRadio,
  ElRadioButton,
  ElRadioGroup,
  ElRow,
  ElScrollbar,
  ElSelect,
  ElTable,
  ElTableColumn,
  ElTag,
  ElTimeline,
  ElTimelineItem,
  ElTooltip,
  ElTree,
  ElCollapse,
  ElCollapseItem,
  ElDialog,
  ElPagination,
  ElProgress,
  ElResult,
  ElSlider,
  ElCheckbox,
  ElInputNumber,
  ElTabs,
  ElTabPane,
  ElBadge,
  ElDropdown,
  ElDropdownMenu,
  ElDropdownItem,
  ElSwitch,
  ElCheckboxGroup,
  ElDrawer,
} from 'element-plus'
import 'element-plus/dist/index.css'
import App from './App.vue'
import { router } from './router.js'
import { i18n, setLocale } from './i18n.js'
import { setUnauthorizedHandler } from './api/client.js'
import { useAuthStore } from './stores/auth.js'
import './style.css'

const app = createApp(App)
for (const c of [
  ElAlert,
  ElAside,
  ElBreadcrumb,
  ElBreadcrumbItem,
  ElButton,
  ElCard,
  ElCol,
  ElConfigProvider,
  ElContainer,
  ElDatePicker,
  ElDescriptions,
  ElDescriptionsItem,
  ElEmpty,
  ElForm,
  ElFormItem,
  ElHeader,
  ElInput,
  ElLink,
  ElMain,
  ElMenu,
  ElMenuItem,
  ElSubMenu,
  ElOption,
  ElRadio,
  ElRadioButton,
  ElRadioGroup,
  ElRow,
  ElScrollbar,
  ElSelect,
  ElTable,
  ElTableColumn,
  ElTag,
  ElTimeline,
  ElTimelineItem,
  ElTooltip,
  ElTree,
  ElCollapse,
  ElCollapseItem,
  ElDialog,
  ElPagination,
  ElProgress,
  ElResult,
  ElSlider,
  ElCheckbox,
  ElInputNumber,
  ElTabs,
  ElTabPane,
  ElBadge,
  ElDropdown,
  ElDropdownMenu,
  ElDropdownItem,
  ElSwitch,
  ElCheckboxGroup,
  ElDrawer,
]) {
  // Registered by name: sub-components (ElRadioButton, ElMenuItem, ...) have a
  // no-op install(), so app.use() would not register them.
  app.component(c.name, c)
}
app.use(ElLoading) // v-loading directive
app.use(createPinia())
app.use(i18n)
// A 401 from any API call means the session ended (logout elsewhere, expiry, password change):
// forget it and go to the login page, coming back here afterwards.
setUnauthorizedHandler(() => {
  useAuthStore().clear()
  const current = router.currentRoute.value
  if (current.name !== 'login') router.push({ name: 'login', query: { redirect: current.fullPath } })
})
app.use(router)
setLocale(i18n.global.locale.value)
app.mount('#app')
