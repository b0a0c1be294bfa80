// Shared with the keystore (KEYSTORE_TRUSTED_PROXIES): one walk of X-Forwarded-For for both apps.
export { ClientAddresses, toBlockList } from '@routemcp/internal-api';
