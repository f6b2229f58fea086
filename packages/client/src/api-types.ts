export type { CompanyView, MeView, SessionView } from '@duotoken/protocol';

/** A login challenge (`GET /auth/get_t`), with the captcha URL made absolute. */
export interface LoginChallenge {
  t: string;
  /** Seconds the challenge stays valid. */
  expiresIn: number;
  /** Whether the server wants a captcha with this login. */
  captchaRequired: boolean;
  /** URL of the captcha image bound to `t`; see `AuthClient.captchaUrl` for a redraw. */
  captchaUrl: string;
}
