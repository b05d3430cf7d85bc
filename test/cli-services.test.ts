/**
 * `credits`, `activity`, `byok`, `scim`, `observability destinations` and `guardrails
 * --allowed-data-region` end to end against a simulator in this process: JSON when piped, figures equal
 * to the simulator's ground truth, secrets read from a file or stdin and never printed, destructive
 * commands refused without --yes when piped, input errors exit 2 and send nothing.
 */
import { describe, expect, it } from "@effect/vitest"
import { spawn } from "node:child_process"
import { createHash } from "node:crypto"
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll } from "vitest"
import { type RunningSimulator, start } from "../src/simulator/index.ts"
import { bin, collectChild, jsonLines, runIn, simulatorEnv, workDir } from "./cli-support.ts"

const dir = workDir("cli-services-")
const run = runIn(dir)
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")

/** The CLI with `input` piped to its stdin. */
const runWithStdin = (sim: RunningSimulator, args: ReadonlyArray<string>, input: string) => {
  const child = spawn(process.execPath, [bin, ...args], { cwd: dir, env: { ...process.env, ...simulatorEnv(sim) }, stdio: ["pipe", "pipe", "pipe"] })
  child.stdin.end(input)
  return collectChild(child)
}

describe("openrouter-admin credits, activity, byok, scim, observability", () => {
  let sim: RunningSimulator
  beforeAll(async () => {
    sim = await start({ seed: "cli-services", organization: { members: 120 } })
  }, 60_000)
  afterAll(() => sim.close())

  it("credits and activity print the simulator's figures", async () => {
    const credits = await run(sim, ["credits", "--json"])
    expect(credits.code).toBe(0)
    const truth = sim.service.state.credits()
    expect(JSON.parse(credits.stdout)).toMatchObject({ totalCredits: truth.totalCredits, totalUsage: truth.totalUsage })
    const left = await run(sim, ["credits", "-q"])
    expect(Number(left.stdout.trim())).toBeCloseTo(truth.totalCredits - truth.totalUsage, 4)

    const { today } = sim.service.state
    const window = sim.service.state.activity().filter((r) => Date.parse(`${r.date}T00:00:00Z`) < today)
    const rows = await run(sim, ["activity", "--by-workspace"])
    expect(rows.code).toBe(0)
    const items = jsonLines(rows.stdout)
    expect(items.reduce((sum, row) => sum + row.usage, 0)).toBeCloseTo(window.reduce((sum, r) => sum + r.usage, 0), 4)
    expect(items.every((row) => typeof row.workspaceId === "string")).toBe(true)
    expect(rows.stderr).toMatch(/last 30 completed UTC days/)

    const record = window[0]!
    const member = sim.service.state.members().find((m) => m.id === record.userId)!
    const own = jsonLines((await run(sim, ["activity", "--user", member.email])).stdout)
    expect(own.reduce((sum, row) => sum + row.usage, 0)).toBeCloseTo(
      window.filter((r) => r.userId === member.id).reduce((sum, r) => sum + r.usage, 0),
      4
    )
    const badDate = await run(sim, ["activity", "--date", "yesterday"])
    expect(badDate.code).toBe(2)
    expect(badDate.stderr).toMatch(/YYYY-MM-DD/)
  }, 60_000)

  it("byok: the provider key from a file or stdin, never printed; rotate; delete needs --yes when piped", async () => {
    const secret = "sk-proj-cli-secret-0123456789abcdefghij"
    const file = join(dir, "openai.key")
    writeFileSync(file, `${secret}\n`)
    const made = await run(sim, ["byok", "create", "--provider", "openai", "--name", "cli", "--key-file", file, "--json"])
    expect(made.code).toBe(0)
    const credential = JSON.parse(made.stdout)
    expect(credential).toMatchObject({ provider: "openai", name: "cli", label: "sk-...ghij" })
    expect(sim.service.state.byok().find((c) => c.key.id === credential.id)?.fingerprint).toBe(sha256(secret))

    const piped = await runWithStdin(sim, ["byok", "create", "--provider", "anthropic", "--key-file", "-", "-q"], `${secret}-2\n`)
    expect(piped.code).toBe(0)
    const second = piped.stdout.trim()
    expect(sim.service.state.byok().find((c) => c.key.id === second)?.fingerprint).toBe(sha256(`${secret}-2`))

    // no file and no terminal: refused, and a --key flag does not exist
    const missing = await run(sim, ["byok", "create", "--provider", "openai"])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/--key-file FILE, or --key-file -/)
    expect((await run(sim, ["byok", "create", "--provider", "openai", "--key", secret])).code).toBe(2)

    const rotated = join(dir, "rotated.key")
    writeFileSync(rotated, "sk-proj-rotated-9999999999999999999999\n")
    const update = await run(sim, ["byok", "update", credential.id, "--key-file", rotated, "--json"])
    expect(update.code).toBe(0)
    expect(JSON.parse(update.stdout).label).toBe("sk-...9999")
    expect(sim.service.state.byok().find((c) => c.key.id === credential.id)?.fingerprint).toBe(sha256("sk-proj-rotated-9999999999999999999999"))
    expect((await run(sim, ["byok", "update", credential.id])).code).toBe(2)

    const listed = await run(sim, ["byok", "list", "--provider", "openai"])
    expect(jsonLines(listed.stdout).map((k) => k.id)).toContain(credential.id)
    const unconfirmed = await run(sim, ["byok", "delete", credential.id])
    expect(unconfirmed.code).toBe(2)
    expect(unconfirmed.stderr).toContain("--yes")
    expect(sim.service.state.byok().some((c) => c.key.id === credential.id)).toBe(true)
    expect((await run(sim, ["byok", "delete", credential.id, "--yes"])).code).toBe(0)
    expect(sim.service.state.byok().some((c) => c.key.id === credential.id)).toBe(false)
    for (const result of [made, piped, update, listed, unconfirmed, missing]) {
      expect(result.stdout + result.stderr).not.toContain(secret)
    }
  }, 240_000)

  it("scim: groups, a mapping by group name and workspace slug, a second one refused, delete says what happens to members", async () => {
    const groups = jsonLines((await run(sim, ["scim", "groups"])).stdout)
    expect(groups.map((g) => g.id)).toEqual(sim.service.state.scimGroups().map((g) => g.id))
    const group = sim.service.state.scimGroups()[3]!
    const workspace = sim.service.state.workspaces().find((w) => w.slug === "research")!
    const before = new Set(sim.service.state.workspaceMembers(workspace.id).map((m) => m.userId))
    const made = await run(sim, ["scim", "mappings", "create", "--group", group.displayName, "--workspace", "research", "--role", "member", "--json"])
    expect(made.code).toBe(0)
    const mapping = JSON.parse(made.stdout)
    expect(mapping).toMatchObject({ scimGroupId: group.id, workspaceId: workspace.id, role: "member" })
    const again = await run(sim, ["scim", "mappings", "create", "--group", group.id, "--workspace", workspace.id, "--role", "admin"])
    expect(again.code).toBe(2)
    expect(again.stderr).toMatch(/already mapped.*scim mappings update/)
    expect((await run(sim, ["scim", "mappings", "create", "--group", "Nobody", "--workspace", "research", "--role", "member"])).stderr)
      .toMatch(/no SCIM group/)
    const promoted = await run(sim, ["scim", "mappings", "update", mapping.id, "--role", "admin", "--json"])
    expect(JSON.parse(promoted.stdout).role).toBe("admin")

    const undecided = await run(sim, ["scim", "mappings", "delete", mapping.id, "--yes"])
    expect(undecided.code).toBe(2)
    expect(undecided.stderr).toMatch(/--keep-members .* or --remove-members/)
    expect((await run(sim, ["scim", "mappings", "delete", mapping.id, "--remove-members"])).code).toBe(2) // piped, no --yes
    const removed = await run(sim, ["scim", "mappings", "delete", mapping.id, "--remove-members", "--yes"])
    expect(removed.code).toBe(0)
    expect(new Set(sim.service.state.workspaceMembers(workspace.id).map((m) => m.userId))).toEqual(before)
    expect((await run(sim, ["scim", "mappings", "get", mapping.id])).code).toBe(1)
  }, 240_000)

  it("observability destinations: config with credentials from stdin, printed masked; 409 past 5 of a type; delete needs --yes", async () => {
    const secret = "sk-lf-cli-very-secret-value-123456"
    const config = JSON.stringify({ baseUrl: "https://cloud.langfuse.com", publicKey: "pk-lf-1", secretKey: secret })
    const made = await runWithStdin(sim, [
      "observability",
      "destinations",
      "create",
      "--type",
      "langfuse",
      "--name",
      "cli",
      "--config-file",
      "-",
      "--json"
    ], config)
    expect(made.code).toBe(0)
    const destination = JSON.parse(made.stdout)
    expect(destination).toMatchObject({ type: "langfuse", name: "cli", enabled: true })
    expect(destination.config).toMatchObject({ publicKey: "pk-lf-1", secretKey: "<redacted>" })
    const stored = sim.service.state.destinations().find((d) => d.destination.id === destination.id)!
    expect(stored.fingerprints.get("secretKey")).toBe(sha256(secret))

    const shown = await run(sim, ["observability", "destinations", "get", destination.id, "--json"])
    const disabled = await run(sim, ["observability", "destinations", "update", destination.id, "--disable", "--sampling-rate", "0.5", "--json"])
    expect(JSON.parse(disabled.stdout)).toMatchObject({ enabled: false, samplingRate: 0.5 })
    const notJson = await runWithStdin(
      sim,
      ["observability", "destinations", "update", destination.id, "--config-file", "-"],
      `{"secretKey": "${secret}"`
    )
    expect(notJson.code).toBe(2)
    expect(notJson.stderr).toMatch(/not JSON/)

    const webhook = (name: string) =>
      runWithStdin(
        sim,
        ["observability", "destinations", "create", "--type", "webhook", "--name", name, "--config-file", "-", "-q"],
        `{"url":"https://hooks.example.com/${name}"}`
      )
    for (let i = 0; i < 5; i++) expect((await webhook(`hook-${i}`)).code).toBe(0)
    const sixth = await webhook("hook-5")
    expect(sixth.code).toBe(1)
    expect(sixth.stderr).toMatch(/409.*at most 5 webhook/)

    expect((await run(sim, ["observability", "destinations", "delete", destination.id])).code).toBe(2)
    expect((await run(sim, ["observability", "destinations", "delete", destination.id, "--yes"])).code).toBe(0)
    expect(sim.service.state.destinations().some((d) => d.destination.id === destination.id)).toBe(false)
    for (const result of [made, shown, disabled, notJson]) expect(result.stdout + result.stderr).not.toContain(secret)
  }, 240_000)

  it("guardrails create and update --allowed-data-region; an unknown region exits 2", async () => {
    const made = await run(sim, ["guardrails", "create", "--name", "eu only", "--allowed-data-region", "europe", "--json"])
    expect(made.code).toBe(0)
    const guardrail = JSON.parse(made.stdout)
    expect(guardrail.allowedDataRegions).toEqual(["europe"])
    const updated = await run(sim, ["guardrails", "update", guardrail.id, "--allowed-data-region", "europe", "--allowed-data-region", "us", "--json"])
    expect(JSON.parse(updated.stdout).allowedDataRegions).toEqual(["europe", "us"])
    expect((await run(sim, ["guardrails", "create", "--name", "x", "--allowed-data-region", "mars"])).code).toBe(2)
  }, 60_000)
})
