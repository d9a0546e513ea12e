/**
 * What the tray shows, in one place so the headless agent can log the very same text
 * (tests read it there; the Electron shell puts it in the tray menu and tooltip).
 */
import type { AgentStatus } from '../core/agent.js';
import type { ConfigProblem } from './config/problems.js';

export const statusText: Record<AgentStatus, string> = {
  starting: 'Starting…',
  enrolling: 'Enrolling this computer…',
  connecting: 'Connecting…',
  online: 'Connected. This computer is monitored by your school.',
  offline: 'Offline. Harbour keeps working and sends reports later.',
  refused: 'This computer is not enrolled. Ask your technician.',
  stopped: 'Stopped',
};

/** The tray tooltip: status, its detail, and any settings problems a technician must fix. */
export function trayTooltip(
  status: AgentStatus,
  detail?: string,
  problems: readonly ConfigProblem[] = [],
): string {
  let text = `Harbour: ${statusText[status]}${detail ? ` (${detail})` : ''}`;
  if (problems.length === 1) text += `\nSettings problem: ${problems[0]?.message ?? ''}`;
  else if (problems.length > 1)
    text += `\n${problems.length} settings problems; see the agent log. First: ${problems[0]?.message ?? ''}`;
  return text;
}

/** Shown when no server URL is configured anywhere. */
export const noServerText =
  'Harbour: no server configured. Set serverUrl by policy or in the machine-wide config file, or ask your technician.';
