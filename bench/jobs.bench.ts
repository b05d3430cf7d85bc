/**
 * Bulk jobs against a rate-limited simulator (own process, 20 ms latency, 50 requests/s):
 * onboarding 10,000 users into 10 workspaces and a file cleanup, ours vs naive `@openrouter/sdk`
 * loops (sequential, and all at once with Promise.all). Prints wall time against the lower bound
 * (requests ÷ limit), requests against the minimum, and 429s.
 *
 *   npm run bench:jobs            (BENCH_USERS, BENCH_FILES to change the sizes)
 */
import { NodeHttpClient } from "@effect/platform-node"
import { OpenRouter } from "@openrouter/sdk"
import { Layer, ManagedRuntime, Redacted } from "effect"
import { spawn } from "node:child_process"
import { writeFileSync } from "node:fs"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Files } from "../src/Files.ts"
import { Guardrails } from "../src/Guardrails.ts"
import { FileCleanup, Journal, Onboarding } from "../src/jobs/index.ts"
import { Keys } from "../src/Keys.ts"
import * as OpenRouterClient from "../src/OpenRouterClient.ts"
import { Organization } from "../src/Organization.ts"
import { Workspaces } from "../src/Workspaces.ts"
import { spawnSimulator } from "./spawn-simulator.ts"

const USERS = Number(process.env.BENCH_USERS ?? 10_000)
const FILES = Number(process.env.BENCH_FILES ?? 2_000)
const LIMIT = 50
const WORKSPACES = ["engineering", "research", "marketing", "sales", "support", "finance", "legal", "design", "data", "platform"]
const simOptions = (extra: object) => ({
  seed: "bench-jobs",
  latency: "20 millis",
  rateLimit: { requestsPerSecond: LIMIT },
  organization: { members: USERS, workspaces: 11 },
  ...extra
})

interface Row {
  name: string
  seconds: number
  requests: number
  changing: number
  rateLimited: number
  failed: number
}

/** Run our job with a fresh runtime against `sim`; count requests by status from the simulator's log. */
const ours = async (name: string, extra: object, job: (rt: ManagedRuntime.ManagedRuntime<any, any>) => Promise<{ failed: number }>): Promise<Row> => {
  const sim = await spawnSimulator(simOptions(extra))
  const runtime = ManagedRuntime.make(
    Layer.mergeAll(Workspaces.Default, Organization.Default, Files.Default, Keys.Default, Guardrails.Default).pipe(
      Layer.provide(OpenRouterClient.layer({ apiKey: Redacted.make(sim.managementKey), baseUrl: sim.baseUrl })),
      Layer.provide(NodeHttpClient.layerUndici),
      Layer.merge(Journal.layer(join(mkdtempSync(join(tmpdir(), "bench-journal-")), "journal.sqlite")))
    )
  )
  const started = performance.now()
  const { failed } = await job(runtime)
  const seconds = (performance.now() - started) / 1000
  const log = await sim.log()
  await runtime.dispose()
  await sim.stop()
  return rowOf(name, seconds, log, failed)
}

/** A result row from the simulator's request log. */
const rowOf = (name: string, seconds: number, log: ReadonlyArray<{ method: string; status: number }>, failed: number): Row => ({
  name,
  seconds,
  requests: log.length,
  changing: log.filter((r) => r.method !== "GET" && r.status === 200).length,
  rateLimited: log.filter((r) => r.status === 429).length,
  failed
})

/** A naive program over the official SDK. */
const naive = async (name: string, extra: object, job: (sdk: OpenRouter) => Promise<number>): Promise<Row> => {
  const sim = await spawnSimulator(simOptions(extra))
  const sdk = new OpenRouter({ apiKey: sim.managementKey, serverURL: sim.baseUrl })
  const started = performance.now()
  const failed = await job(sdk)
  const seconds = (performance.now() - started) / 1000
  const log = await sim.log()
  await sim.stop()
  return rowOf(name, seconds, log, failed)
}

const print = (title: string, rows: ReadonlyArray<Row>, minimum: number) => {
  console.log(`\n${title} — simulator: 20 ms latency, ${LIMIT} req/s; minimum changing requests ${minimum}`)
  console.log(
    `${"".padEnd(26)} ${"wall s".padStart(8)} ${"bound s".padStart(8)} ${"×bound".padStart(7)} ${"requests".padStart(9)} ${"changes".padStart(8)} ${
      "429s".padStart(6)
    } ${"429 %".padStart(6)} ${"failed".padStart(7)}`
  )
  for (const row of rows) {
    const bound = row.requests / LIMIT
    console.log(
      `${row.name.padEnd(26)} ${row.seconds.toFixed(1).padStart(8)} ${bound.toFixed(1).padStart(8)} ${(row.seconds / bound).toFixed(2).padStart(7)} ${
        String(row.requests).padStart(9)
      } ${String(row.changing).padStart(8)} ${String(row.rateLimited).padStart(6)} ${
        ((row.rateLimited / row.requests) * 100).toFixed(1).padStart(6)
      } ${String(row.failed).padStart(7)}`
    )
  }
}

// --- onboarding ---------------------------------------------------------------------------------------
const members = await (async () => {
  const sim = await spawnSimulator(simOptions({}))
  const sdk = new OpenRouter({ apiKey: sim.managementKey, serverURL: sim.baseUrl })
  const ids: Array<string> = []
  for (let offset = 0; offset < USERS; offset += 100) {
    const page: any = await sdk.organization.listMembers({ offset, limit: 100 } as any)
    const result = page.result ?? page
    ids.push(...result.data.map((m: any) => m.id))
    await new Promise((r) => setTimeout(r, 25))
  }
  await sim.stop()
  return ids
})()

const onboardingRows: Array<Row> = []
let minimum = 0
onboardingRows.push(
  await ours("openrouter-effect", {}, async (runtime) => {
    const planned = await runtime.runPromise(Onboarding.plan({ users: members, workspaces: WORKSPACES }, { concurrency: 8, rate: LIMIT }))
    minimum = planned.calls
    const report = await runtime.runPromise(Onboarding.apply(planned, { concurrency: 8, rate: LIMIT }))
    return { failed: report.failed.length }
  })
)
const chunks = Array.from({ length: Math.ceil(members.length / 100) }, (_, i) => members.slice(i * 100, (i + 1) * 100))
const calls = WORKSPACES.flatMap((id) => chunks.map((userIds) => ({ id, userIds })))
onboardingRows.push(
  await naive("sdk, sequential loop", {}, async (sdk) => {
    let failed = 0
    for (const call of calls) {
      await sdk.workspaces.bulkAddMembers({ id: call.id, bulkAddWorkspaceMembersRequest: { userIds: call.userIds } } as any).catch(() => failed++)
    }
    return failed
  })
)
onboardingRows.push(
  await naive("sdk, Promise.all", {}, async (sdk) => {
    const results = await Promise.allSettled(
      calls.map((call) => sdk.workspaces.bulkAddMembers({ id: call.id, bulkAddWorkspaceMembersRequest: { userIds: call.userIds } } as any))
    )
    return results.filter((r) => r.status === "rejected").length
  })
)
print(`onboarding ${members.length} users into ${WORKSPACES.length} workspaces`, onboardingRows, minimum)

// --- the CLI end to end -------------------------------------------------------------------------------
/**
 * `openrouter-admin onboard` as a user runs it (the built bin, its own process): one plan, every
 * request under --rate. The lower bound is the fewest requests the job needs (its plan's reads, read
 * from a dry run, plus its minimum add calls) ÷ the rate; target ≤ 1.15×, ≤ 1 % 429s.
 */
const cliRun = async () => {
  const sim = await spawnSimulator(simOptions({}))
  const dir = mkdtempSync(join(tmpdir(), "bench-cli-"))
  const users = join(dir, "users.txt")
  writeFileSync(users, members.join("\n"))
  const bin = fileURLToPath(new URL("../bin/openrouter-admin.mjs", import.meta.url))
  const args = [
    "onboard",
    "--users-file",
    users,
    ...WORKSPACES.flatMap((w) => ["--workspace", w]),
    "--rate",
    String(LIMIT),
    "--concurrency",
    "8",
    "--journal",
    join(dir, "j.sqlite"),
    "--json"
  ]
  const cli = (extra: ReadonlyArray<string>) =>
    new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, ...args, ...extra], {
        env: { ...process.env, OPENROUTER_API_KEY: sim.managementKey, OPENROUTER_BASE_URL: sim.baseUrl },
        stdio: ["ignore", "pipe", "inherit"]
      })
      let stdout = ""
      child.stdout.on("data", (d) => (stdout += d))
      child.on("exit", (code) => resolve({ code, stdout }))
    })
  const dry = await cli(["--dry-run"])
  const reads = (await sim.log()).length
  const calls = JSON.parse(dry.stdout).plan.calls as number
  await new Promise((r) => setTimeout(r, 1500)) // the dry run's tokens refill before the timed run
  const started = performance.now()
  const result = await cli([])
  const seconds = (performance.now() - started) / 1000
  const log = (await sim.log()).slice(reads)
  await sim.stop()
  const adds = log.filter((r) => r.path.endsWith("/members/add") && r.status === 200).length
  const rateLimited = log.filter((r) => r.status === 429).length
  const minimum = reads + calls
  const bound = minimum / LIMIT
  console.log(
    `\nCLI end to end: openrouter-admin onboard ${members.length} users × ${WORKSPACES.length} workspaces, ${LIMIT} req/s, 20 ms latency (exit ${result.code})`
  )
  console.log(
    `  wall ${seconds.toFixed(1)} s vs lower bound ${bound.toFixed(1)} s (${minimum} requests: ${reads} reads + ${calls} adds) = ${
      (seconds / bound).toFixed(2)
    }× (target ≤ 1.15×)`
  )
  console.log(
    `  requests ${log.length}, add calls ${adds} (minimum ${calls}), 429s ${rateLimited} (${
      ((rateLimited / log.length) * 100).toFixed(2)
    } %, target ≤ 1 %)`
  )
}
await cliRun()

// --- file cleanup -------------------------------------------------------------------------------------
const filesOptions = { files: { count: FILES, placement: "default" }, organization: { members: 100, workspaces: 11 } }
const cleanupRows: Array<Row> = []
cleanupRows.push(
  await ours("openrouter-effect", filesOptions, async (runtime) => {
    const report = await runtime.runPromise(FileCleanup.apply({ workspaces: ["default"] }, { concurrency: 8, rate: LIMIT }))
    return { failed: report.failed.length }
  })
)
const fileIds = async (sdk: OpenRouter) => {
  const ids: Array<string> = []
  let cursor: string | undefined
  while (true) {
    const page: any = await (sdk.files.list({ limit: 1000, ...(cursor ? { cursor } : {}) } as any) as any)
    // the SDK cannot tell the shape without `_shape` and hands back the raw body
    const result = page.result?.raw ?? page.result ?? page
    ids.push(...result.data.map((f: any) => f.id))
    if (!(result.hasMore ?? result.has_more)) return ids
    cursor = result.cursor
  }
}
cleanupRows.push(
  await naive("sdk, sequential loop", filesOptions, async (sdk) => {
    let failed = 0
    for (const fileId of await fileIds(sdk).catch(() => [])) await sdk.files.delete({ fileId } as any).catch(() => failed++)
    return failed
  })
)
cleanupRows.push(
  await naive("sdk, Promise.all", filesOptions, async (sdk) => {
    const ids = await fileIds(sdk).catch(() => [])
    const results = await Promise.allSettled(ids.map((fileId) => sdk.files.delete({ fileId } as any)))
    return results.filter((r) => r.status === "rejected").length
  })
)
print(`file cleanup of ${FILES} files`, cleanupRows, FILES)
process.exit(0)
