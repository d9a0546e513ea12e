import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { AcademicSession, GovernorsReport } from '@harbour/shared';
import { ApiRequestError, withQuery } from '../api';
import { DataTable } from '../components/DataTable';
import { ErrorAlert } from '../components/ErrorAlert';
import { DateField } from '../components/Field';
import { FormProblems } from '../components/formProblems';
import { usePageTitle } from '../components/usePageTitle';
import { useFormat } from '../i18n/format';
import { categoryLabel, yearGroupLabel } from '../labels';
import { previousTerm, schoolPresets, schoolYear, termOf, termRange, type Range } from './terms';
import { useLoad } from './useLoad';

type Row = { key: string; label: string; count: number };

/** Anonymised counts for governors: no names, devices or details; bar charts plus the same figures as tables. */
export function GovernorsReportPage() {
  const { t } = useTranslation();
  const f = useFormat();
  usePageTitle(t('governors.title'));
  const now = new Date();
  const current = termOf(now);
  const last = previousTerm(current.term, current.year);
  // The school's own term dates where the roster brought them; the months otherwise.
  const { data: calendar } = useLoad<{ sessions: AcademicSession[] }>('/api/terms');
  const sessions = calendar?.sessions ?? [];
  const own = schoolPresets(sessions, now);
  const hasTerms = sessions.some((s) => s.type === 'term' || s.type === 'semester');
  const hasYears = sessions.some((s) => s.type === 'schoolYear');
  const presets: { id: string; label: string; range: Range }[] = [
    ...(hasTerms
      ? [
          ...(own.thisTerm
            ? [
                {
                  id: 'this-term',
                  label: t('governors.thisTerm', { term: own.thisTerm.title }),
                  range: own.thisTerm.range,
                },
              ]
            : []),
          ...(own.lastTerm
            ? [
                {
                  id: 'last-term',
                  label: t('governors.lastTerm', { term: own.lastTerm.title }),
                  range: own.lastTerm.range,
                },
              ]
            : []),
        ]
      : [
          {
            id: 'this-term',
            label: t('governors.thisTerm', { term: t(`governors.term.${current.term}`) }),
            range: termRange(current.term, current.year),
          },
          {
            id: 'last-term',
            label: t('governors.lastTerm', { term: t(`governors.term.${last.term}`) }),
            range: termRange(last.term, last.year),
          },
        ]),
    {
      id: 'this-year',
      label: t('governors.thisYear'),
      range: hasYears && own.thisYear ? own.thisYear : schoolYear(now),
    },
    {
      id: 'last-year',
      label: t('governors.lastYear'),
      range: hasYears && own.lastYear ? own.lastYear : schoolYear(now, 1),
    },
  ];
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [range, setRange] = useState<{ from?: string; to?: string }>({});
  const [formError, setFormError] = useState<unknown>(null);
  const { data, error } = useLoad<GovernorsReport>(withQuery('/api/reports/governors', range));

  function choose(r: Range) {
    setFormError(null);
    setFrom(r.from);
    setTo(r.to);
    setRange(r);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    setFormError(null);
    const problems = [
      ...(from !== '' && Number.isNaN(Date.parse(from))
        ? [{ path: 'from', message: t('governors.dateInvalid') }]
        : []),
      ...(to !== '' && Number.isNaN(Date.parse(to))
        ? [{ path: 'to', message: t('governors.dateInvalid') }]
        : []),
      ...(from !== '' && to !== '' && to < from
        ? [{ path: 'to', message: t('governors.toBeforeFrom') }]
        : []),
    ];
    if (problems.length > 0) {
      setFormError(new ApiRequestError(0, 'validation_failed', problems[0]?.message ?? '', problems));
      return;
    }
    setRange({ ...(from ? { from } : {}), ...(to ? { to } : {}) });
  }

  const trend =
    data && data.previousTotal > 0
      ? data.total >= data.previousTotal
        ? t('governors.up', { count: data.previousTotal })
        : t('governors.down', { count: data.previousTotal })
      : t('governors.noneBefore');
  const label = (group: 'category' | 'yearGroup' | 'outcome' | 'source', row: Row) => {
    switch (group) {
      case 'category':
        return categoryLabel(t, row.key, row.label);
      case 'yearGroup':
        return yearGroupLabel(t, row.key);
      case 'outcome':
        return row.key === 'open'
          ? t('governors.stillOpen')
          : t(`enums.incidentOutcome.${row.key}` as 'enums.incidentOutcome.unfounded', {
              defaultValue: row.label,
            });
      case 'source':
        return t(`enums.incidentSource.${row.key}` as 'enums.incidentSource.flag', {
          defaultValue: row.label,
        });
    }
  };

  return (
    <>
      <p className="breadcrumb no-print">
        <Link to="/incidents">{t('incidents.all')}</Link>
      </p>
      <h1>{t('governors.title')}</h1>
      <p className="lead">{t('governors.lead')}</p>
      <div className="toolbar no-print" role="group" aria-label={t('governors.presets')}>
        {presets.map((p) => (
          <button
            key={p.id}
            type="button"
            className="button"
            aria-pressed={range.from === p.range.from && range.to === p.range.to}
            onClick={() => choose(p.range)}
          >
            {p.label}
          </button>
        ))}
      </div>
      {/* Said once the calendar has loaded: the months' hint must not flash before the school's own terms. */}
      {calendar && (
        <p className="hint no-print">
          {hasTerms ? t('governors.termsFromRoster') : t('governors.termsHint')}
        </p>
      )}
      <FormProblems error={formError}>
        <form className="inline-form no-print" onSubmit={submit} noValidate>
          <DateField label={t('governors.from')} name="from" value={from} onChange={setFrom} />
          <DateField label={t('governors.to')} name="to" value={to} onChange={setTo} />
          <button type="submit" className="button">
            {t('common.show')}
          </button>
          <button type="button" className="button" onClick={() => window.print()}>
            {t('common.print')}
          </button>
        </form>
      </FormProblems>
      <ErrorAlert error={formError ?? error} />
      {data && (
        <>
          <p className="governors-total">
            {t('governors.total', { from: f.date(data.from), to: f.date(data.to) })}{' '}
            <strong data-testid="governors-total">{data.total}</strong>{' '}
            {t('governors.incidents', { count: data.total })} ({trend}).
          </p>
          <h2>{t('governors.byMonth')}</h2>
          <CountChart
            title={t('governors.byMonth')}
            rows={data.byMonth.map((m) => ({ key: m.month, label: f.month(m.month), count: m.count }))}
            vertical={false}
          />
          <CountTable
            caption={t('governors.byMonthCaption')}
            rows={data.byMonth.map((m) => ({ key: m.month, label: f.month(m.month), count: m.count }))}
          />
          {(
            [
              ['category', t('governors.byCategory'), data.byCategory],
              ['yearGroup', t('governors.byYearGroup'), data.byYearGroup],
              ['outcome', t('governors.byOutcome'), data.byOutcome],
              ['source', t('governors.bySource'), data.bySource],
            ] as const
          ).map(([group, title, rows]) => {
            const named = rows.map((r) => ({ ...r, label: label(group, r) }));
            return (
              <section key={group}>
                <h2>{title}</h2>
                <CountChart title={title} rows={named} vertical />
                <CountTable caption={title} rows={named} />
              </section>
            );
          })}
        </>
      )}
    </>
  );
}

/**
 * Counts as bars (a count per month is a step, not a curve). The chart is a picture for
 * sighted readers; the table under it carries the same figures for everyone, so the chart
 * is one image with a name, and nothing inside it takes the keyboard focus.
 */
function CountChart({ title, rows, vertical }: { title: string; rows: Row[]; vertical: boolean }) {
  const { t } = useTranslation();
  const height = vertical ? Math.max(160, rows.length * 36 + 40) : 280;
  return (
    <figure
      className="chart-box"
      role="img"
      aria-label={t('governors.chartLabel', { title })}
      style={{ height }}
    >
      <ResponsiveContainer>
        <BarChart
          data={rows}
          layout={vertical ? 'vertical' : 'horizontal'}
          margin={{ left: 8, right: 16, top: 8, bottom: 8 }}
          accessibilityLayer={false}
        >
          <CartesianGrid strokeDasharray="3 3" />
          {vertical ? (
            <>
              <XAxis type="number" allowDecimals={false} />
              <YAxis type="category" dataKey="label" width={170} />
            </>
          ) : (
            <>
              <XAxis dataKey="label" />
              <YAxis allowDecimals={false} />
            </>
          )}
          <Tooltip />
          <Bar dataKey="count" name={t('governors.incidentsName')} fill="#0b4f6c" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}

function CountTable({ caption, rows }: { caption: string; rows: Row[] }) {
  const { t } = useTranslation();
  return (
    <DataTable
      caption={caption}
      rows={rows}
      rowKey={(r) => r.key}
      columns={[
        { key: 'label', header: t('governors.what'), rowHeader: true, cell: (r) => r.label },
        { key: 'count', header: t('governors.count'), cell: (r) => r.count },
      ]}
    />
  );
}
