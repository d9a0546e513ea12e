import type { Kysely } from 'kysely';

// Issue 17: trustworthy staff accounts, a second factor, single sign-on.
export async function up(db: Kysely<unknown>): Promise<void> {
  const userColumns: [string, 'text' | 'integer', number | null][] = [
    // 1 while the password is a temporary one an admin set: it must be changed at next sign-in.
    ['password_must_change', 'integer', 0],
    ['password_changed_at', 'text', null],
    // Per-account lockout: wrong passwords or codes in a row, and until when sign-in is refused.
    ['failed_sign_ins', 'integer', 0],
    ['locked_until', 'text', null],
    // TOTP: the secret sealed with a key kept outside the database (core/keys.ts), the last
    // time step used (a code is good once), when it was confirmed.
    ['totp_secret', 'text', null],
    ['totp_last_step', 'integer', null],
    ['totp_enrolled_at', 'text', null],
    // Single sign-on: the provider's stable subject (`issuer sub`), once the account has used it.
    ['sso_subject', 'text', null],
  ];
  for (const [name, type, fallback] of userColumns) {
    await db.schema
      .alterTable('users')
      .addColumn(name, type, (c) => (fallback === null ? c : c.notNull().defaultTo(fallback)))
      .execute();
  }
  await db.schema.createIndex('users_sso_subject').unique().on('users').column('sso_subject').execute();

  // A session's second factor: when it was proven (null: not in this session). A session in
  // `stage` 'second_factor' is only a pending sign-in: it reads nothing until the code is given.
  await db.schema.alterTable('sessions').addColumn('second_factor_at', 'text').execute();
  await db.schema
    .alterTable('sessions')
    .addColumn('stage', 'text', (c) => c.notNull().defaultTo('full'))
    .execute();
  await db.schema.alterTable('sessions').addColumn('via', 'text').execute();

  await db.schema
    .createTable('recovery_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();
  await db.schema.createIndex('recovery_codes_user').on('recovery_codes').column('user_id').execute();

  // One-use links an admin makes for someone to choose a new password.
  await db.schema
    .createTable('password_resets')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .execute();

  // School-wide sign-in settings (second factor for everyone, local passwords, SSO).
  await db.schema
    .createTable('identity_settings')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .execute();

  // An SSO sign-in on its way through the provider: PKCE verifier, state and nonce.
  await db.schema
    .createTable('sso_requests')
    .addColumn('state', 'text', (c) => c.primaryKey())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['sso_requests', 'identity_settings', 'password_resets', 'recovery_codes'])
    await db.schema.dropTable(t).execute();
  await db.schema.dropIndex('users_sso_subject').execute();
  for (const c of ['via', 'stage', 'second_factor_at'])
    await db.schema.alterTable('sessions').dropColumn(c).execute();
  for (const c of [
    'sso_subject',
    'totp_enrolled_at',
    'totp_last_step',
    'totp_secret',
    'locked_until',
    'failed_sign_ins',
    'password_changed_at',
    'password_must_change',
  ])
    await db.schema.alterTable('users').dropColumn(c).execute();
}
