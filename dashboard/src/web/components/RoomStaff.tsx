import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api';
import { ErrorAlert } from './ErrorAlert';

interface StaffOption {
  id: string;
  displayName: string;
  role: string;
}

/** Which teachers may supervise this room (admins and the DSL decide). */
export function RoomStaff({ roomId }: { roomId: string }) {
  const [staff, setStaff] = useState<StaffOption[] | null>(null);
  const [allowed, setAllowed] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const { t } = useTranslation();

  useEffect(() => {
    let live = true;
    Promise.all([
      api.get<{ staff: StaffOption[] }>('/api/supervision/staff'),
      api.get<{ userIds: string[] }>(`/api/rooms/${roomId}/staff`),
    ]).then(
      ([s, a]) => {
        if (!live) return;
        setStaff(s.staff);
        setAllowed(a.userIds);
      },
      (err: unknown) => live && setError(err),
    );
    return () => {
      live = false;
    };
  }, [roomId]);

  const save = async (next: string[]) => {
    setError(null);
    setSaved(false);
    const previous = allowed;
    setAllowed(next);
    try {
      await api.put(`/api/rooms/${roomId}/staff`, { userIds: next });
      setSaved(true);
    } catch (err) {
      setAllowed(previous);
      setError(err);
    }
  };

  const teachers = staff?.filter((s) => s.role === 'teacher') ?? [];
  return (
    <details className="room-staff">
      <summary>{t('room.staff.title')}</summary>
      <ErrorAlert error={error} />
      {staff !== null && teachers.length === 0 && <p>{t('room.staff.noTeachers')}</p>}
      <ul className="checkbox-list">
        {teachers.map((t) => (
          <li key={t.id}>
            <label>
              <input
                type="checkbox"
                checked={allowed.includes(t.id)}
                onChange={(e) =>
                  void save(e.target.checked ? [...allowed, t.id] : allowed.filter((id) => id !== t.id))
                }
              />{' '}
              {t.displayName}
            </label>
          </li>
        ))}
      </ul>
      <p className="hint" aria-live="polite">
        {saved ? t('common.saved') : t('room.staff.dslAny')}
      </p>
    </details>
  );
}
