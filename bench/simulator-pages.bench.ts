/**
 * What one page of `GET /workspaces/:id/members` costs the simulator, for the default workspace (every
 * organisation member, implicitly) and a team workspace, in organisations of 5,000 and 50,000 members:
 * reading every page (100 per page) through the route's `memberPage`, against the old way (the whole
 * list built or copied, then sliced, for every page). Per-page cost must stay flat as the organisation grows.
 *
 *     npx tsx bench/simulator-pages.bench.ts
 */
import { OrganizationState } from "../src/simulator/state.ts"

const PAGE = 100

for (const members of [5_000, 50_000]) {
  const state = new OrganizationState("bench", { members, workspaces: 3 })
  const team = [...state.workspaces.values()].find((w) => w.id !== state.defaultWorkspaceId)!
  for (const [label, id] of [["default", state.defaultWorkspaceId], [team.slug, team.id]] as const) {
    const total = state.memberPage(id, 0, 1).totalCount
    const pages = Math.ceil(total / PAGE)
    let started = performance.now()
    for (let offset = 0; offset < total; offset += PAGE) state.memberPage(id, offset, PAGE)
    const now = (performance.now() - started) / pages
    started = performance.now()
    for (let offset = 0; offset < total; offset += PAGE) [...state.membersOf(id)].slice(offset, offset + PAGE)
    const before = (performance.now() - started) / pages
    console.log(
      `${members.toLocaleString("en")} members, ${label} (${total.toLocaleString("en")} in it, ${pages} pages): ` +
        `${(now * 1000).toFixed(0)} µs/page now, ${(before * 1000).toFixed(0)} µs/page the old way (${(before / now).toFixed(0)}×)`
    )
  }
}
