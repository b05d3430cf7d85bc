/**
 * `openrouter-admin spend` as a person and a script use it, against the simulator: the table on a
 * terminal (what it covers, names beside ids, sparklines with --daily), JSON and CSV whose totals equal the
 * records, `spend check` exiting 3 and naming the one key that crossed (0 when nothing did), `spend report`
 * writing a page that needs no network, usage errors exiting 2 in flag terms, and the alert script posting a
 * Slack-compatible body to a local webhook.
 */
import { describe, expect, it } from "@effect/vitest"
import { parse as parseCsv } from "csv-parse/sync"
import { parse } from "node-html-parser"
import { readFileSync } from "node:fs"
import { createServer, type IncomingMessage } from "node:http"
import type { AddressInfo } from "node:net"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll } from "vitest"
import { type RunningSimulator, start } from "../src/simulator/index.ts"
import { collect, collectChild, onTerminalIn, runIn, simulatorEnv, spawnIn, workDir } from "./cli-support.ts"

const cwd = workDir("spend-cli-")
const run = runIn(cwd)
const onTerminal = onTerminalIn(cwd)
let sim: RunningSimulator

beforeAll(async () => {
  sim = await start({ seed: "spend-cli", organization: { members: 50 } })
})
afterAll(() => sim.close())

/** The records' spend over the 30 completed days and today, per subject. */
const truth = (subjectOf: (r: ReturnType<RunningSimulator["service"]["state"]["activity"]>[number]) => string) => {
  const sums = new Map<string, number>()
  const first = new Date(sim.service.state.today - 30 * 86_400_000).toISOString().slice(0, 10)
  for (const r of sim.service.state.activity()) if (r.date >= first) sums.set(subjectOf(r), (sums.get(subjectOf(r)) ?? 0) + r.usage)
  return sums
}

/** Bring every limit and budget out of reach but one key's, which is put at 90% of a lifetime limit (set up over HTTP). */
const onlyOneKeyOver = async () => {
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${sim.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${sim.managementKey}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) })
    })
    expect(response.status, `${method} ${path}`).toBe(200)
  }
  for (const k of sim.service.state.apiKeys()) if (k.limit !== null) await call("PATCH", `/keys/${k.hash}`, { limit: null })
  for (const w of sim.service.state.workspaces()) {
    for (const b of sim.service.state.budgets(w.id)) await call("DELETE", `/workspaces/${w.id}/budgets/${b.interval}`)
  }
  const spender = sim.service.state.apiKeys().find((k) => k.usage > 1 && !k.disabled)!
  await call("PATCH", `/keys/${spender.hash}`, { limit: spender.usage / 0.9, limit_reset: null })
  return spender
}

/** A local webhook receiver: every body it got, and a promise for the first (from now on) that matches. */
const webhook = async () => {
  const bodies: Array<{ readonly contentType: string | undefined; readonly body: any }> = []
  const waiting: Array<{ readonly matches: (body: any) => boolean; readonly resolve: (body: any) => void }> = []
  const server = createServer((request: IncomingMessage, response) => {
    let text = ""
    request.on("data", (d) => (text += d))
    request.on("end", () => {
      const received = { contentType: request.headers["content-type"], body: JSON.parse(text) }
      bodies.push(received)
      for (const w of [...waiting]) {
        if (w.matches(received.body)) {
          waiting.splice(waiting.indexOf(w), 1)
          w.resolve(received.body)
        }
      }
      response.end("ok")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    bodies,
    next: (matches: (body: any) => boolean) => new Promise<any>((resolve) => waiting.push({ matches, resolve })),
    close: () => server.close()
  }
}

const alertScript = fileURLToPath(new URL("../scripts/spend-alerts.ts", import.meta.url))
const repository = fileURLToPath(new URL("..", import.meta.url))

describe("spend CLI", () => {
  it("on a terminal: what it covers, names beside ids, a bar per row, a sparkline per day", async () => {
    const { code, lines } = await onTerminal(sim, ["spend", "--by", "workspace", "--daily"], 160)
    expect(code).toBe(0)
    expect(lines[0]).toMatch(
      /^Spend by workspace, all workspaces: 30 completed UTC days \d{4}-\d\d-\d\d … \d{4}-\d\d-\d\d \(from \/activity\) and today/
    )
    expect(lines[1]).toContain("BYOK")
    for (const w of sim.service.state.workspaces()) {
      const line = lines.find((l) => l.startsWith(`${w.slug} `))!
      expect(line).toContain(w.id)
      expect(line).toMatch(/[▁▂▃▄▅▆▇█]{31}$/)
    }
    expect(lines.at(-1)).toMatch(/^TOTAL\s+\$[\d,]+\.\d\d\s+100\.0%/)
  })

  it("--json and --csv: the totals equal the records for every --by", async () => {
    const expected = {
      workspace: truth((r) => r.workspaceId),
      member: truth((r) => r.userId ?? "(no creator)"),
      key: truth((r) => r.keyHash)
    }
    for (const by of ["workspace", "member", "key"] as const) {
      const json = await run(sim, ["spend", "--by", by, "--json"])
      expect(json.code, json.stderr).toBe(0)
      const document = JSON.parse(json.stdout)
      expect(document.window.completedDays).toBe(30)
      expect(document.covers).toContain("completed UTC days")
      for (const [id, usd] of expected[by]) {
        const row = document.rows.find((r: any) => (r.id ?? r.name) === id || (id === "(no creator)" && r.name === "keys without a creator"))
        expect(row?.total ?? 0, `${by} ${id}`).toBeCloseTo(usd, 6)
      }
      const csv = await run(sim, ["spend", "--by", by, "--csv", "--daily"])
      expect(csv.code).toBe(0)
      const records = parseCsv(csv.stdout, { columns: true }) as Array<Record<string, string>>
      expect(records).toHaveLength(document.rows.length)
      expect(Object.keys(records[0]!)).toHaveLength(7 + 31)
      expect(records.reduce((s, r) => s + Number(r.spend_usd), 0)).toBeCloseTo(document.total, 6)
    }
  })

  it("usage errors exit 2 in flag terms", async () => {
    const cases: Array<[ReadonlyArray<string>, RegExp]> = [
      [["spend", "--days", "31"], /--days: must be a whole number from 1 to 30/],
      [["spend", "--workspace", "nope-*"], /--workspace: no workspace matches "nope-\*"/],
      [["spend", "--json", "--csv"], /--json and --csv: choose one/],
      [["spend", "check", "--threshold", "80"], /--threshold 80: give a share above 0, as 80% or 0\.8/],
      [["spend", "--by", "team"], /./]
    ]
    for (const [args, message] of cases) {
      const result = await run(sim, args)
      expect(result.code, args.join(" ")).toBe(2)
      expect(result.stderr).toMatch(message)
    }
  })

  it("--workspace follows the jobs' selection: a glob over an id's first letters selects nothing, an input error naming it", async () => {
    const workspace = sim.service.state.workspaces().find((w) => w.slug !== "default")!
    const prefix = `${workspace.id.slice(0, 8)}*`
    for (const args of [["spend"], ["spend", "budgets"], ["spend", "check", "--threshold", "80%"], ["spend", "report", "--html", "x.html"]]) {
      const result = await run(sim, [...args, "--workspace", prefix])
      expect(result.code, args.join(" ")).toBe(2)
      expect(result.stderr).toContain(`--workspace: no workspace matches "${prefix}"`)
      expect(result.stderr).toContain("workspaces that exist:")
      // the id itself selects it
      expect((await run(sim, [...args, "--workspace", workspace.id])).code, `${args.join(" ")} --workspace ID`).not.toBe(2)
    }
  })

  it("spend check: exit 3 naming the one key that crossed, with --json for a webhook; 0 when nothing crossed", async () => {
    const spender = await onlyOneKeyOver()
    // on a terminal: the findings as text (stdout and stderr together there)
    const crossed = await onTerminal(sim, ["spend", "check", "--threshold", "80%"], 300)
    expect(crossed.code).toBe(3)
    expect(crossed.lines[0]).toMatch(/^At or over 80%: 0 budgets, 1 key limit \(/)
    expect(crossed.lines).toHaveLength(3)
    expect(crossed.lines[1]).toContain(`key ${spender.name} (${spender.hash})`)
    expect(crossed.lines[2]).toMatch(/spend check: 1 at or over 80% \(exit 3\): raise the budget or limit/)
    const json = await run(sim, ["spend", "check", "--threshold", "0.8", "--json", "--top", "2"])
    expect(json.code).toBe(3)
    const document = JSON.parse(json.stdout)
    expect(document.needsAttention).toBe(true)
    expect(document.crossed.map((c: any) => c.hash)).toEqual([spender.hash])
    expect(document.top).toHaveLength(2)
    const quiet = await onTerminal(sim, ["spend", "check", "--threshold", "95%"], 300)
    expect(quiet.code).toBe(0)
    expect(quiet.lines).toEqual(["Nothing at or over 95%: 0 budgets and 1 key limit checked."])
    // piped, JSON by default (as every command): nothing needs attention
    const piped = await run(sim, ["spend", "check", "--threshold", "95%"])
    expect(piped.code).toBe(0)
    expect(JSON.parse(piped.stdout)).toMatchObject({ needsAttention: false, crossed: [] })
  })

  it("spend report --html: a self-contained page with every workspace; the alert script posts to the webhook", async () => {
    const file = join(cwd, "spend.html")
    const made = await run(sim, ["spend", "report", "--html", file])
    expect(made.code, made.stderr).toBe(0)
    expect(made.stdout).toMatch(/^wrote .*spend\.html \(\d+ KB\)/)
    const html = readFileSync(file, "utf8")
    const root = parse(html)
    expect(root.querySelectorAll("section.chart").map((s) => s.querySelectorAll("svg").length)).toEqual([1, 1, 1])
    const legend = root.querySelector("#daily-by-workspace svg")!.querySelectorAll("text").map((t) => t.text)
    for (const w of sim.service.state.workspaces()) expect(legend).toContain(w.slug)
    expect(html).not.toMatch(/https?:/)

    // the script: one check (RUN_ONCE), posted as Slack JSON to a local server
    await onlyOneKeyOver()
    const hook = await webhook()
    const { bodies, url } = hook
    try {
      const result = await collect(process.execPath, ["--import", "tsx", alertScript], {
        cwd: repository,
        env: { ...simulatorEnv(sim), SPEND_WEBHOOK_URL: url, SPEND_THRESHOLD: "80%", RUN_ONCE: "1" }
      })
      expect(result.code, result.stderr).toBe(3)
      expect(result.stdout).toMatch(/posted to the webhook: At or over 80%: 0 budgets, 1 key limit/)
      expect(result.stdout).not.toContain(url)
      expect(bodies).toHaveLength(1)
      expect(bodies[0]!.contentType).toContain("application/json")
      expect(bodies[0]!.body.text).toMatch(/^At or over 80%/)
      expect(bodies[0]!.body.blocks[0].type).toBe("header")
      const printed = await collect(process.execPath, ["--import", "tsx", alertScript], {
        cwd: repository,
        env: { ...simulatorEnv(sim), SPEND_WEBHOOK_URL: undefined, RUN_ONCE: "1" }
      })
      expect(printed.code).toBe(3)
      expect(printed.stdout).toContain("SPEND_WEBHOOK_URL not set: printing")
      expect(bodies).toHaveLength(1)
    } finally {
      hook.close()
    }
  })

  it("the alert script says 'All clear' once when nothing crosses after an alert; SPEND_ALERTS_ALL_CLEAR=1 on every quiet check", async () => {
    const spender = await onlyOneKeyOver()
    const hook = await webhook()
    const child = spawnIn(process.execPath, ["--import", "tsx", alertScript], {
      cwd: repository,
      env: { ...simulatorEnv(sim), SPEND_WEBHOOK_URL: hook.url, SPEND_THRESHOLD: "80%", SPEND_EVERY: "100 millis", RUN_ONCE: undefined }
    })
    let stdout = ""
    /** Where `text` is printed at or after `from`, once it is. */
    const printed = (text: string, from = 0) =>
      new Promise<number>((resolve) => {
        const look = () => {
          const at = stdout.indexOf(text, from)
          if (at < 0) return
          child.stdout!.off("data", look)
          resolve(at)
        }
        child.stdout!.on("data", look)
        look()
      })
    child.stdout!.on("data", (d) => (stdout += d))
    const ended = collectChild(child)
    try {
      const alert = await hook.next((body) => /^At or over 80%/.test(body.text))
      expect(alert.text).toContain(spender.hash)
      // the key's limit goes: nothing crosses any more
      const response = await fetch(`${sim.baseUrl}/keys/${spender.hash}`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${sim.managementKey}`, "content-type": "application/json" },
        body: JSON.stringify({ limit: null })
      })
      expect(response.status).toBe(200)
      const clear = await hook.next((body) => /^All clear/.test(body.text))
      expect(clear.text).toMatch(
        /^All clear since the alert of \d{4}-\d\d-\d\d \d\d:\d\d UTC\. Nothing at or over 80%: 0 budgets and 0 key limits checked\.$/
      )
      expect(clear.blocks[0].type).toBe("header")
      // the next quiet check only prints its line: one all-clear per alert
      const mark = await printed("posted to the webhook: All clear")
      await printed("Z Nothing at or over 80%", mark)
      expect(hook.bodies.filter((b) => /^All clear/.test(b.body.text))).toHaveLength(1)
    } finally {
      child.kill("SIGTERM")
      await ended
    }
    try {
      const quiet = { ...simulatorEnv(sim), SPEND_WEBHOOK_URL: hook.url, RUN_ONCE: "1" }
      const before = hook.bodies.length
      const silent = await collect(process.execPath, ["--import", "tsx", alertScript], { cwd: repository, env: quiet })
      expect(silent.code, silent.stderr).toBe(0)
      expect(silent.stdout).toMatch(/Nothing at or over 80%/)
      expect(hook.bodies).toHaveLength(before)
      const heartbeat = await collect(process.execPath, ["--import", "tsx", alertScript], {
        cwd: repository,
        env: { ...quiet, SPEND_ALERTS_ALL_CLEAR: "1" }
      })
      expect(heartbeat.code, heartbeat.stderr).toBe(0)
      expect(hook.bodies).toHaveLength(before + 1)
      expect(hook.bodies.at(-1)!.body.text).toMatch(/^All clear\. Nothing at or over 80%/)
      const wrong = await collect(process.execPath, ["--import", "tsx", alertScript], {
        cwd: repository,
        env: { ...quiet, SPEND_ALERTS_ALL_CLEAR: "yes" }
      })
      expect(wrong.code).toBe(2)
      expect(wrong.stderr).toContain("SPEND_ALERTS_ALL_CLEAR=yes")
    } finally {
      hook.close()
    }
  }, 90_000)
})
