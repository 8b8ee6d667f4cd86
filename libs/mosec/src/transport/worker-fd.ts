/**
 * The worker's end of its socket: fd 4 of the child, one end of a Unix socket pair made at fork (fd 3
 * is fork's IPC channel). It has no name in the file system, so nothing but this one child can reach
 * it, and nothing is left behind when either side dies.
 */
export const WORKER_SOCKET_FD = 4;

/** fd 5 of the child, another socket pair: its heartbeats, written by a thread of their own, never inside a frame of fd 4. */
export const HEARTBEAT_FD = 5;
