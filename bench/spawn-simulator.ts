/** Start `bench/simulator-process.ts` in a child process and wait for its address. */
import { type ChildProcess, spawn } from "node:child_process"
import { createInterface } from "node:readline"
import { fileURLToPath } from "node:url"

export interface SimulatorProcess {
  readonly baseUrl: string
  readonly managementKey: string
  readonly child: ChildProcess
  readonly stop: () => Promise<void>
  /** The simulator's request log so far. */
  readonly log: () => Promise<ReadonlyArray<{ method: string; path: string; status: number }>>
}

export const spawnSimulator = (options: object = {}): Promise<SimulatorProcess> =>
  new Promise((resolve, reject) => {
    const script = fileURLToPath(new URL("./simulator-process.ts", import.meta.url))
    const child = spawn(process.execPath, ["--import", "tsx", script, JSON.stringify(options)], {
      stdio: ["ignore", "pipe", "inherit", "ipc"]
    })
    child.once("exit", (code) => reject(new Error(`simulator exited with ${code}`)))
    createInterface({ input: child.stdout! }).once("line", (line) => {
      const { baseUrl, managementKey } = JSON.parse(line)
      resolve({
        baseUrl,
        managementKey,
        child,
        log: () =>
          new Promise((done) => {
            child.once("message", (log) => done(log as any))
            child.send("log")
          }),
        stop: () =>
          new Promise<void>((done) => {
            child.removeAllListeners("exit")
            child.once("exit", () => done())
            child.kill("SIGTERM")
          })
      })
    })
  })
