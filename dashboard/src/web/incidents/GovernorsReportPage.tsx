import { useState } from 'react';
import { Link } from 'react-router-dom';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import type { GovernorsReport } from '@harbour/shared';
import { withQuery } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { TextField } from '../components/Field';
import { usePageTitle } from '../components/usePageTitle';
import { useLoad } from './useLoad';

/** Anonymised counts for governors: no names, devices or details; charts plus the same figures as tables. */
export function GovernorsReportPage() {
  usePageTitle('Governors’ report');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [range, setRange] = useState<{ from?: string; to?: string }>({});
  const { data, error } = useLoad<GovernorsReport>(withQuery('/api/reports/governors', range));

  const trend =
    data && data.previousTotal > 0
      ? `${data.total >= data.previousTotal ? 'up' : 'down'} from ${data.previousTotal} in the period before`
      : data
        ? 'no incidents in the period before'
        : '';

  return (
    <>
      <p className="breadcrumb no-print">
        <Link to="/incidents">All incidents</Link>
      </p>
      <h1>Governors’ report</h1>
      <p className="lead">
        Anonymised counts of e-safety incidents for the termly report. No pupil is named.
      </p>
      <form
        className="inline-form no-print"
        onSubmit={(e) => {
          e.preventDefault();
          setRange({ ...(from ? { from } : {}), ...(to ? { to } : {}) });
        }}
        noValidate
      >
        <TextField label="From (YYYY-MM-DD)" value={from} onChange={setFrom} />
        <TextField label="To (YYYY-MM-DD)" value={to} onChange={setTo} />
        <button type="submit" className="button">
          Show
        </button>
        <button type="button" className="button" onClick={() => window.print()}>
          Print
        </button>
      </form>
      <ErrorAlert error={error} />
      {data && (
        <>
          <p className="governors-total">
            From {data.from} to {data.to}: <strong data-testid="governors-total">{data.total}</strong>{' '}
            {data.total === 1 ? 'incident' : 'incidents'} ({trend}).
          </p>
          <h2>By month</h2>
          <div className="chart-box" aria-hidden="true">
            <ResponsiveContainer>
              <LineChart data={data.byMonth}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="month" />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Line type="monotone" dataKey="count" name="Incidents" stroke="#0b4f6c" strokeWidth={2} />
              </LineChart>
            </ResponsiveContainer>
          </div>
          <CountTable
            caption="Incidents by month"
            rows={data.byMonth.map((m) => ({ key: m.month, label: m.month, count: m.count }))}
          />
          {(
            [
              ['By category', data.byCategory],
              ['By year group', data.byYearGroup],
              ['By outcome', data.byOutcome],
              ['By source', data.bySource],
            ] as const
          ).map(([title, rows]) => (
            <section key={title}>
              <h2>{title}</h2>
              <div className="chart-box" aria-hidden="true">
                <ResponsiveContainer>
                  <BarChart data={[...rows]} layout="vertical" margin={{ left: 120 }}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis type="number" allowDecimals={false} />
                    <YAxis type="category" dataKey="label" width={200} />
                    <Tooltip />
                    <Bar dataKey="count" name="Incidents" fill="#0b4f6c" />
                  </BarChart>
                </ResponsiveContainer>
              </div>
              <CountTable caption={title} rows={[...rows]} />
            </section>
          ))}
        </>
      )}
    </>
  );
}

function CountTable({
  caption,
  rows,
}: {
  caption: string;
  rows: { key: string; label: string; count: number }[];
}) {
  return (
    <div className="table-wrap">
      <table>
        <caption>{caption}</caption>
        <tbody>
          {rows.map((r) => (
            <tr key={r.key}>
              <th scope="row">{r.label}</th>
              <td>{r.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
