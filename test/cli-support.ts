/** Running the built CLI (`bin/openrouter-admin.mjs`) as a child process, piped or on a pseudo-terminal. */
import { type ChildProcess, spawn } from "node:child_process"
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

/** Start a program with stdout and stderr piped (an `undefined` in `env` removes that variable). */
export const spawnIn = (
  file: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd: string; readonly env: Record<string, string | undefined> }
) => spawn(file, args, { cwd: options.cwd, env: { ...process.env, ...options.env } as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] })

/** What a child printed, and how it ended. */
export const collectChild = (child: ChildProcess) =>
  new Promise<Result>((resolve) => {
    const stdout: Array<Buffer> = []
    let stderr = ""
    child.stdout!.on("data", (d: Buffer) => stdout.push(d))
    child.stderr!.on("data", (d) => (stderr += d))
    child.on("exit", (code) => {
      const bytes = Buffer.concat(stdout)
      resolve({ code, stdout: bytes.toString("utf8"), bytes, stderr })
    })
  })

export const collect = (
  file: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd: string; readonly env: Record<string, string | undefined> }
) => collectChild(spawnIn(file, args, options))

/** The environment that points the CLI at a simulator with its management key. */
export const simulatorEnv = (sim: RunningSimulator | undefined) =>
  sim ? { OPENROUTER_API_KEY: sim.managementKey, OPENROUTER_BASE_URL: sim.baseUrl } : {}

/** The CLI started with stdout a pipe (to signal it, or read it as it runs). */
export const launchIn =
  (cwd: string) => (sim: RunningSimulator | undefined, args: ReadonlyArray<string>, env: Record<string, string | undefined> = {}) =>
    spawnIn(process.execPath, [bin, ...args], { cwd, env: { ...simulatorEnv(sim), ...env } })

/** The CLI run to its end with stdout a pipe. */
export const runIn = (cwd: string) => {
  const launch = launchIn(cwd)
  return (sim: RunningSimulator | undefined, args: ReadonlyArray<string>, env: Record<string, string | undefined> = {}) =>
    collectChild(launch(sim, args, env))
}

/** The CLI on a pseudo-terminal of `columns` columns (`script` gives it one); stdout and stderr mixed. */
export const onTerminalIn = (cwd: string) =>
async (
  sim: RunningSimulator | undefined,
  args: ReadonlyArray<string>,
  columns: number,
  env: Record<string, string | undefined> = {}
) => {
  const quoted = [process.execPath, bin, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ")
  const result = await collect("script", ["-qfec", `stty cols ${columns} rows 50; ${quoted}`, "/dev/null"], {
    cwd,
    env: { TERM: "xterm-256color", NO_COLOR: undefined, COLUMNS: undefined, ...simulatorEnv(sim), ...env }
  })
  return { ...result, lines: result.stdout.split(/\r?\n/).filter((l) => l !== "") }
}

/** The JSON documents of JSON-lines output. */
export const jsonLines = (text: string) => text.split("\n").filter((l) => l.trim().startsWith("{")).map((l) => JSON.parse(l))

/**
 * The CLI on a pseudo-terminal that a person answers: each time the output shows `prompt`, `answer` is
 * typed (with Enter). stdout and stderr mixed, as a terminal shows them.
 */
export const onTerminalAnsweringIn = (cwd: string) =>
async (
  sim: RunningSimulator | undefined,
  args: ReadonlyArray<string>,
  columns: number,
  answers: ReadonlyArray<{ readonly prompt: string; readonly answer: string }>,
  env: Record<string, string | undefined> = {}
) => {
  const quoted = [process.execPath, bin, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(" ")
  const child = spawn("script", ["-qfec", `stty cols ${columns} rows 50; ${quoted}`, "/dev/null"], {
    cwd,
    env: { ...process.env, TERM: "xterm-256color", NO_COLOR: undefined, COLUMNS: undefined, ...simulatorEnv(sim), ...env } as NodeJS.ProcessEnv,
    stdio: ["pipe", "pipe", "pipe"]
  })
  let seen = ""
  let next = 0
  child.stdout!.on("data", (d: Buffer) => {
    seen += d.toString("utf8")
    const pending = answers[next]
    if (pending !== undefined && seen.includes(pending.prompt)) {
      next++
      seen = ""
      child.stdin!.write(`${pending.answer}\r`)
    }
  })
  const result = await collectChild(child)
  child.stdin!.end()
  return { ...result, lines: result.stdout.split(/\r?\n/).filter((l) => l !== "") }
}
