import { Type } from 'typebox';
import { MMM_ACCESS_HEADER, MMM_REFRESH_HEADER } from './mmm-format.js';

/** mmm's token pair (in `data`). */
export const MmmTokenPair = Type.Object({
  access_token: Type.String(),
  expires_in: Type.Integer({ description: 'unix seconds at which the access token expires (absolute, as seed 002 says)' }),
  refresh_token: Type.String(),
  refresh_expires: Type.Integer({ description: 'unix seconds at which the refresh token expires' }),
});

/** `POST /auth/login` body of seed 002 (`company_id` and `device_type` are optional duotoken extras). */
export const MmmLoginBody = Type.Object({
  account: Type.String({ minLength: 1, maxLength: 128 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
  company_id: Type.Optional(Type.Integer({ minimum: 1 })),
  device_type: Type.Optional(Type.String({ maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' })),
  /** A remembered device's token (SPEC §9). */
  device_token: Type.Optional(Type.String({ maxLength: 256 })),
});

const token = (description: string) => Type.Optional(Type.String({ maxLength: 8192, description }));

/** The mmm headers, documented on each route (both optional here: their absence has its own error code). */
export const MmmHeaders = Type.Object({
  [MMM_ACCESS_HEADER]: token('access token'),
  [MMM_REFRESH_HEADER]: token('refresh token: lets an expired access token be answered with 10026 and a new pair'),
});

/** Headers of the refresh route. */
export const MmmRefreshHeaders = Type.Object({ [MMM_REFRESH_HEADER]: token('refresh token') });
