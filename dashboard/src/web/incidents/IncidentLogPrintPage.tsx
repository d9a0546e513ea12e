import { type IncidentSummary } from '@harbour/shared';
import { Link } from 'react-router-dom';
import { ErrorAlert } from '../components/ErrorAlert';
import { DateTime } from '../components/time';
import { usePageTitle } from '../components/usePageTitle';
import { pupilOf, sourceLabel, stateLabel } from './labels';
import { useLoad } from './useLoad';

/** The incident log laid out for paper (or the browser's "Save as PDF"). */
export function IncidentLogPrintPage() {
  usePageTitle('Incident log');
  const { data, error } = useLoad<{ incidents: IncidentSummary[] }>('/api/incidents?limit=1000');
  return (
    <div className="print-log">
      <p className="no-print toolbar">
        <Link to="/incidents">Back to incidents</Link>
        <button type="button" className="button button-primary" onClick={() => window.print()}>
          Print
        </button>
      </p>
      <h1>Incident log</h1>
      <p>
        Printed <DateTime iso={new Date().toISOString()} />. Confidential: safeguarding records.
      </p>
      <ErrorAlert error={error} />
      {data && (
        <table className="print-table">
          <thead>
            <tr>
              <th scope="col">Ref</th>
              <th scope="col">Date and time</th>
              <th scope="col">Pupil</th>
              <th scope="col">Room and device</th>
              <th scope="col">Details</th>
              <th scope="col">Source</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {data.incidents.map((i) => (
              <tr key={i.id}>
                <td>{i.ref}</td>
                <td>
                  <DateTime iso={i.occurredAt} />
                </td>
                <td>{pupilOf(i)}</td>
                <td>
                  {[i.roomName, i.deviceName, i.deviceSerial && `serial ${i.deviceSerial}`]
                    .filter(Boolean)
                    .join(', ')}
                </td>
                <td>{i.summary}</td>
                <td>{sourceLabel[i.source]}</td>
                <td>{stateLabel(i.state)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
