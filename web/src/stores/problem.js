// The open problem (detail screen): the problem, its tasks with their progress reports and evidence,
// and its timeline. Every workflow action calls the API and then reloads what it changed; errors are
// thrown (an ApiError with the server's message) for the form to show.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api } from '../api/client.js'
import { problemActions, sortTimeline } from '../lib/workflow.js'

export const useProblemStore = defineStore('problem', () => {
  const id = ref(null)
  const problem = ref(null)
  const tasks = ref([])
  const reports = ref({}) // task id -> [ProgressReport]
  const evidence = ref({}) // task id -> [Evidence]
  const supervision = ref({}) // task id -> {warning, steps} (GET /tasks/{id}/supervision), null if refused
  const timeline = ref([])
  const loading = ref(false)
  const timelineLoading = ref(false)
  const error = ref(null) // the load's error (an ApiError), shown in place of the detail

  let seq = 0

  async function loadTasks(my) {
    const res = await api.problemTasks(id.value)
    if (my !== seq) return
    const items = res.items || []
    // Each task's reports and files, in parallel.
    // A task's warning and ladder steps are extra: a refusal leaves them out, not the task.
    const [reps, evs, sups] = await Promise.all([
      Promise.all(items.map((t) => api.taskReports(t.id).then((r) => r.items || []))),
      Promise.all(items.map((t) => api.taskEvidence(t.id).then((r) => r.items || []))),
      Promise.all(items.map((t) => api.taskSupervision(t.id).catch(() => null))),
    ])
    if (my !== seq) return
    const r = {}
    const e = {}
    const s = {}
    items.forEach((t, i) => {
      r[t.id] = reps[i]
      e[t.id] = evs[i]
      s[t.id] = sups[i]
    })
    tasks.value = items
    reports.value = r
    evidence.value = e
    supervision.value = s
  }

  async function loadTimeline(my) {
    timelineLoading.value = true
    try {
      const res = await api.problemTimeline(id.value)
      if (my === seq) timeline.value = sortTimeline(res.items)
    } finally {
      if (my === seq) timelineLoading.value = false
    }
  }

  /** Loads problem `pid` (or reloads the open one) with its tasks and timeline. */
  async function load(pid = id.value) {
    const fresh = Number(pid) !== id.value
    id.value = Number(pid)
    const my = ++seq
    if (fresh) {
      problem.value = null
      tasks.value = []
      reports.value = {}
      evidence.value = {}
      supervision.value = {}
      timeline.value = []
    }
    loading.value = true
    error.value = null
    try {
      const p = await api.problem(id.value)
      if (my !== seq) return
      problem.value = p
      await Promise.all([loadTasks(my), loadTimeline(my)])
    } catch (e) {
      if (my === seq) error.value = e
      throw e
    } finally {
      if (my === seq) loading.value = false
    }
  }

  /** Runs one API step, then reloads the problem, its tasks and timeline; returns the step's answer. */
  async function act(step) {
    const out = await step()
    await load()
    return out
  }

  const version = () => problem.value?.version

  const planTask = (body) => act(() => api.createTask(id.value, body, version()))
  const closeProblem = () => act(() => api.closeProblem(id.value, version()))
  const reopenProblem = (cause, reason) => act(() => api.reopenProblem(id.value, cause, reason))
  const taskOf = (taskId) => tasks.value.find((t) => t.id === taskId)
  const startTask = (taskId) => act(() => api.startTask(taskId, taskOf(taskId)?.version))
  const submitTask = (taskId) => act(() => api.submitTask(taskId, taskOf(taskId)?.version))
  const acceptTask = (taskId, comment) => act(() => api.acceptTask(taskId, comment))
  const returnTask = (taskId, reason) => act(() => api.returnTask(taskId, reason))
  // 上下联动: escalation up, its decision, a co-owner with its task, a cascade down
  const escalate = (body) => act(() => api.escalate(id.value, body, version()))
  const escalationOf = (eid) => (problem.value?.escalations || []).find((e) => e.id === eid)
  const decideEscalation = (eid, action, body) =>
    act(() => api.decideEscalation(eid, action, body, escalationOf(eid)?.version))
  const addCoOwner = (body) => act(() => api.addCoOwner(id.value, body, version()))
  const cascadeTask = (taskId, body) => act(() => api.cascade(taskId, body, taskOf(taskId)?.version))
  // 督促指导: a ladder step (催办 / 督办 / 约谈) on a task
  const takeStep = (taskId, body) => act(() => api.takeStep(taskId, body))

  /**
   * A progress report with its files: uploads each file as evidence of the task first, then reports
   * with their ids. A file the server refuses stops the report (nothing is reported); files uploaded
   * before it stay with the task.
   */
  async function reportProgress(taskId, { text, percent, files = [] }) {
    return act(async () => {
      const ids = []
      for (const f of files) {
        const ev = await api.uploadEvidence(taskId, f)
        ids.push(ev.id)
      }
      return api.reportTask(taskId, text, percent, ids)
    })
  }

  const actions = computed(() => problemActions(problem.value))
  // Tasks of the current round first (then older rounds as history), oldest first within a round.
  const currentTasks = computed(() => tasks.value.filter((t) => t.round === problem.value?.round))
  const earlierTasks = computed(() => tasks.value.filter((t) => t.round !== problem.value?.round))

  return {
    id,
    problem,
    tasks,
    reports,
    evidence,
    supervision,
    timeline,
    loading,
    timelineLoading,
    error,
    actions,
    currentTasks,
    earlierTasks,
    load,
    planTask,
    closeProblem,
    reopenProblem,
    startTask,
    submitTask,
    acceptTask,
    returnTask,
    reportProgress,
    escalate,
    decideEscalation,
    addCoOwner,
    cascadeTask,
    takeStep,
  }
})
