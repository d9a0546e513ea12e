import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { createSchoolRequestSchema, updateSchoolRequestSchema, type School } from '@harbour/shared';
import { api } from '../api';
import { DataTable } from '../components/DataTable';
import { ErrorAlert } from '../components/ErrorAlert';
import { TextField } from '../components/Field';
import { FormProblems } from '../components/formProblems';
import { useSubmit } from '../components/useAction';
import { usePageTitle } from '../components/usePageTitle';
import { useLoad } from '../incidents/useLoad';
import { bySchoolName } from '../schools';
import { checkForm } from '../validate';

/**
 * The trust's schools (docs/trust.md): a trust-level admin lists them, adds one, renames one or
 * changes its code. The route shows this page to trust-level admins only; the server refuses
 * anyone else's changes too.
 */
export function SchoolsPage() {
  const { t } = useTranslation();
  usePageTitle(t('schools.title'));
  const { data, error: loadError, set } = useLoad<{ schools: School[] }>('/api/schools');
  const schools = data === null ? null : data.schools.slice().sort(bySchoolName);
  const [editing, setEditing] = useState<School | null>(null);
  const [confirmation, setConfirmation] = useState<string | null>(null);

  function put(school: School) {
    set((current) => ({
      schools: [...(current?.schools ?? []).filter((s) => s.id !== school.id), school],
    }));
  }

  return (
    <>
      <h1>{t('schools.title')}</h1>
      <p className="lead">{t('schools.lead')}</p>
      <ErrorAlert error={loadError} />
      <div role="status" className="confirmation">
        {confirmation !== null && <p>{confirmation}</p>}
      </div>
      {schools === null ? (
        loadError === null && <p className="muted">{t('schools.loading')}</p>
      ) : (
        <DataTable
          label={t('schools.title')}
          rows={schools}
          rowKey={(s) => String(s.id)}
          rowProps={(s) => ({ 'data-school-id': String(s.id) })}
          columns={[
            { key: 'name', header: t('schools.name'), rowHeader: true, cell: (s) => s.name },
            { key: 'code', header: t('schools.code'), cell: (s) => <code>{s.code}</code> },
            {
              key: 'actions',
              header: t('common.actions'),
              hideHeader: true,
              cell: (s) => (
                <button
                  type="button"
                  className="button button-small"
                  aria-expanded={editing?.id === s.id}
                  onClick={() => {
                    setConfirmation(null);
                    setEditing(editing?.id === s.id ? null : s);
                  }}
                >
                  {t('schools.edit.open', { name: s.name })}
                </button>
              ),
            },
          ]}
        />
      )}
      {editing !== null && (
        <EditSchool
          key={editing.id}
          school={editing}
          onClose={() => setEditing(null)}
          onSaved={(school) => {
            put(school);
            setEditing(null);
            setConfirmation(t('schools.edit.saved', { name: school.name }));
          }}
        />
      )}
      <CreateSchoolForm
        onCreated={(school) => {
          put(school);
          setConfirmation(t('schools.add.created', { name: school.name }));
        }}
      />
    </>
  );
}

/** A school's name and code, as both the add and the change forms ask for them. */
function SchoolFields(props: {
  name: string;
  setName: (value: string) => void;
  code: string;
  setCode: (value: string) => void;
  /** Said after the code's usual hint (changing a code). */
  codeHint?: string;
}) {
  const { t } = useTranslation();
  return (
    <>
      <TextField
        label={t('schools.name')}
        name="name"
        invalid={t('schools.nameInvalid')}
        autoComplete="off"
        value={props.name}
        onChange={props.setName}
        required
      />
      <TextField
        label={t('schools.code')}
        name="code"
        invalid={t('schools.codeInvalid')}
        hint={props.codeHint ? `${t('schools.codeHint')} ${props.codeHint}` : t('schools.codeHint')}
        autoComplete="off"
        spellCheck={false}
        value={props.code}
        onChange={props.setCode}
        required
      />
    </>
  );
}

function CreateSchoolForm({ onCreated }: { onCreated: (school: School) => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [code, setCode] = useState('');
  const { busy, error, run } = useSubmit();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await run(async () => {
      const body = { name, code: code.trim() };
      checkForm(createSchoolRequestSchema, body);
      const school = await api.post<School>('/api/schools', body);
      onCreated(school);
      setName('');
      setCode('');
    });
  }

  return (
    <section className="panel" aria-labelledby="add-school">
      <h2 id="add-school">{t('schools.add.title')}</h2>
      <FormProblems error={error}>
        <form onSubmit={submit} noValidate>
          <SchoolFields name={name} setName={setName} code={code} setCode={setCode} />
          <ErrorAlert error={error} secondFactorGuards="schools" />
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('schools.add.submit')}
          </button>
        </form>
      </FormProblems>
    </section>
  );
}

/** Rename a school or change its code; only what changed is sent. */
function EditSchool({
  school,
  onClose,
  onSaved,
}: {
  school: School;
  onClose: () => void;
  onSaved: (school: School) => void;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState(school.name);
  const [code, setCode] = useState(school.code);
  const { busy, error, run } = useSubmit();
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => heading.current?.focus(), []);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    await run(async () => {
      const body = {
        ...(name !== school.name && { name }),
        ...(code.trim() !== school.code && { code: code.trim() }),
      };
      if (Object.keys(body).length === 0) {
        onClose();
        return;
      }
      checkForm(updateSchoolRequestSchema, body);
      onSaved(await api.patch<School>(`/api/schools/${school.id}`, body));
    });
  }

  return (
    <section className="panel panel-highlight" aria-labelledby="edit-school">
      <h2 id="edit-school" ref={heading} tabIndex={-1}>
        {t('schools.edit.title', { name: school.name })}
      </h2>
      <FormProblems error={error}>
        <form onSubmit={submit} noValidate>
          <SchoolFields
            name={name}
            setName={setName}
            code={code}
            setCode={setCode}
            codeHint={t('schools.edit.codeHint')}
          />
          <ErrorAlert error={error} secondFactorGuards="schools" />
          <p className="button-row">
            <button type="submit" className="button button-primary" disabled={busy}>
              {t('common.save')}
            </button>
            <button type="button" className="button" onClick={onClose}>
              {t('common.cancel')}
            </button>
          </p>
        </form>
      </FormProblems>
    </section>
  );
}
