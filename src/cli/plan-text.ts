/** Plans as a person reads them: what changes, counted and sampled (`+ add 847 users to 10 workspaces`). */
import type { BudgetPolicy, FileCleanup, MembershipPlan, PlanFile } from "../jobs/index.ts"

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
const sample = (ids: ReadonlyArray<string>, n = 3) =>
  ids.length === 0 ? "" : ` (e.g. ${ids.slice(0, n).join(", ")}${ids.length > n ? ", …" : ""})`

const membership = (plan: MembershipPlan): Array<string> => {
  const add = plan.direction === "add"
  const [sign, verb, preposition] = add ? ["+", "add", "to"] : ["-", "remove", "from"]
  const users = new Set(plan.workspaces.flatMap((w) => w.chunks.flat()))
  const touched = plan.workspaces.filter((w) => w.chunks.length > 0 || w.create)
  const lines = [`${sign} ${verb} ${plural(users.size, "user")} ${preposition} ${plural(touched.length, "workspace")} (${plural(plan.calls, "call")})`]
  for (const w of plan.workspaces) {
    const ids = w.chunks.flat()
    if (w.create) lines.push(`  + create workspace ${w.slug}, then add ${plural(ids.length, "user")}`)
    else if (ids.length > 0) lines.push(`  ${sign} ${w.slug}: ${plural(ids.length, "user")}${sample(ids)}`)
  }
  const unchanged = plan.workspaces.reduce((n, w) => n + w.unchanged.length, 0)
  if (unchanged > 0) lines.push(`  = ${unchanged} already ${add ? "members" : "not members"} (left alone)`)
  if (add && "budgets" in plan.spec && plan.spec.budgets) {
    const budgets = Object.entries(plan.spec.budgets).map(([interval, usd]) => `${interval} ${usd} USD`).join(", ")
    lines.push(`  ~ budgets where they differ: ${budgets}`)
  }
  if (plan.problems.length > 0) {
    lines.push(`  ! ${plural(plan.problems.length, "problem")}: ${plan.problems.slice(0, 5).map((p) => `${p.key} (${p.reason ?? p.outcome})`).join(", ")}${plan.problems.length > 5 ? ", …" : ""}`)
  }
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
  const lines = [`- delete ${plural(plan.count, "file")}, ${formatBytes(plan.bytes)}${plan.count > 0 ? ` from ${plural(workspaces.size, "workspace")}` : ""}`]
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
      return plan.count === 0
  }
}
