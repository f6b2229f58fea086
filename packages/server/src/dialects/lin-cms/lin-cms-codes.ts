import { LIN_CMS_ERROR_MAP, linCmsAnswer, type ErrorCode, type Language, type LinCmsCode } from '@duotoken/protocol';
import { AuthError } from '../../errors/auth-error.js';

/**
 * An AuthError whose lin-cms code depends on what the refresh route saw
 * (which token type it expects, whether the token was genuine). It is still
 * an AuthError, so other code and logs treat it as its internal `code`.
 *
 * @example throw new LinCmsError('REFRESH_TOKEN_INVALID', 10042)
 */
export class LinCmsError extends AuthError {
  constructor(
    code: ErrorCode,
    readonly linCode: LinCmsCode,
    options: { cause?: unknown } = {},
  ) {
    super(code, { ...options, message: `lin-cms ${linCode}` });
  }
}

/**
 * The lin-cms code, HTTP status and message of an AuthError that is not an
 * access refusal (those are answered from `ACCESS_REFUSALS`, the table the
 * verifiers answer from too): a `LinCmsError` by its code, anything else
 * from `LIN_CMS_ERROR_MAP`.
 */
export function linCmsWire(error: AuthError, lang: Language): { code: LinCmsCode; status: number; message: string } {
  const mapping = error instanceof LinCmsError ? { code: error.linCode } : LIN_CMS_ERROR_MAP[error.code];
  const answer = linCmsAnswer(mapping, lang);
  const field = error.details?.field;
  if (answer.code === 10030 && typeof field === 'string') answer.message = `${answer.message}: ${field}`;
  return answer;
}
