/** Plans as a person reads them: what changes, counted and sampled (`+ add 847 users to 10 workspaces`). */
import type { BudgetPolicy, Engine, FileCleanup, KeyHygiene, MembershipPlan, PlanFile } from "../jobs/index.ts"

/** 1.1 GB, 12 KB, 512 B (decimal units). */
export const formatBytes = (bytes: number) => {
  const units = ["B", "KB", "MB", "GB", "TB"]
  let value = bytes
  let unit = 0
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000
    unit++
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`
const sample = (ids: ReadonlyArray<string>, n = 3) => ids.length === 0 ? "" : ` (e.g. ${ids.slice(0, n).join(", ")}${ids.length > n ? ", …" : ""})`

const membership = (plan: MembershipPlan): Array<string> => {
  const add = plan.direction === "add"
  const [sign, verb, preposition] = add ? ["+", "add", "to"] : ["-", "remove", "from"]
  const users = new Set(plan.workspaces.flatMap((w) => w.chunks.flat()))
  const touched = plan.workspaces.filter((w) => w.chunks.length > 0 || w.create)
  const lines = [
    `${sign} ${verb} ${plural(users.size, "user")} ${preposition} ${plural(touched.length, "workspace")} (${plural(plan.calls, "call")})`
  ]
  for (const w of plan.workspaces) {
    const ids = w.chunks.flat()
    if (w.create) lines.push(`  + create workspace ${w.slug}, then add ${plural(ids.length, "user")}`)
    else if (ids.length > 0) lines.push(`  ${sign} ${w.slug}: ${plural(ids.length, "user")}${sample(ids)}`)
  }
  const unchanged = plan.workspaces.reduce((n, w) => n + w.unchanged.length, 0)
  if (unchanged > 0) lines.push(`  = ${unchanged} already ${add ? "members" : "not members"} (left alone)`)
  if (!add) lines.push(...access(plan))
  if (add && "guardrail" in plan && plan.guardrail) {
    const g = plan.guardrail
    lines.push(`  + assign guardrail ${g.name} (${g.slug}) to ${plural(g.assign.length, "user")}${sample(g.assign)}`)
    if (g.unchanged.length > 0) lines.push(`  = ${g.unchanged.length} already assigned to it (left alone)`)
  }
  if (add && "budgets" in plan.spec && plan.spec.budgets) {
    const budgets = Object.entries(plan.spec.budgets).map(([interval, usd]) => `${interval} ${usd} USD`).join(", ")
    lines.push(`  ~ budgets where they differ: ${budgets}`)
  }
  if (plan.problems.length > 0) {
    lines.push(
      `  ! ${plural(plan.problems.length, "problem")}: ${plan.problems.slice(0, 5).map((p) => `${p.key} (${p.reason ?? p.outcome})`).join(", ")}${
        plan.problems.length > 5 ? ", …" : ""
      }`
    )
  }
  return lines
}

/** At most this many keys are listed one per line; the rest are counted (all of them are in --json and --out). */
const LISTED = 100

/** Offboarding: each key to disable or delete (name, label, workspace) and each guardrail to unassign. */
const access = (plan: MembershipPlan): Array<string> => {
  const mode = ("keys" in plan.spec && plan.spec.keys) || "disable"
  const keys = plan.workspaces.flatMap((w) => (w.keys ?? []).map((k) => ({ ...k, slug: w.slug })))
  const unassign = plan.workspaces.flatMap((w) => (w.unassign ?? []).map((u) => ({ ...u, slug: w.slug })))
  const lines: Array<string> = []
  if (keys.length > 0) {
    lines.push(`  - first ${mode} ${plural(keys.length, "key")} of theirs (active keys keep a member from being removed):`)
    for (const k of keys.slice(0, LISTED)) lines.push(`    - ${k.name}  ${k.label}  ${k.slug}  (${k.userId})`)
    if (keys.length > LISTED) lines.push(`    … and ${keys.length - LISTED} more (every key is in --json and --out)`)
  }
  if (unassign.length > 0) {
    lines.push(`  - unassign ${plural(unassign.length, "direct guardrail")}:`)
    for (const u of unassign.slice(0, LISTED)) lines.push(`    - ${u.guardrailName}  ${u.slug}  (${u.userId})`)
    if (unassign.length > LISTED) lines.push(`    … and ${unassign.length - LISTED} more`)
  }
  return lines
}

const hygiene = (plan: KeyHygiene.KeyHygienePlan): Array<string> => {
  const workspaces = new Set(plan.keys.map((k) => k.workspace))
  const lines = [`- ${plan.action} ${plural(plan.count, "key")}${plan.count > 0 ? ` in ${plural(workspaces.size, "workspace")}` : ""}`]
  for (const k of plan.keys.slice(0, LISTED)) {
    lines.push(`  - ${k.name}  ${k.label}  ${k.workspace}  creator ${k.creatorUserId ?? "none"}: ${k.reasons.join("; ")}`)
  }
  if (plan.count > LISTED) lines.push(`  … and ${plan.count - LISTED} more (every key is in --json and --out)`)
  return lines
}

/**
 * What an offboarding did per user: "user_x: 2 keys disabled, 1 guardrail unassigned, removed from
 * engineering, research" (failures are listed by the summary; at most `max` users, then a count).
 */
export const describeUsers = (report: Engine.JobReport, max = 20): Array<string> => {
  const byUser = new Map<string, { keys: number; keyVerb: string; guardrails: number; removed: Array<string> }>()
  for (const item of report.items) {
    if (item.kind !== "user" || !(item.outcome === "done" || item.outcome === "already-done")) continue
    const user = byUser.get(item.key) ?? { keys: 0, keyVerb: "disabled", guardrails: 0, removed: [] }
    byUser.set(item.key, user)
    const key = /^(disable|delete) key /.exec(item.action)
    if (key) {
      user.keys++
      user.keyVerb = key[1] === "delete" ? "deleted" : "disabled"
    } else if (item.action.startsWith("unassign guardrail ")) user.guardrails++
    else if (item.action.startsWith("remove from ")) user.removed.push(item.action.slice("remove from ".length))
  }
  const lines = [...byUser].slice(0, max).map(([id, u]) =>
    `  ${id}: ${
      [
        u.keys > 0 ? `${plural(u.keys, "key")} ${u.keyVerb}` : "",
        u.guardrails > 0 ? `${plural(u.guardrails, "guardrail")} unassigned` : "",
        u.removed.length > 0 ? `removed from ${u.removed.sort().join(", ")}` : ""
      ].filter((part) => part !== "").join(", ")
    }`
  )
  if (byUser.size > max) lines.push(`  … and ${byUser.size - max} more users (all in --report)`)
  return lines
}

const budgets = (plan: BudgetPolicy.BudgetPolicyPlan): Array<string> => {
  const changes = plan.workspaces.reduce((n, w) => n + w.changes.length, 0)
  const lines = [`~ change ${plural(changes, "budget")} in ${plural(plan.workspaces.length, "workspace")}`]
  for (const w of plan.workspaces.slice(0, 50)) {
    for (const c of w.changes) lines.push(`  ~ ${w.slug} ${c.interval} budget ${c.from ?? "none"} → ${c.to} USD`)
  }
  if (plan.workspaces.length > 50) lines.push(`  … and ${plan.workspaces.length - 50} more workspaces`)
  if (plan.unchanged > 0) lines.push(`  = ${plural(plan.unchanged, "budget")} already right`)
  return lines
}

const cleanup = (plan: FileCleanup.FileCleanupPlan): Array<string> => {
  const workspaces = new Set(plan.files.map((f) => f.workspace))
  const lines = [
    `- delete ${plural(plan.count, "file")}, ${formatBytes(plan.bytes)}${plan.count > 0 ? ` from ${plural(workspaces.size, "workspace")}` : ""}`
  ]
  if (plan.cutoff !== undefined) lines.push(`  created before ${new Date(plan.cutoff).toISOString()}`)
  for (const f of plan.sample) {
    lines.push(`  - ${f.filename}  ${formatBytes(f.sizeBytes)}  ${f.createdAt.slice(0, 10)}  ${f.workspace}`)
  }
  if (plan.count > plan.sample.length) lines.push(`  … and ${plan.count - plan.sample.length} more`)
  return lines
}

/** The plan's lines, headed by the job kind. */
export const describePlan = (plan: PlanFile.AnyPlan): Array<string> => {
  switch (plan._tag) {
    case "OnboardingPlan":
    case "OffboardingPlan":
      return membership(plan)
    case "BudgetPolicyPlan":
      return budgets(plan)
    case "FileCleanupPlan":
      return cleanup(plan)
    case "KeyHygienePlan":
      return hygiene(plan)
  }
}

/** Does the plan change anything? */
export const isEmptyPlan = (plan: PlanFile.AnyPlan) => {
  switch (plan._tag) {
    case "OnboardingPlan":
    case "OffboardingPlan":
      return plan.calls === 0
    case "BudgetPolicyPlan":
      return plan.workspaces.length === 0
    case "FileCleanupPlan":
    case "KeyHygienePlan":
      return plan.count === 0
  }
}
