import { HttpException } from '@nestjs/common';

/** The body OpenAI's API answers an error with (what its clients parse into their error classes). */
export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** An error answered in OpenAI's shape: `{"error":{"message","type","param","code"}}`. */
export class OpenAIError extends HttpException {
  constructor(status: number, message: string, details: { param?: string | null; code?: string | null; type?: string } = {}) {
    super(openAIErrorBody(status, message, details), status);
  }
}

/** An invalid request (400), naming the parameter at fault. */
export function invalidRequest(message: string, param: string | null, code: string | null = null): OpenAIError {
  return new OpenAIError(400, message, { param, code });
}

export function openAIErrorBody(status: number, message: string, details: { param?: string | null; code?: string | null; type?: string } = {}): OpenAIErrorBody {
  return {
    error: {
      message,
      type: details.type ?? errorType(status),
      param: details.param ?? null,
      code: details.code ?? null,
    },
  };
}

/** OpenAI's error types by status. */
function errorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}
