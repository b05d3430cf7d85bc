/** Running the built CLI (`bin/openrouter-admin.mjs`) as a child process, piped or on a pseudo-terminal. */
import { spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { RunningSimulator } from "../src/simulator/index.ts"

export const bin = fileURLToPath(new URL("../bin/openrouter-admin.mjs", import.meta.url))

export interface Result {
  readonly code: number | null
  readonly stdout: string
  /** stdout as it came, for binary content */
  readonly bytes: Buffer
  readonly stderr: string
}

/** A fresh working directory for a suite's runs (journals and reports land there). */
export const workDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix))

export const collect = (file: string, args: ReadonlyArray<string>, options: { readonly cwd: string; readonly env: Record<string, string | undefined> }) =>
  new Promise<Result>((resolve) => {
    const child = spawn(file, args, { cwd: options.cwd, env: { ...process.env, ...options.env } as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] })
    const stdout: Array<Buffer> = []
    let stderr = ""
    child.stdout.on("data", (d: Buffer) => stdout.push(d))
    child.stderr.on("data", (d) => (stderr += d))
    child.on("exit", (code) => {
      const bytes = Buffer.concat(stdout)
      resolve({ code, stdout: bytes.toString("utf8"), bytes, stderr })
    })
  })

/** The environment that points the CLI at a simulator with its management key. */
export const simulatorEnv = (sim: RunningSimulator | undefined) =>
  sim ? { OPENROUTER_API_KEY: sim.managementKey, OPENROUTER_BASE_URL: sim.baseUrl } : {}

/** The CLI with stdout a pipe. */
export const runIn = (cwd: string) =>
(sim: RunningSimulator | undefined, args: ReadonlyArray<string>, env: Record<string, string | undefined> = {}) =>
  collect(process.execPath, [bin, ...args], { cwd, env: { ...simulatorEnv(sim), ...env } })

/** The JSON documents of JSON-lines output. */
export const jsonLines = (text: string) => text.split("\n").filter((l) => l.trim().startsWith("{")).map((l) => JSON.parse(l))
