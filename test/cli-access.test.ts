/**
 * `keys …` and `guardrails …` end to end against a simulator in this process: JSON when piped, the
 * secret printed once by `keys create` (only the secret with -q) and never by anything else, an unknown
 * workspace is an input error (exit 2), guardrail assignments round-trip.
 */
import { describe, expect, it } from "@effect/vitest"
import { afterAll, beforeAll } from "vitest"
import { type RunningSimulator, start } from "../src/simulator/index.ts"
import { jsonLines, runIn, workDir } from "./cli-support.ts"

const run = runIn(workDir("cli-access-"))

describe("openrouter-admin keys and guardrails", () => {
  let sim: RunningSimulator
  beforeAll(async () => {
    sim = await start({ seed: "cli-access", organization: { members: 300 } })
  })
  afterAll(() => sim.close())

  it("keys: list, create (the secret once), get, disable, delete", async () => {
    const engineering = sim.service.state.workspaces().find((w) => w.slug === "engineering")!
    const listed = await run(sim, ["keys", "list", "--workspace", "engineering"])
    expect(listed.code).toBe(0)
    const keys = jsonLines(listed.stdout)
    expect(keys.length).toBeGreaterThan(0)
    expect(keys.every((k) => k.workspaceId === engineering.id && k.disabled === false)).toBe(true)

    const created = await run(sim, [
      "keys",
      "create",
      "--name",
      "release-bot",
      "--workspace",
      "engineering",
      "--limit",
      "50",
      "--limit-reset",
      "monthly",
      "-q"
    ])
    expect(created.code).toBe(0)
    const secret = created.stdout.trim()
    expect(secret).toMatch(/^sk-or-v1-[0-9a-f]{64}$/)

    const all = jsonLines((await run(sim, ["keys", "list", "--workspace", engineering.id, "--include-disabled"])).stdout)
    const mine = all.find((k) => k.name === "release-bot")!
    expect(mine).toMatchObject({ limit: 50, limitReset: "monthly", disabled: false })
    const shown = await run(sim, ["keys", "get", mine.hash, "--json"])
    expect(JSON.parse(shown.stdout).hash).toBe(mine.hash)
    const disabled = await run(sim, ["keys", "update", mine.hash, "--disable", "--json"])
    expect(JSON.parse(disabled.stdout).disabled).toBe(true)
    // piped, a delete needs --yes, and without it nothing is sent
    const unconfirmed = await run(sim, ["keys", "delete", mine.hash])
    expect(unconfirmed.code).toBe(2)
    expect(unconfirmed.stderr).toContain("--yes")
    expect((await run(sim, ["keys", "get", mine.hash])).code).toBe(0)
    expect((await run(sim, ["keys", "delete", mine.hash, "--yes"])).code).toBe(0)
    expect((await run(sim, ["keys", "get", mine.hash])).code).toBe(1)

    // the secret appeared once: in create's output, and in nothing printed since
    for (const result of [listed, shown, disabled]) expect(result.stdout + result.stderr).not.toContain(secret)
  })

  it("an unknown workspace or bad input exits 2 with a message and sends nothing", async () => {
    const before = (await sim.requests()).filter((r) => r.method !== "GET").length
    const unknown = await run(sim, ["keys", "create", "--name", "x", "--workspace", "no-such-team"])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toContain("no-such-team")
    const badDate = await run(sim, ["keys", "create", "--name", "x", "--expires-at", "tomorrow"])
    expect(badDate.code).toBe(2)
    expect(badDate.stderr).toMatch(/expiresAt/)
    expect((await sim.requests()).filter((r) => r.method !== "GET").length).toBe(before)
  })

  it("guardrails: create in a workspace, assign members and keys, list them, unassign, delete", async () => {
    const research = sim.service.state.workspaces().find((w) => w.slug === "research")!
    const created = await run(sim, [
      "guardrails",
      "create",
      "--name",
      "EU only",
      "--workspace",
      "research",
      "--allowed-provider",
      "mistral",
      "--limit-usd",
      "100",
      "--reset-interval",
      "monthly",
      "--json"
    ])
    expect(created.code).toBe(0)
    const guardrail = JSON.parse(created.stdout)
    expect(guardrail).toMatchObject({ name: "EU only", workspaceId: research.id, allowedProviders: ["mistral"], limitUsd: 100 })

    const member = sim.service.state.workspaceMembers("research")[0]!.userId
    const assigned = await run(sim, ["guardrails", "members", "assign", guardrail.id, member, "--json"])
    expect(assigned.code).toBe(0)
    expect(JSON.parse(assigned.stdout).assigned).toBe(1)
    expect(jsonLines((await run(sim, ["guardrails", "members", "list", guardrail.id])).stdout).map((a) => a.userId)).toEqual([member])

    const key = jsonLines((await run(sim, ["keys", "list", "--workspace", "research", "--limit", "1"])).stdout)[0]
    expect((await run(sim, ["guardrails", "keys", "assign", guardrail.id, key.hash])).code).toBe(0)
    const everyKey = jsonLines((await run(sim, ["guardrails", "assignments", "keys"])).stdout)
    expect(everyKey.some((a) => a.keyHash === key.hash && a.guardrailId === guardrail.id)).toBe(true)

    expect(JSON.parse((await run(sim, ["guardrails", "members", "unassign", guardrail.id, member, "--json"])).stdout).unassigned).toBe(1)
    expect((await run(sim, ["guardrails", "delete", guardrail.id])).code).toBe(2)
    expect((await run(sim, ["guardrails", "delete", guardrail.id, "--yes"])).code).toBe(0)
    expect((await run(sim, ["guardrails", "get", guardrail.id])).code).toBe(1)
  })
})
