#!/usr/bin/env node
/**
 * Harbour's native messaging host. The browser starts it for Harbour's extension only
 * (the host manifest's allowed_origins names the extension's pinned ID) and talks to it
 * over stdin/stdout: each message is a 32-bit little-endian length and that much UTF-8
 * JSON. The host relays each message, as one line, to the running agent's local socket,
 * after proving it knows the agent's per-session secret (read from a file only this user
 * can read). It writes nothing to stdout: the browser would read it as a message.
 */
import fs from 'node:fs';
import net from 'node:net';
import { bridgeLimits } from '@harbour/shared';
import { bridgeDir, readBridgeInfo } from '../core/activity/bridge-paths.js';
import { ancestors } from '../core/activity/own-process.js';

const dir = bridgeDir();
let socket: net.Socket | undefined;
let connecting = false;
/** The newest message not yet delivered (only the current tab matters). */
let pending: string | undefined;

function log(message: string): void {
  // The browser shows a host's stderr in its own log.
  process.stderr.write(`harbour-native-host: ${message}\n`);
}

function connect(): void {
  if (socket || connecting) return;
  const info = readBridgeInfo(dir);
  if (!info) {
    setTimeout(connect, 2000).unref();
    return;
  }
  connecting = true;
  const s = net.createConnection(info.socketPath);
  s.on('connect', () => {
    connecting = false;
    s.write(`${JSON.stringify({ type: 'auth', secret: info.secret })}\n`);
    // The browser started this host: its process, which owns its windows, is above us.
    s.write(`${JSON.stringify({ type: 'host', pids: ancestors() })}\n`);
    socket = s;
    if (pending) {
      s.write(pending);
      pending = undefined;
    }
  });
  s.on('error', () => undefined);
  s.on('close', () => {
    connecting = false;
    socket = undefined;
    setTimeout(connect, 2000).unref();
  });
}

function relay(json: string): void {
  const line = `${json}\n`;
  if (socket && !socket.destroyed) socket.write(line);
  else {
    pending = line;
    connect();
  }
}

// Native messaging frames from the browser.
let buffer = Buffer.alloc(0);
process.stdin.on('data', (chunk: Buffer) => {
  buffer = Buffer.concat([buffer, chunk]);
  while (buffer.length >= 4) {
    const length = buffer.readUInt32LE(0);
    if (length > bridgeLimits.messageBytes) {
      log(`message of ${length} bytes is too large; closing`);
      process.exit(1);
    }
    if (buffer.length < 4 + length) break;
    const body = buffer.subarray(4, 4 + length).toString('utf8');
    buffer = buffer.subarray(4 + length);
    try {
      relay(JSON.stringify(JSON.parse(body)));
    } catch {
      log('a message was not JSON; dropped');
    }
  }
});
// The browser closes stdin when the extension disconnects (or the browser exits).
process.stdin.on('end', () => process.exit(0));
process.on('SIGPIPE', () => process.exit(0));
if (!fs.existsSync(dir)) log(`the agent's bridge directory ${dir} does not exist yet; waiting for the agent`);
connect();
