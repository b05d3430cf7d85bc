/**
 * What one request costs the simulator in organisations of 5,000 and 50,000 members, against the old way
 * (the whole list built, copied or scanned for every request): a page of `GET /workspaces/:id/members`
 * (the default workspace, every organisation member implicitly, and a team workspace), a page of
 * `GET /keys` (the default workspace's keys), the active-key check of removing 100 members, and pages of
 * `GET /guardrails/assignments/members` and of one guardrail's key assignments. Per-request cost must stay
 * flat as the organisation grows. (test/simulator-cost.test.ts asserts the same in counted reads.)
 *
 *     npx tsx bench/simulator-pages.bench.ts
 */
import { OrganizationState } from "../src/simulator/state.ts"

const PAGE = 100

/** Microseconds per call of `run(i)`, over `calls` calls. */
const perCall = (calls: number, run: (i: number) => unknown) => {
  const started = performance.now()
  for (let i = 0; i < calls; i++) run(i)
  return (performance.now() - started) / calls * 1000
}

const row = (label: string, now: number, before: number) =>
  console.log(
    `  ${label.padEnd(72)} ${now.toFixed(0).padStart(6)} µs now, ${before.toFixed(0).padStart(7)} µs the old way (${(before / now).toFixed(0)}×)`
  )

for (const members of [5_000, 50_000]) {
  const state = new OrganizationState("bench", { members, workspaces: 3, keyPageSize: PAGE })
  console.log(`${members.toLocaleString("en")} members`)
  const team = [...state.workspaces.values()].find((w) => w.id !== state.defaultWorkspaceId)!
  for (const [label, id] of [["default", state.defaultWorkspaceId], [team.slug, team.id]] as const) {
    const total = state.memberPage(id, 0, 1).totalCount
    const pages = Math.ceil(total / PAGE)
    row(
      `a member page, ${label} (${total.toLocaleString("en")} members)`,
      perCall(pages, (p) => state.memberPage(id, p * PAGE, PAGE)),
      perCall(pages, (p) => [...state.membersOf(id)].slice(p * PAGE, (p + 1) * PAGE))
    )
  }
  const keys = state.keys.byWorkspace.get(state.defaultWorkspaceId)!
  const keyPages = Math.ceil(keys.size / PAGE)
  row(
    `a key page, default (${keys.size.toLocaleString("en")} keys)`,
    perCall(keyPages, (p) => state.keys.listKeys({ offset: p * PAGE })),
    perCall(keyPages, (p) => [...keys.values()].filter((k) => !k.disabled).slice(p * PAGE, (p + 1) * PAGE))
  )
  const teamKeys = state.keys.byWorkspace.get(team.id)!
  const leavers = state.membersOf(team.id).slice(0, 100).map((m) => m.userId)
  row(
    `removing 100 members: their active keys (${teamKeys.size.toLocaleString("en")} in the workspace)`,
    perCall(20, () => leavers.filter((userId) => state.holdsActiveKey(team.id, userId))),
    perCall(20, () => leavers.filter((userId) => [...teamKeys.values()].some((k) => k.active && k.creatorUserId === userId)))
  )
  const assignments = state.guardrails.allMemberAssignments().length
  row(
    `a page of every member assignment (${assignments.toLocaleString("en")})`,
    perCall(50, (p) => state.guardrails.allMemberAssignments().slice(p * PAGE, (p + 1) * PAGE)),
    perCall(50, (p) => [...state.guardrails.memberAssignments.values()].flatMap((byUser) => [...byUser.values()]).slice(p * PAGE, (p + 1) * PAGE))
  )
  const guardrail = [...state.guardrails.byId.keys()][0]!
  const keyAssignments = state.guardrails.keyAssignments
  row(
    `a page of one guardrail's key assignments (${keyAssignments.size.toLocaleString("en")} in all)`,
    perCall(50, () => (state.guardrails.keyAssignmentsOf(guardrail) as ReadonlyArray<unknown>).slice(0, PAGE)),
    perCall(50, () => [...keyAssignments.values()].filter((a) => a.guardrailId === guardrail).slice(0, PAGE))
  )
}
