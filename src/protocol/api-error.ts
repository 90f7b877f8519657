/**
 * The error body of the service's HTTP answers (the API's non-2xx responses and rejected WebSocket upgrades):
 * `{"code", "message", "request_id"}`, read tolerantly.
 */

/** The service's JSON error body, as far as it could be read. */
export interface ApiErrorFields {
  code: string;
  message: string;
  requestId: string | undefined;
}

/** Reads `{code, message, request_id}` from an error body (JSON or not). */
export function parseApiError(text: string): ApiErrorFields {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      const o = parsed as Record<string, unknown>;
      const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
      return {
        code: str(o['code']) ?? str(o['error_code']) ?? '',
        message: str(o['message']) ?? str(o['error_message']) ?? '',
        requestId: str(o['request_id']),
      };
    }
  } catch {
    // not JSON: fall through
  }
  return { code: '', message: text.trim().slice(0, 500), requestId: undefined };
}
