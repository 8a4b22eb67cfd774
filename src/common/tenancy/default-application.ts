/**
 * The application that everything naming no application belongs to (contract §7): created by the migration that
 * added applications, with this fixed id, which the columns' defaults name too.
 */
export const DEFAULT_APPLICATION_ID = '00000000-0000-7000-8000-000000000001';
export const DEFAULT_APPLICATION_UID = 'default';

/** An application's uid (contract §7.1): the first segment of its webhook URLs. */
export const APPLICATION_UID_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;
