import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { createEnrolmentTokenRequestSchema, type EnrolmentToken, type Room } from '@harbour/shared';
import { ApiRequestError, api } from '../api';
import { ErrorAlert } from '../components/ErrorAlert';
import { SelectField, TextField } from '../components/Field';
import { NewTokenPanel } from '../components/NewTokenPanel';
import { DateTime, useNow } from '../components/time';
import { useRowAction, useSubmit } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';
import { checkForm } from '../validate';

type CreatedToken = EnrolmentToken & { token: string };
type TokenState = 'Active' | 'Expired' | 'Revoked' | 'Used up';

function tokenState(token: EnrolmentToken, now: number): TokenState {
  if (token.revokedAt !== null) return 'Revoked';
  if (new Date(token.expiresAt).getTime() <= now) return 'Expired';
  if (token.maxUses !== null && token.uses >= token.maxUses) return 'Used up';
  return 'Active';
}

/** How staff can tell tokens apart: the label, or the start of the id. */
export function tokenName(token: EnrolmentToken): string {
  return token.label ?? token.id.slice(0, 8);
}

export function EnrolmentPage() {
  usePageTitle('Enrol devices');
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
      <h1>Enrol devices</h1>
      <p className="lead">
        To add a computer to Harbour, create an enrolment token for its room, then run the Harbour agent on
        the computer with that token. One token can enrol a whole suite of computers until it expires.
      </p>
      <ErrorAlert error={loadError} />
      {rooms !== null && rooms.length === 0 ? (
        <p className="empty">
          There are no rooms yet. <Link to="/rooms">Create a room</Link> first, then come back to enrol its
          computers.
        </p>
      ) : (
        rooms !== null && (
          <CreateTokenForm
            rooms={rooms}
            onCreated={(token) => {
              setCreated({ token, roomName: roomNames.get(token.roomId) ?? 'the room' });
              setTokens((current) => [token, ...(current ?? [])]);
            }}
          />
        )
      )}
      {created !== null && <NewTokenPanel token={created.token.token} roomName={created.roomName} />}

      <section>
        <h2 id="tokens-heading">Enrolment tokens</h2>
        <ErrorAlert error={rows.error} />
        {tokens === null ? (
          loadError === null && <p className="muted">Loading tokens…</p>
        ) : tokens.length === 0 ? (
          <p className="empty">No enrolment tokens yet.</p>
        ) : (
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Label</th>
                  <th scope="col">Room</th>
                  <th scope="col">Created</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Uses</th>
                  <th scope="col">State</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {tokens.map((token) => {
                  const state = tokenState(token, now);
                  return (
                    <tr key={token.id} data-token-id={token.id}>
                      <th scope="row">
                        {token.label ?? <span className="muted">No label ({token.id.slice(0, 8)})</span>}
                      </th>
                      <td>{roomNames.get(token.roomId) ?? 'Unknown room'}</td>
                      <td>
                        <DateTime iso={token.createdAt} />
                      </td>
                      <td>
                        <DateTime iso={token.expiresAt} />
                      </td>
                      <td>{token.maxUses === null ? token.uses : `${token.uses} of ${token.maxUses}`}</td>
                      <td>
                        <span className={`badge badge-${state === 'Active' ? 'good' : 'neutral'}`}>
                          {state}
                        </span>
                      </td>
                      <td>
                        {state === 'Active' && (
                          <button
                            type="button"
                            className="button button-danger button-small"
                            onClick={() => void revoke(token)}
                            disabled={rows.busyId === token.id}
                            aria-label={`Revoke token ${tokenName(token)}`}
                          >
                            Revoke
                          </button>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}

function checkWholeNumber(text: string, min: number, max: number, message: string): void {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < min || value > max) {
    throw new ApiRequestError(0, 'validation_failed', message);
  }
}

function CreateTokenForm({ rooms, onCreated }: { rooms: Room[]; onCreated: (token: CreatedToken) => void }) {
  const [roomId, setRoomId] = useState(rooms[0]?.id ?? '');
  const [label, setLabel] = useState('');
  const [hours, setHours] = useState('168');
  const [maxUses, setMaxUses] = useState('');
  const { busy, error, run } = useSubmit();

  const options = useMemo(() => rooms.map((r) => ({ value: r.id, label: r.name })), [rooms]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await run(async () => {
      const body: Record<string, unknown> = { roomId };
      if (label.trim() !== '') body.label = label;
      if (hours.trim() !== '') body.expiresInHours = Number(hours);
      if (maxUses.trim() !== '') body.maxUses = Number(maxUses);
      checkWholeNumber(hours, 1, 24 * 90, '“Valid for” must be a whole number of hours from 1 to 2160.');
      if (maxUses.trim() !== '') {
        checkWholeNumber(
          maxUses,
          1,
          10_000,
          '“Maximum devices” must be a whole number from 1 to 10,000, or empty.',
        );
      }
      checkForm(createEnrolmentTokenRequestSchema, body);
      const token = await api.post<CreatedToken>('/api/enrolment-tokens', body);
      onCreated(token);
      setLabel('');
      setMaxUses('');
    });
  }

  return (
    <section className="panel">
      <h2 id="new-token-heading">Create an enrolment token</h2>
      <form onSubmit={submit} noValidate>
        <SelectField label="Room" value={roomId} onChange={setRoomId} options={options} required />
        <TextField
          label="Label"
          hint="Optional. Helps you tell tokens apart, for example “ICT suite, spring term”."
          value={label}
          onChange={setLabel}
        />
        <TextField
          label="Valid for (hours)"
          type="number"
          inputMode="numeric"
          hint="168 hours is one week. At most 2160 (90 days)."
          min={1}
          max={24 * 90}
          value={hours}
          onChange={setHours}
          required
        />
        <TextField
          label="Maximum devices"
          type="number"
          inputMode="numeric"
          hint="Optional. Leave empty to allow any number of computers until the token expires."
          min={1}
          max={10_000}
          value={maxUses}
          onChange={setMaxUses}
        />
        <ErrorAlert error={error} />
        <button type="submit" className="button button-primary" disabled={busy}>
          Create token
        </button>
      </form>
    </section>
  );
}
