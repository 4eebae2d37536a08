// Components rendered to HTML (Vue's server renderer: no DOM needed) with the real i18n messages and
// Element Plus: what a person sees for a task and for a timeline.
import { describe, expect, it } from 'vitest'
import { createSSRApp, h } from 'vue'
import { renderToString } from 'vue/server-renderer'
import ElementPlus, { ID_INJECTION_KEY } from 'element-plus'
import { createI18n } from 'vue-i18n'
import zhCN from '../locales/zh-CN.js'
import en from '../locales/en.js'
import TaskCard from './TaskCard.vue'
import TimelineList from './TimelineList.vue'
import KeyFigure from './KeyFigure.vue'

async function render(component, props, locale = 'zh-CN') {
  const app = createSSRApp({ render: () => h(component, props) })
  app.use(ElementPlus)
  app.provide(ID_INJECTION_KEY, { prefix: 1024, current: 0 })
  app.use(createI18n({ legacy: false, locale, fallbackLocale: 'zh-CN', messages: { 'zh-CN': zhCN, en } }))
  return renderToString(app)
}
const text = (html) => html.replace(/<[^>]+>/g, ' ').replace(/&nbsp;/g, ' ').replace(/\s+/g, ' ')

const task = {
  id: 11,
  round: 1,
  title: '组织清理闽江沿岸垃圾',
  org_id: 16,
  responsible_person: '王五',
  lead_official: null,
  type: 'time_bound',
  due_at: '2030-12-31T00:00:00+08:00',
  review_dates: [],
  status: 'returned',
  progress: 60,
  return_reason: '照片不清晰',
  next_actions: ['start', 'report', 'attach_evidence', 'edit'],
}
const evidence = [
  {
    id: 5,
    original_name: '现场.jpg',
    size_bytes: 2048,
    uploaded_by: 'e2e',
    uploaded_at: '2030-01-05T10:00:00+08:00',
    content_url: '/api/v1/evidence/5/content',
  },
]
const reports = [
  { id: 1, reported_at: '2030-01-04T09:00:00+08:00', text: '已清理一半', percent: 50, actor: 'e2e', evidence_ids: [] },
  { id: 2, reported_at: '2030-01-05T10:00:00+08:00', text: '已清理大部分', percent: 60, actor: 'e2e', evidence_ids: [5] },
]

describe('TaskCard', () => {
  it('shows the task, its return reason, newest report first with its file, and the offered steps', async () => {
    const html = await render(TaskCard, { task, reports, evidence, actions: ['start', 'report'], orgName: '福州市' })
    const t = text(html)
    expect(t).toContain('组织清理闽江沿岸垃圾')
    expect(t).toContain('已退回')
    expect(t).toContain('限期整改')
    expect(t).toContain('2030-12-31')
    expect(t).toContain('福州市')
    expect(t).toContain('照片不清晰')
    expect(t.indexOf('已清理大部分')).toBeLessThan(t.indexOf('已清理一半'))
    expect(html).toContain('href="/api/v1/evidence/5/content"')
    expect(t).toContain('现场.jpg')
    expect(t).toContain('2.0 KB')
    expect(t).toContain('开始整改')
    expect(t).toContain('报送进展')
    expect(t).not.toContain('申请销号')
    expect(html).toContain('data-status="returned"')
  })
  it('speaks English', async () => {
    const t = text(await render(TaskCard, { task, reports: [], evidence: [], actions: ['start'] }, 'en'))
    expect(t).toContain('Returned')
    expect(t).toContain('Time-bound')
    expect(t).toContain('No progress reported yet')
    expect(t).toContain('Start')
  })
})

describe('TimelineList', () => {
  it('shows each entry with its action, status change, reason, detail and the 历史 mark', async () => {
    const entries = [
      { at: '2020-05-01T10:00:00+08:00', entity: 'problem', entity_id: 7, action: 'registered', actor: 'import', historical: true, detail: {} },
      {
        at: '2030-01-05T10:00:00+08:00',
        entity: 'task',
        entity_id: 11,
        action: 'report',
        actor: 'e2e',
        from: 'in_progress',
        to: 'in_progress',
        detail: { percent: 60, text: '已清理大部分' },
        event_id: 40,
      },
      { at: '2030-01-06T10:00:00+08:00', entity: 'task', entity_id: 11, action: 'return', actor: 'v', from: 'submitted', to: 'returned', reason: '照片不清晰', event_id: 41 },
    ]
    const html = await render(TimelineList, { entries })
    const t = text(html)
    expect((html.match(/<li class="el-timeline-item/g) || []).length).toBe(3)
    expect([...html.matchAll(/data-action="(\w+)"/g)].map((m) => m[1])).toEqual(['registered', 'report', 'return'])
    expect(t).toContain('登记')
    expect(t).toContain('历史')
    expect(t).toContain('报送进展')
    expect(t).toContain('60% · 已清理大部分')
    expect(t).toContain('已申请销号 → 已退回')
    expect(t).toContain('理由: 照片不清晰')
    expect(t).toContain('措施 #11')
  })
  it('says so when there is nothing', async () => {
    expect(text(await render(TimelineList, { entries: [] }))).toContain('暂无记录')
  })
})

describe('KeyFigure', () => {
  it('shows the value, the numerator/denominator hint and what it counts on hover', async () => {
    const html = await render(KeyFigure, {
      label: '已销号 / 销号率',
      value: '835',
      hint: '100.0% · 835/835',
      title: '销号率 = 已销号 ÷（问题总数 − 不属实 − 已合并）',
      clickable: true,
    })
    expect(text(html)).toContain('已销号 / 销号率 835 100.0% · 835/835')
    expect(html).toContain('title="销号率 = 已销号 ÷（问题总数 − 不属实 − 已合并）"')
    expect(html).toContain('role="link"')
  })
  it('has no title or link role when there is nothing to explain or open', async () => {
    const html = await render(KeyFigure, { label: '临期', value: '0' })
    expect(html).not.toContain('title=')
    expect(html).not.toContain('role="link"')
  })
})

describe('TaskCard supervision', () => {
  const supervision = {
    task_id: 11,
    task_status: 'returned',
    warning: { level: 'red', stalled: true, working_days: 3, last_activity_at: '2030-12-20T09:00:00+08:00' },
    steps: [
      {
        id: 1,
        kind: 'urge',
        automatic: true,
        reason: '已超过办理期限，系统自动催办。',
        number: null,
        actor: 'scheduler',
        at: '2031-01-02T09:00:00+08:00',
      },
      {
        id: 2,
        kind: 'supervise',
        automatic: false,
        reason: '催办后仍未办结',
        number: '督办〔2031〕3号',
        feedback_due_at: '2031-01-08T23:59:59+08:00',
        feedback_every_days: 7,
        actor: 'fuzhou.supervisor',
        at: '2031-01-06T10:30:00+08:00',
      },
    ],
  }

  it('shows the warning tags, the steps newest first (number, when, who, why, feedback) and the ladder buttons', async () => {
    const html = await render(TaskCard, { task, supervision, ladder: ['urge', 'supervise', 'interview'] })
    const s = text(html)
    expect(s).toContain('红色预警')
    expect(s).toContain('停滞')
    expect(s).toContain('催办督办记录 (2)')
    expect(s).toContain('督办〔2031〕3号 2031-01-06 10:30 · fuzhou.supervisor 催办后仍未办结 反馈期限 2031-01-08，此后每 7 天反馈一次')
    expect(s).toContain('2031-01-02 09:00 · 系统自动 已超过办理期限，系统自动催办。')
    expect(s.indexOf('督办〔2031〕3号')).toBeLessThan(s.indexOf('系统自动'))
    for (const k of ['urge', 'supervise', 'interview']) expect(html).toContain(`data-testid="task-ladder-${k}"`)
  })

  it('shows no ladder buttons and no record without them', async () => {
    const html = await render(TaskCard, { task })
    expect(html).not.toContain('task-ladder-')
    expect(html).not.toContain('data-testid="task-steps"')
    const none = text(await render(TaskCard, { task, supervision: { warning: { level: 'none', stalled: false }, steps: [] } }))
    expect(none).toContain('尚未催办、督办或约谈')
    expect(none).not.toContain('预警')
  })

  it('speaks English', async () => {
    const s = text(await render(TaskCard, { task, supervision, ladder: ['urge'] }, 'en'))
    expect(s).toContain('Red warning')
    expect(s).toContain('Supervision record (2)')
    expect(s).toContain('Feedback due 2031-01-08, then every 7 days')
    expect(s).toContain('Urge')
  })
})
