// Pure helpers of the public portal (views/PortalView.vue); rules in docs/PUBLIC.md.

// The tracking code alphabet (domain::kTrackingAlphabet): digits 2-9, capitals without I, L, O.
export const TRACKING_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ'

/**
 * What a person typed, as the server's display form "ABCD-EFGH-JKMN", or null when it cannot be a code
 * (the server says why). Case, dashes and spaces do not matter.
 */
export function normaliseTrackingCode(typed) {
  const s = String(typed || '')
    .toUpperCase()
    .replace(/[\s\u3000-]/g, '')
  if (s.length !== 12 || [...s].some((c) => !TRACKING_ALPHABET.includes(c))) return null
  return `${s.slice(0, 4)}-${s.slice(4, 8)}-${s.slice(8, 12)}`
}

// Element Plus tag types of the public statuses.
const STATUS_TAGS = {
  received: 'info',
  in_progress: 'warning',
  answered: 'success',
  closed: 'success',
  declined: 'danger',
  duplicate: 'info',
}
export function statusTagType(status) {
  return STATUS_TAGS[status] || 'info'
}

/** The deepest division chosen in the cascading pickers (an array of codes, some empty), or ''. */
export function chosenDivision(levels) {
  const chosen = (levels || []).filter((c) => c)
  return chosen.length ? chosen[chosen.length - 1] : ''
}

/** Only the leaves of the catalogue can be chosen; labelled by their path ("城乡建设/市政设施/路灯"). */
export function categoryOptions(categories) {
  const parents = new Set((categories || []).map((c) => c.parent_id).filter((p) => p !== null && p !== undefined))
  return (categories || [])
    .filter((c) => !parents.has(c.id))
    .map((c) => ({ value: c.id, label: c.path }))
    .sort((a, b) => a.label.localeCompare(b.label, 'zh-CN'))
}

/** A data: URL (FileReader.readAsDataURL) as the API's photo object, or null when it is not base64. */
export function photoFromDataUrl(dataUrl, name) {
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(String(dataUrl || ''))
  if (!m) return null
  return { content_type: m[1], name: name || 'photo', data: m[2] }
}

/** The filing body from the form (empty optional fields left out). */
export function filingBody(form) {
  const body = { category_id: form.categoryId, title: form.title.trim(), text: form.text.trim() }
  const division = chosenDivision(form.divisions)
  if (division) body.division_code = division
  if (form.address && form.address.trim()) body.address = form.address.trim()
  const contact = {}
  for (const k of ['name', 'phone', 'email']) {
    if (form.contact?.[k] && form.contact[k].trim()) contact[k] = form.contact[k].trim()
  }
  if (Object.keys(contact).length) body.contact = contact
  if (form.photo) body.photo = form.photo
  return body
}
