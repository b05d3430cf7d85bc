/**
 * Where key rotation hands each new secret: a file of JSON lines (created 0600, appended to only when
 * that is safe) or a command run once per key with the secret on stdin and the names in its
 * environment, as git runs its credential helpers. The secret is `Redacted` until the moment it is
 * written; nothing here logs it, and a command's output is never shown (a failing command's last
 * line of stderr is, with the secret masked out).
 *
 * @since 0.1.0
 */
import { Effect, Redacted, Schema } from "effect"
import { spawn } from "node:child_process"
import { closeSync, constants, fstatSync, fsyncSync, lstatSync, openSync, readFileSync, writeSync } from "node:fs"
import { dirname, resolve } from "node:path"

/**
 * One new key to hand over.
 *
 * @since 0.1.0
 * @category models
 */
export interface Delivery {
  readonly oldHash: string
  readonly newHash: string
  /** The new key's name. */
  readonly name: string
  /** The name of the key it replaces. */
  readonly oldName: string
  /** The workspace's slug. */
  readonly workspace: string
  readonly workspaceId: string
  /** The new key's label (the masked key). */
  readonly label: string
  readonly secret: Redacted.Redacted<string>
}

/**
 * The secret was not handed over: `reason` says why (never the secret).
 *
 * @since 0.1.0
 * @category errors
 */
export class SecretNotDeliveredError extends Schema.TaggedError<SecretNotDeliveredError>()("SecretNotDeliveredError", {
  sink: Schema.String,
  reason: Schema.String
}) {
  override get message() {
    return `the secret was not delivered to ${this.sink}: ${this.reason}`
  }
}

/**
 * A place for new secrets.
 *
 * @since 0.1.0
 * @category models
 */
export interface SecretSink {
  /** What a person reads: "file /run/keys.jsonl", "command ./store-key.sh". */
  readonly describe: string
  /** Checked before any key is created: can secrets be delivered there at all? */
  readonly check: Effect.Effect<void, SecretNotDeliveredError>
  /** Hand one secret over; success means it is there (written and synced, or the command exited 0). */
  readonly deliver: (delivery: Delivery) => Effect.Effect<void, SecretNotDeliveredError>
  /**
   * Does the sink hold this new key's secret already? For a run that delivered it and stopped before the
   * journal recorded that. A sink that cannot tell leaves it out (the key then counts as not delivered).
   */
  readonly holds?: (newHash: string) => Effect.Effect<boolean>
}

const currentUid = () => (typeof process.getuid === "function" ? process.getuid() : undefined)

/** Why an existing file must not receive secrets, or undefined when appending to it is safe. */
const unsafeToAppend = (stat: { isFile(): boolean; mode: number; uid: number }) => {
  if (!stat.isFile()) return "it is not a regular file"
  const uid = currentUid()
  if (uid !== undefined && stat.uid !== uid) return `it belongs to another user (uid ${stat.uid})`
  if ((stat.mode & 0o077) !== 0) {
    return `other users may read it (mode ${(stat.mode & 0o777).toString(8)}): chmod 600 it, or name a new file`
  }
  return undefined
}

/**
 * A file of JSON lines, one per key: `{"oldHash","newHash","name","workspace","secret"}`. Created with
 * mode 0600 (never through a symbolic link); an existing file is appended to only when it is a regular
 * file of this user that nobody else can read. Each line is synced to disk before it counts as delivered.
 *
 * @since 0.1.0
 * @category sinks
 */
export const file = (path: string): SecretSink => {
  const target = resolve(path)
  const fail = (reason: string) => new SecretNotDeliveredError({ sink: target, reason })
  const check = Effect.suspend(() => {
    try {
      const stat = lstatSync(target)
      if (stat.isSymbolicLink()) return Effect.fail(fail("it is a symbolic link: name the file itself"))
      const unsafe = unsafeToAppend(stat)
      return unsafe === undefined ? Effect.void : Effect.fail(fail(`refusing to append to it: ${unsafe}`))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") return Effect.fail(fail((error as Error).message))
      try {
        if (!lstatSync(dirname(target)).isDirectory()) return Effect.fail(fail(`${dirname(target)} is not a directory`))
        return Effect.void
      } catch {
        return Effect.fail(fail(`the directory ${dirname(target)} does not exist`))
      }
    }
  })
  const deliver = (delivery: Delivery) =>
    Effect.flatMap(check, () =>
      Effect.try({
        try: () => {
          const fd = openSync(target, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600)
          try {
            // checked again on what was opened: nobody swapped the file in between
            const unsafe = unsafeToAppend(fstatSync(fd))
            if (unsafe !== undefined) throw new Error(`refusing to append to it: ${unsafe}`)
            const line = JSON.stringify({
              oldHash: delivery.oldHash,
              newHash: delivery.newHash,
              name: delivery.name,
              workspace: delivery.workspace,
              secret: Redacted.value(delivery.secret)
            })
            writeSync(fd, `${line}\n`)
            fsyncSync(fd)
          } finally {
            closeSync(fd)
          }
        },
        catch: (error) => fail((error as Error).message)
      }))
  const holds = (newHash: string) =>
    Effect.sync(() => {
      try {
        return readFileSync(target, "utf8").split("\n").some((line) => {
          try {
            return (JSON.parse(line) as { newHash?: unknown }).newHash === newHash
          } catch {
            return false
          }
        })
      } catch {
        return false
      }
    })
  return { describe: `file ${target}`, check, deliver, holds }
}

/** A command as reports name it: its first 60 characters. */
const clip = (commandLine: string) => (commandLine.length > 60 ? `"${commandLine.slice(0, 57)}…"` : `"${commandLine}"`)

/** How long a secrets command may take. */
const COMMAND_TIMEOUT_MS = 60_000

/** Variables of ours a secrets command must not inherit: the management key, the journal's URL (its password). */
const withheld = ["OPENROUTER_API_KEY", "OPENROUTER_JOURNAL"]

/**
 * A shell command run once per key (`/bin/sh -c COMMAND`): the secret and a newline on stdin; in the
 * environment `OPENROUTER_KEY_NAME`, `OPENROUTER_KEY_HASH`, `OPENROUTER_KEY_LABEL`, `OPENROUTER_OLD_KEY_NAME`,
 * `OPENROUTER_OLD_KEY_HASH`, `OPENROUTER_KEY_WORKSPACE` (slug) and `OPENROUTER_KEY_WORKSPACE_ID`, but
 * not `OPENROUTER_API_KEY` nor `OPENROUTER_JOURNAL`. Exit 0 within a minute means delivered; its output
 * is never shown, only the last line of its stderr when it fails, with the secret masked.
 *
 * @since 0.1.0
 * @category sinks
 */
export const command = (commandLine: string): SecretSink => {
  const fail = (reason: string) => new SecretNotDeliveredError({ sink: `command ${clip(commandLine)}`, reason })
  const deliver = (delivery: Delivery) =>
    Effect.async<void, SecretNotDeliveredError>((resume) => {
      const env: Record<string, string | undefined> = { ...process.env }
      for (const name of withheld) delete env[name]
      Object.assign(env, {
        OPENROUTER_KEY_NAME: delivery.name,
        OPENROUTER_OLD_KEY_NAME: delivery.oldName,
        OPENROUTER_KEY_HASH: delivery.newHash,
        OPENROUTER_KEY_LABEL: delivery.label,
        OPENROUTER_OLD_KEY_HASH: delivery.oldHash,
        OPENROUTER_KEY_WORKSPACE: delivery.workspace,
        OPENROUTER_KEY_WORKSPACE_ID: delivery.workspaceId
      })
      const secret = Redacted.value(delivery.secret)
      const mask = (text: string) => text.split(secret).join("<redacted>")
      const child = spawn("/bin/sh", ["-c", commandLine], { env, stdio: ["pipe", "ignore", "pipe"] })
      let stderr = ""
      let settled = false
      const done = (outcome: Effect.Effect<void, SecretNotDeliveredError>) => {
        if (settled) return
        settled = true
        clearTimeout(timer)
        resume(outcome)
      }
      const timer = setTimeout(() => {
        child.kill("SIGKILL")
        done(Effect.fail(fail(`it did not finish within ${COMMAND_TIMEOUT_MS / 1000} s (killed)`)))
      }, COMMAND_TIMEOUT_MS)
      child.stderr.on("data", (chunk: Buffer) => {
        stderr = (stderr + chunk.toString("utf8")).slice(-4096)
      })
      child.on("error", (error) => done(Effect.fail(fail(mask(error.message)))))
      child.on("close", (code, signal) => {
        if (code === 0) return done(Effect.void)
        const last = mask(stderr).trim().split("\n").pop()?.slice(0, 300)
        const how = signal !== null ? `it was killed by ${signal}` : `it exited with ${code}`
        done(Effect.fail(fail(last ? `${how}: ${last}` : how)))
      })
      // a command that does not read stdin closes it early: that is its business, not an error
      child.stdin.on("error", () => {})
      child.stdin.end(`${secret}\n`)
      return Effect.sync(() => {
        if (!settled) child.kill("SIGKILL")
      })
    })
  return { describe: `command ${clip(commandLine)}`, check: Effect.void, deliver }
}
