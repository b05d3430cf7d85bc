/**
 * The deployment example: examples/k8s-cronjob.yaml is valid YAML, its CronJob runs one rotation (a fixed
 * --job-id, --yes, the PostgreSQL journal and the management key from a Secret, never overlapping
 * itself), its command line is one this CLI accepts, and its secrets script, run as the rotation's
 * secrets command with a stand-in kubectl, writes the secret into the Secret named after the old key.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll } from "vitest"
import YAML from "yaml"
import { SecretSink } from "../src/jobs/index.ts"
import { type RunningSimulator, start } from "../src/simulator/index.ts"
import { runIn, workDir } from "./cli-support.ts"

const manifest = readFileSync(new URL("../examples/k8s-cronjob.yaml", import.meta.url), "utf8")
const documents = YAML.parseAllDocuments(manifest).map((d) => {
  expect(d.errors).toEqual([])
  return d.toJS() as any
})
const cronJob = documents.find((d) => d.kind === "CronJob")
const container = cronJob.spec.jobTemplate.spec.template.spec.containers[0]
const dir = workDir("k8s-example-")

describe("examples/k8s-cronjob.yaml", () => {
  let sim: RunningSimulator
  beforeAll(async () => {
    sim = await start({ seed: "k8s" })
  })
  afterAll(() => sim.close())

  it("one rotation job id, never overlapping, the journal and the key from a Secret", () => {
    expect(cronJob.spec.concurrencyPolicy).toBe("Forbid")
    expect(container.args.slice(0, 2)).toEqual(["keys", "rotate"])
    expect(container.args).toContain("--yes")
    expect(container.args[container.args.indexOf("--job-id") + 1]).toBe("rotate-production-keys")
    const env = Object.fromEntries(container.env.map((e: any) => [e.name, e.valueFrom?.secretKeyRef]))
    expect(env.OPENROUTER_JOURNAL).toMatchObject({ name: "openrouter-admin", key: "journal-url" })
    expect(env.OPENROUTER_API_KEY).toMatchObject({ name: "openrouter-admin", key: "management-key" })
    expect(manifest).not.toMatch(/sk-or-v1-[0-9a-f]{8}/)
  })

  it("its command line is one this CLI accepts (it gets as far as looking the workspace up)", async () => {
    const result = await runIn(dir)(sim, [...container.args.filter((a: string) => a !== "--yes"), "--dry-run", "--journal", join(dir, "j.sqlite")])
    expect(result.stderr).toContain(`no workspace matches "production"`)
    expect(result.code).toBe(2)
  }, 60_000)

  it("its secrets script stores the secret in the Secret named after the old key", async () => {
    const scripts = join(dir, "scripts")
    const bin = join(dir, "bin")
    mkdirSync(scripts, { recursive: true })
    mkdirSync(bin, { recursive: true })
    const script = join(scripts, "store-key.sh")
    writeFileSync(script, documents.find((d) => d.kind === "ConfigMap").data["store-key.sh"])
    chmodSync(script, 0o755)
    // a stand-in kubectl: `create … --dry-run=client -o yaml` prints its arguments, `apply -f -` records what it got
    const applied = join(dir, "applied.txt")
    writeFileSync(join(bin, "kubectl"), `#!/bin/sh\nif [ "$1" = create ]; then printf '%s\\n' "$@"; else cat > ${applied}; fi\n`)
    chmodSync(join(bin, "kubectl"), 0o755)
    const path = process.env.PATH
    process.env.PATH = `${bin}:${path}`
    try {
      await Effect.runPromise(
        SecretSink.command(script).deliver({
          oldHash: "old",
          newHash: "new-hash",
          name: "CI Deploy-rotated",
          oldName: "CI Deploy",
          workspace: "production",
          workspaceId: "w",
          label: "sk-or-v1-abc...1234",
          secret: Redacted.make("sk-or-v1-the-secret")
        })
      )
    } finally {
      process.env.PATH = path
    }
    const lines = readFileSync(applied, "utf8").split("\n")
    expect(lines).toContain("openrouter-key-ci-deploy")
    expect(lines).toContain("--from-literal=api-key=sk-or-v1-the-secret")
    expect(lines).toContain("--from-literal=key-hash=new-hash")
  }, 60_000)
})
