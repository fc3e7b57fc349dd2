"""The TCP ports an app's processes listen on, read from Linux's /proc (same rules as
runtime-layer/node/listening-ports.ts): for an app that still listens somewhere other than $PORT."""
import os
import re

LISTEN_STATE = "0A"
SOCKET_LINK = re.compile(r"^socket:\[(\d+)\]$")


def _socket_inodes(pgid):
    inodes = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="latin-1") as stat_file:
                stat = stat_file.read()
            # After the parenthesised command name: state, ppid, pgrp.
            if int(stat[stat.rfind(")") + 2:].split(" ", 3)[2]) != pgid:
                continue
            fds = os.listdir(f"/proc/{entry}/fd")
        except (OSError, ValueError, IndexError):
            continue  # exited meanwhile, or not ours to read
        for fd in fds:
            try:
                match = SOCKET_LINK.match(os.readlink(f"/proc/{entry}/fd/{fd}"))
            except OSError:
                continue  # closed meanwhile
            if match:
                inodes.add(match.group(1))
    return inodes


def listening_ports(pgid):
    """Ports (ascending) on which a process of group `pgid` has a listening TCP socket, IPv4 or IPv6."""
    inodes = _socket_inodes(pgid)
    if not inodes:
        return []
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table, encoding="latin-1") as table_file:
                lines = table_file.read().split("\n")[1:]
        except OSError:
            continue  # no IPv6
        for line in lines:
            # sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
            fields = line.split()
            if len(fields) < 10 or fields[3] != LISTEN_STATE or fields[9] not in inodes:
                continue
            ports.add(int(fields[1][fields[1].rfind(":") + 1:], 16))
    return sorted(ports)
