// Opens the key store exactly as the `keygate` CLI does, so that keys made with one work on the
// other.
export {
  DEFAULT_STORE_URL,
  type OpenedKeyStore,
  openKeyStore,
  peppersFromEnvironment,
} from '@keygate/cli';
