// Enumerations of the API (values as the server sends them). Their labels live
// in the locale files under `enum.<group>.<value>`.

export const PROBLEM_STATUSES = [
  'registered',
  'planned',
  'in_progress',
  'pending_verification',
  'closed',
  'invalid',
  'merged',
]

export const PROBLEM_SOURCES = [
  'public_opinion',
  'self_inspection',
  'supervision_feedback',
  'superior_assignment',
  'inspection_tour',
  'audit',
  'meeting',
  'other',
]

export const OPINION_CHANNELS = [
  'web',
  'phone',
  'mobile_app',
  'wechat',
  'qq',
  'sms',
  'weibo',
  'email',
  'message_board',
  'letter',
  'visit',
  'meeting',
  'survey',
  'research_visit',
  'other',
]

export const OPINION_KINDS = ['complaint', 'inquiry', 'suggestion', 'report', 'request_for_help', 'other']

export const OPINION_STATUSES = ['received', 'accepted', 'declined', 'duplicate']

export const ORG_LEVELS = ['central', 'province', 'city', 'county', 'township', 'village', 'unit']

/** Kinds of org (单位类型, 分类指导: docs/LINKAGE.md); labels under `enum.orgKind`. */
export const ORG_KINDS = ['party_gov_agency', 'public_institution', 'state_enterprise', 'school', 'rural', 'urban_community', 'non_public', 'other']

/** An org's batch (第一批 / 第二批 of a campaign, docs/LINKAGE.md#campaigns): 0 none, 1 first, 2 second. */
export const ORG_BATCHES = [1, 2, 0]

export const SEVERITIES = ['normal', 'serious', 'critical']

// Colours of the problem statuses, shared by the donut chart and the tags.
export const STATUS_COLORS = {
  registered: '#909399',
  planned: '#409eff',
  in_progress: '#e6a23c',
  pending_verification: '#9b59b6',
  closed: '#67c23a',
  invalid: '#c0c4cc',
  merged: '#73767a',
}

// Element Plus tag type per status.
export const STATUS_TAG_TYPES = {
  registered: 'info',
  planned: 'primary',
  in_progress: 'warning',
  pending_verification: 'warning',
  closed: 'success',
  invalid: 'info',
  merged: 'info',
}

/**
 * Label of an enum value through the i18n translate function `t` and
 * existence check `te`; falls back to the raw value (the server may add values
 * before the UI knows them).
 */
export function enumLabel(t, te, group, value) {
  if (value === null || value === undefined || value === '') return ''
  const key = `enum.${group}.${value}`
  return te(key) ? t(key) : String(value)
}

// Roles of an account (docs/SECURITY.md#roles).
export const ROLES = ['admin', 'org_admin', 'clerk', 'reviewer', 'verifier', 'supervisor', 'leader', 'auditor']
