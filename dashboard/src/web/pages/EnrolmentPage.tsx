import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import {
  createEnrolmentTokenRequestSchema,
  defaultEnrolmentUses,
  type EnrolmentToken,
  type Room,
} from '@harbour/shared';
import { ApiRequestError, api } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { SelectField, TextField } from '../components/Field';
import { NewTokenPanel } from '../components/NewTokenPanel';
import { DataTable } from '../components/DataTable';
import { FormProblems } from '../components/formProblems';
import { DateTime, useNow } from '../components/time';
import { useRowAction, useSubmit } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';
import { checkForm } from '../validate';

type CreatedToken = EnrolmentToken & { token: string };
type TokenState = 'active' | 'expired' | 'revoked' | 'usedUp';

function tokenState(token: EnrolmentToken, now: number): TokenState {
  if (token.revokedAt !== null) return 'revoked';
  if (new Date(token.expiresAt).getTime() <= now) return 'expired';
  if (token.maxUses !== null && token.uses >= token.maxUses) return 'usedUp';
  return 'active';
}

/** How staff can tell tokens apart: the label, or the start of the id. */
export function tokenName(token: EnrolmentToken): string {
  return token.label ?? token.id.slice(0, 8);
}

export function EnrolmentPage() {
  const { t } = useTranslation();
  usePageTitle(t('enrolment.title'));
  const now = useNow();
  const [rooms, setRooms] = useState<Room[] | null>(null);
  const [tokens, setTokens] = useState<EnrolmentToken[] | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [created, setCreated] = useState<{ token: CreatedToken; roomName: string } | null>(null);
  const rows = useRowAction();

  useEffect(() => {
    let cancelled = false;
    Promise.all([
      api.get<{ rooms: Room[] }>('/api/rooms'),
      api.get<{ tokens: EnrolmentToken[] }>('/api/enrolment-tokens'),
    ]).then(
      ([roomData, tokenData]) => {
        if (cancelled) return;
        setRooms(roomData.rooms);
        setTokens(tokenData.tokens);
      },
      (error: unknown) => {
        if (!cancelled) setLoadError(error);
      },
    );
    return () => {
      cancelled = true;
    };
  }, []);

  const roomNames = useMemo(() => new Map((rooms ?? []).map((r) => [r.id, r.name])), [rooms]);

  async function revoke(token: EnrolmentToken) {
    await rows.run(token.id, async () => {
      const updated = await api.post<EnrolmentToken>(`/api/enrolment-tokens/${token.id}/revoke`);
      setTokens((current) => (current ?? []).map((t) => (t.id === updated.id ? updated : t)));
    });
  }

  return (
    <>
      <h1>{t('enrolment.title')}</h1>
      <p className="lead">{t('enrolment.lead')}</p>
      <ErrorAlert error={loadError} />
      {rooms !== null && rooms.length === 0 ? (
        <p className="empty">
          <Trans i18nKey="enrolment.noRooms" components={{ link: <Link to="/rooms" /> }} />
        </p>
      ) : (
        rooms !== null && (
          <CreateTokenForm
            rooms={rooms}
            onCreated={(token) => {
              setCreated({ token, roomName: roomNames.get(token.roomId) ?? t('enrolment.theRoom') });
              setTokens((current) => [token, ...(current ?? [])]);
            }}
          />
        )
      )}
      {created !== null && <NewTokenPanel token={created.token.token} roomName={created.roomName} />}

      <section>
        <h2 id="tokens-heading">{t('enrolment.tokens')}</h2>
        <ErrorAlert error={rows.error} />
        {tokens === null ? (
          loadError === null && <p className="muted">{t('enrolment.loading')}</p>
        ) : tokens.length === 0 ? (
          <p className="empty">{t('enrolment.noTokens')}</p>
        ) : (
          <DataTable
            label={t('enrolment.tokens')}
            rows={tokens}
            rowKey={(token) => token.id}
            rowProps={(token) => ({ 'data-token-id': token.id })}
            columns={[
              {
                key: 'label',
                header: t('enrolment.columns.label'),
                rowHeader: true,
                cell: (token) =>
                  token.label ?? (
                    <span className="muted">{t('enrolment.noLabel', { id: token.id.slice(0, 8) })}</span>
                  ),
              },
              {
                key: 'room',
                header: t('common.room'),
                cell: (token) => roomNames.get(token.roomId) ?? t('common.unknownRoom'),
              },
              {
                key: 'created',
                header: t('enrolment.columns.created'),
                cell: (token) => <DateTime iso={token.createdAt} />,
              },
              {
                key: 'expires',
                header: t('enrolment.columns.expires'),
                cell: (token) => <DateTime iso={token.expiresAt} />,
              },
              {
                key: 'uses',
                header: t('enrolment.columns.uses'),
                cell: (token) =>
                  token.maxUses === null
                    ? token.uses
                    : t('enrolment.usesOf', { uses: token.uses, max: token.maxUses }),
              },
              {
                key: 'usedBy',
                header: t('enrolment.columns.usedBy'),
                cell: (token) =>
                  (token.usedBy ?? []).length === 0 ? (
                    <span className="muted">{t('enrolment.usedByNone')}</span>
                  ) : (
                    <ul className="plain-list" data-testid="token-used-by">
                      {(token.usedBy ?? []).map((d) => (
                        <li key={d.deviceId}>
                          {d.hostname} (<DateTime iso={d.enrolledAt} />)
                          {d.revoked && <> {t('enrolment.usedByRevoked')}</>}
                        </li>
                      ))}
                    </ul>
                  ),
              },
              {
                key: 'state',
                header: t('enrolment.columns.state'),
                cell: (token) => {
                  const state = tokenState(token, now);
                  return (
                    <span className={`badge badge-${state === 'active' ? 'good' : 'neutral'}`}>
                      {t(`enrolment.state.${state}`)}
                    </span>
                  );
                },
              },
              {
                key: 'actions',
                header: t('common.actions'),
                hideHeader: true,
                cell: (token) =>
                  tokenState(token, now) === 'active' && (
                    <button
                      type="button"
                      className="button button-danger button-small"
                      onClick={() => void revoke(token)}
                      disabled={rows.busyId === token.id}
                      aria-label={t('enrolment.revokeLabel', { name: tokenName(token) })}
                    >
                      {t('devices.revoke')}
                    </button>
                  ),
              },
            ]}
          />
        )}
      </section>
    </>
  );
}

function checkWholeNumber(text: string, min: number, max: number, path: string, message: string): void {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new ApiRequestError(0, 'validation_failed', message, [{ path, message }]);
  }
}

function CreateTokenForm({ rooms, onCreated }: { rooms: Room[]; onCreated: (token: CreatedToken) => void }) {
  const [roomId, setRoomId] = useState(rooms[0]?.id ?? '');
  const [label, setLabel] = useState('');
  const [hours, setHours] = useState('168');
  const [maxUses, setMaxUses] = useState(String(defaultEnrolmentUses));
  const { busy, error, run } = useSubmit();
  const { t } = useTranslation();

  const options = useMemo(() => rooms.map((r) => ({ value: r.id, label: r.name })), [rooms]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await run(async () => {
      const body: Record<string, unknown> = { roomId };
      if (label.trim() !== '') body.label = label;
      if (hours.trim() !== '') body.expiresInHours = Number(hours);
      if (maxUses.trim() !== '') body.maxUses = Number(maxUses);
      checkWholeNumber(hours, 1, 24 * 90, 'expiresInHours', t('enrolment.form.hoursInvalid'));
      checkWholeNumber(maxUses, 1, 10_000, 'maxUses', t('enrolment.form.maxInvalid'));
      checkForm(createEnrolmentTokenRequestSchema, body);
      const token = await api.post<CreatedToken>('/api/enrolment-tokens', body);
      onCreated(token);
      setLabel('');
      setMaxUses(String(defaultEnrolmentUses));
    });
  }

  return (
    <section className="panel">
      <h2 id="new-token-heading">{t('enrolment.form.title')}</h2>
      <FormProblems error={error}>
        <form onSubmit={submit} noValidate>
          <SelectField
            label={t('common.room')}
            name="roomId"
            value={roomId}
            onChange={setRoomId}
            options={options}
            required
          />
          <TextField
            label={t('enrolment.form.label')}
            name="label"
            hint={t('enrolment.form.labelHint')}
            value={label}
            onChange={setLabel}
          />
          <TextField
            label={t('enrolment.form.hours')}
            name="expiresInHours"
            invalid={t('enrolment.form.hoursInvalid')}
            type="number"
            inputMode="numeric"
            hint={t('enrolment.form.hoursHint')}
            min={1}
            max={24 * 90}
            value={hours}
            onChange={setHours}
            required
          />
          <TextField
            label={t('enrolment.form.max')}
            name="maxUses"
            invalid={t('enrolment.form.maxInvalid')}
            type="number"
            inputMode="numeric"
            hint={t('enrolment.form.maxHint')}
            min={1}
            max={10_000}
            value={maxUses}
            onChange={setMaxUses}
            required
          />
          <ErrorAlert error={error} />
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('enrolment.form.submit')}
          </button>
        </form>
      </FormProblems>
    </section>
  );
}
