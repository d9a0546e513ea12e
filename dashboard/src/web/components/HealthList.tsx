import type { DeviceHealth } from '@harbour/shared';

/** A device's health problems, or a calm "No problems". Each problem is told in words, never by colour alone. */
export function HealthList({ health }: { health: DeviceHealth[] }) {
  if (health.length === 0) return <span className="muted">No problems</span>;
  return (
    <ul className="health-list">
      {health.map((problem) => (
        <li key={`${problem.source}:${problem.code}`} className="health-problem" data-code={problem.code}>
          <span className="health-icon" aria-hidden="true">
            !
          </span>
          {problem.message}
        </li>
      ))}
    </ul>
  );
}
