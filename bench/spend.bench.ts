/**
 * `npm run bench:spend`: `spend --by member --days 30` for an organisation of 2,000 members and ≈5,000
 * keys (the simulator in its own process, 5 ms latency per request), as the library call and as the
 * CLI process. Prints requests made against the fewest possible and against one `/activity` request per
 * member, and the wall time, side by side; `--by workspace` (no filtered requests) for comparison.
 *
 *   npm run bench:spend            (BENCH_MEMBERS, BENCH_WORKSPACES, BENCH_LATENCY_MS to change it)
 *
 * The fewest possible: the listings (workspace pages, each workspace's key pages, member pages), one
 * unfiltered `/activity`, and one `/analytics/query` grouped by member; when analytics cannot be trusted
 * (`attribution: "activity"`, as against an API that answers with display labels), one filtered `/activity`
 * per subject that spent on a completed day (the rows carry no member or key: nothing cheaper can tell who
 * spent it). BENCH_ACTIVITY=0 leaves that run out (the simulator's filtered /activity is slow at this size).
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Effect, Layer, ManagedRuntime, Redacted, Stream } from "effect"
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Activity } from "../src/Activity.ts"
import { Analytics } from "../src/Analytics.ts"
import { Keys } from "../src/Keys.ts"
import * as OpenRouterClient from "../src/OpenRouterClient.ts"
import { Organization } from "../src/Organization.ts"
import * as Spend from "../src/spend/index.ts"
import { Workspaces } from "../src/Workspaces.ts"
import { spawnSimulator } from "./spawn-simulator.ts"

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 2_000)
const WORKSPACES = Number(process.env.BENCH_WORKSPACES ?? 12)
const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 5)
const bin = fileURLToPath(new URL("../bin/openrouter-admin.mjs", import.meta.url))

const sim = await spawnSimulator({ seed: "bench-spend", latency: `${LATENCY} millis`, organization: { members: MEMBERS, workspaces: WORKSPACES } })
const runtime = ManagedRuntime.make(
  Layer.mergeAll(Workspaces.Default, Organization.Default, Keys.Default, Activity.Default, Analytics.Default).pipe(
    Layer.provide(OpenRouterClient.layer({ apiKey: Redacted.make(sim.managementKey), baseUrl: sim.baseUrl })),
    Layer.provide(NodeHttpClient.layerUndici)
  )
)

const count = async (since: number) => {
  const log = (await sim.log()).slice(since)
  const by = (prefix: string) => log.filter((r) => r.path === prefix || r.path.startsWith(`${prefix}?`)).length
  return {
    total: log.length,
    workspaces: by("/workspaces"),
    keys: by("/keys"),
    members: by("/organization/members"),
    activity: by("/activity"),
    failed: log.filter((r) => r.status >= 400).length,
    end: since + log.length
  }
}

try {
  const keyCount = await runtime.runPromise(
    Effect.gen(function*() {
      const workspaces = yield* Workspaces
      const keys = yield* Keys
      let n = 0
      for (const w of (yield* workspaces.list({ limit: 100 })).data) {
        n += yield* Stream.runCount(keys.stream({ workspaceId: w.id, includeDisabled: true }))
      }
      return n
    })
  )
  let mark = (await sim.log()).length
  const rows: Array<Record<string, string | number>> = []
  const runs = [["member", "auto"], ["member", "activity"], ["workspace", "auto"]] as const
  for (const [by, attribution] of runs.filter(([, a]) => a === "auto" || process.env.BENCH_ACTIVITY !== "0")) {
    const started = performance.now()
    const report = await runtime.runPromise(Spend.report({ by, days: 30, attribution }))
    const seconds = (performance.now() - started) / 1000
    const made = await count(mark)
    mark = made.end
    const listings = made.workspaces + made.keys + made.members
    const spentOnCompletedDays = report.table.rows.filter((r) => r.id !== Spend.UNATTRIBUTED && r.series.slice(0, -1).some((v) => v > 0)).length
    // with analytics: one query; without it, one filtered /activity per subject that spent on a completed day
    const fewest = listings + 1 + (by === "workspace" ? 0 : report.attribution === "analytics" ? 1 : spentOnCompletedDays)
    const perMember = listings + 1 + (by === "workspace" ? 0 : MEMBERS)
    rows.push({
      run: `library  --by ${by} (${report.attribution})`,
      requests: made.total,
      fewest,
      "one per member": perMember,
      activity: made.activity,
      listings,
      failed: made.failed,
      seconds: seconds.toFixed(2),
      rows: report.table.rows.length,
      total: `$${report.table.total.toFixed(2)}`
    })
  }
  if (existsSync(fileURLToPath(new URL("../dist/bin/main.mjs", import.meta.url)))) {
    const started = performance.now()
    const cli = spawnSync(process.execPath, [bin, "spend", "--by", "member", "--days", "30", "--json"], {
      env: { ...process.env, OPENROUTER_API_KEY: sim.managementKey, OPENROUTER_BASE_URL: sim.baseUrl },
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024
    })
    const seconds = (performance.now() - started) / 1000
    const made = await count(mark)
    if (cli.status !== 0) console.error(`the CLI exited ${cli.status}: ${cli.stderr.slice(0, 500)}`)
    else {
      const json = JSON.parse(cli.stdout)
      rows.push({
        run: "CLI      spend --by member --days 30 --json",
        requests: made.total,
        fewest: rows[0]!.fewest!,
        "one per member": rows[0]!["one per member"]!,
        activity: made.activity,
        listings: made.workspaces + made.keys + made.members,
        failed: made.failed,
        seconds: seconds.toFixed(2),
        rows: json.rows.length,
        total: `$${Number(json.total).toFixed(2)}`
      })
    }
  } else console.error("dist/bin/main.mjs is missing: run `npm run build` for the CLI row")
  console.log(`spend: ${MEMBERS} members, ${WORKSPACES} workspaces, ${keyCount} keys; ${LATENCY} ms per request; concurrency 8`)
  console.table(rows)
  for (const row of rows.filter((r) => String(r.run).includes("member"))) {
    console.log(
      `${row.run}: ${row.requests} requests, ${(Number(row.requests) / Number(row.fewest)).toFixed(2)}× the fewest possible, ${
        (Number(row["one per member"]) / Number(row.requests)).toFixed(2)
      }× fewer than one per member; ${row.seconds} s`
    )
  }
} finally {
  await runtime.dispose()
  await sim.stop()
}
