// The benchmark's clock, shared by its processes (runner, load generator, receiver): milliseconds
// on the system's monotonic clock. Each process anchors its own monotonic clock (performance.now())
// to /proc/uptime once (10 ms steps), so the times of different processes compare within ~10 ms.
// Wall time (performance.timeOrigin, Date.now) does not do: this machine's wall clock was seen to
// step by minutes in the middle of a run, and rates measured across two processes came out negative.
import { readFileSync } from 'node:fs'

const origin = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 1000 - performance.now()

export const now = (): number => origin + performance.now()
