/**
 * The staff PIN's form (a teacher types it on a classroom computer to release a covered
 * screen, docs/tell.md), one for the trust's PIN and for a school's own (docs/trust.md): a
 * password field kept out of the browser's saved passwords, and the set button. `onSet` gets
 * what was typed; the field empties once it resolves, and keeps what was typed if it rejects
 * (the page shows why).
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { TextField } from '../components/Field';

export function StaffPinForm({
  label,
  onSet,
}: {
  label: string;
  onSet: (pin: string) => Promise<unknown> | void;
}) {
  const { t } = useTranslation();
  const [pin, setPin] = useState('');
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        Promise.resolve(onSet(pin)).then(
          () => setPin(''),
          () => undefined,
        );
      }}
      noValidate
    >
      <TextField
        label={label}
        name="pin"
        invalid={t('safeguarding.cover.pinInvalid')}
        type="password"
        inputMode="numeric"
        autoComplete="new-password"
        value={pin}
        onChange={setPin}
      />
      <button type="submit" className="button">
        {t('safeguarding.cover.setPin')}
      </button>
    </form>
  );
}
