/**
 * The mail server of the "a concern is waiting" email (docs/incidents.md), one form for the
 * trust's own server and for a school's own (docs/trust.md): the same fields, and the same
 * parsing of what is typed into the body the server takes (the port as a number, TLS on 465,
 * the recipients split at commas, username and password only when given). Each page says what
 * it is about (`children`, above the fields), labels its save button and says what else may be
 * done (`actions`, after it).
 */
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { SafeguardingSettings } from '@harbour/shared';
import { TextField } from '../components/Field';

type Smtp = NonNullable<SafeguardingSettings['smtp']>;
type Fields = { host: string; port: string; username: string; password: string; from: string; to: string };

const empty: Fields = { host: '', port: '587', username: '', password: '', from: '', to: '' };

const fieldsOf = (smtp: Smtp): Fields => ({
  host: smtp.host,
  port: String(smtp.port),
  username: smtp.username ?? '',
  // The server sends back a mask, which it reads as "keep the one stored".
  password: smtp.password ?? '',
  from: smtp.from,
  to: smtp.to.join(', '),
});

const bodyOf = (f: Fields): Smtp => ({
  host: f.host,
  port: Number(f.port),
  secure: Number(f.port) === 465,
  ...(f.username ? { username: f.username } : {}),
  ...(f.password ? { password: f.password } : {}),
  from: f.from,
  to: f.to
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
});

export function SmtpForm({
  shown,
  emptyWhenNone = false,
  saveLabel,
  onSave,
  children,
  actions,
}: {
  /** The server the form starts from (again whenever it changes). */
  shown: Smtp | null;
  /**
   * With no server shown, empty the fields; otherwise they keep what they had (the trust's
   * form after "Turn email off", as before).
   */
  emptyWhenNone?: boolean;
  saveLabel: string;
  onSave: (smtp: Smtp) => void;
  children?: ReactNode;
  actions?: ReactNode;
}) {
  const { t } = useTranslation();
  const [smtp, setSmtp] = useState(empty);

  useEffect(() => {
    if (shown) setSmtp(fieldsOf(shown));
    else if (emptyWhenNone) setSmtp(empty);
  }, [shown, emptyWhenNone]);

  const field = (key: keyof Fields) => ({
    name: `smtp.${key}`,
    value: smtp[key],
    onChange: (v: string) => setSmtp((s) => ({ ...s, [key]: v })),
  });

  return (
    <section className="panel">
      <h2>{t('safeguarding.email.title')}</h2>
      {children}
      <TextField label={t('safeguarding.email.host')} {...field('host')} />
      <TextField label={t('safeguarding.email.port')} type="number" {...field('port')} />
      <TextField label={t('safeguarding.email.username')} {...field('username')} />
      <TextField label={t('login.password')} type="password" {...field('password')} />
      <TextField label={t('safeguarding.email.from')} type="email" {...field('from')} />
      <TextField label={t('safeguarding.email.to')} {...field('to')} />
      <div className="toolbar">
        <button type="button" className="button button-primary" onClick={() => onSave(bodyOf(smtp))}>
          {saveLabel}
        </button>
        {actions}
      </div>
    </section>
  );
}
