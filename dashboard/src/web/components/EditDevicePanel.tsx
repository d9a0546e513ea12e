import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { InventoryDevice, Room, UpdateDeviceRequest } from '@harbour/shared';
import { api } from '../api';
import { ErrorAlert } from './ErrorAlert';
import { SelectField, TextField } from './Field';
import { FormProblems } from './formProblems';
import { useSubmit } from './useAction';

/** Rename a device or move it to another room. What was typed is kept when the server refuses it. */
export function EditDevicePanel({
  device,
  rooms,
  onSaved,
  onCancel,
}: {
  device: InventoryDevice;
  rooms: Room[];
  onSaved: (device: InventoryDevice, change: UpdateDeviceRequest) => void;
  onCancel: () => void;
}) {
  const [name, setName] = useState(device.hostname);
  const [roomId, setRoomId] = useState(device.roomId);
  const { busy, error, run } = useSubmit();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const { t } = useTranslation();

  useEffect(() => {
    headingRef.current?.focus();
  }, [device.id]);

  async function save(event: FormEvent) {
    event.preventDefault();
    const change: UpdateDeviceRequest = {};
    if (name !== device.hostname) change.hostname = name;
    if (roomId !== device.roomId) change.roomId = roomId;
    if (change.hostname === undefined && change.roomId === undefined) {
      onCancel();
      return;
    }
    await run(async () => {
      onSaved(await api.patch<InventoryDevice>(`/api/devices/${device.id}`, change), change);
    });
  }

  return (
    <section className="panel panel-highlight" aria-labelledby="edit-device-heading">
      <h2 id="edit-device-heading" ref={headingRef} tabIndex={-1}>
        {t('devices.edit.title', { name: device.hostname })}
      </h2>
      <ErrorAlert error={error} />
      <FormProblems error={error}>
        <form onSubmit={(e) => void save(e)} className="inline-form" noValidate>
          <TextField
            label={t('devices.edit.name')}
            name="hostname"
            invalid={t('devices.edit.nameInvalid')}
            value={name}
            onChange={setName}
            required
          />
          <SelectField
            label={t('common.room')}
            name="roomId"
            value={roomId}
            onChange={setRoomId}
            options={rooms.map((r) => ({ value: r.id, label: r.name }))}
          />
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('devices.edit.save')}
          </button>
          <button type="button" className="button" onClick={onCancel}>
            {t('common.cancel')}
          </button>
        </form>
      </FormProblems>
    </section>
  );
}
