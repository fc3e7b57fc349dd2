/**
 * The TCP ports an app's processes listen on, read from Linux's /proc: for an app started the documented way that
 * still listens somewhere other than `$PORT` (a server's default port, say uvicorn's 8000). Mirrored by
 * runtime-layer/python/spaceport_adapter/listening_ports.py.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const LISTEN_STATE = '0A';

/** Socket inodes held open by the processes of group `pgid`. */
function socketInodes(pgid: number): Set<string> {
  const inodes = new Set<string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let fds: string[];
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'latin1');
      // After the parenthesised command name: state, ppid, pgrp.
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ', 3)[2]) !== pgid) continue;
      fds = readdirSync(`/proc/${entry}/fd`);
    } catch {
      continue; // exited meanwhile, or not ours to read
    }
    for (const fd of fds) {
      try {
        const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${entry}/fd/${fd}`))?.[1];
        if (inode) inodes.add(inode);
      } catch {
        // closed meanwhile
      }
    }
  }
  return inodes;
}

/** Ports (ascending) on which a process of group `pgid` has a listening TCP socket, IPv4 or IPv6. */
export function listeningPorts(pgid: number): number[] {
  const inodes = socketInodes(pgid);
  if (inodes.size === 0) return [];
  const ports = new Set<number>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'latin1');
    } catch {
      continue; // no IPv6
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== LISTEN_STATE || !inodes.has(fields[9])) continue;
      ports.add(parseInt(fields[1].slice(fields[1].lastIndexOf(':') + 1), 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
}
