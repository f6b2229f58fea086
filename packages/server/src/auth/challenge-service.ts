import type { EphemeralStore } from '../cache/ephemeral-store.js';
import type { Clock } from '../clock/clock.js';
import { randomId } from '../crypto/random-id.js';
import { AuthError } from '../errors/auth-error.js';
import { captchaAnswerMatches, normaliseCaptchaAnswer } from './captcha/captcha-answer.js';
import type { CaptchaProvider, DrawnCaptcha } from './captcha/captcha-provider.js';

/** What the server remembers of a challenge `t`. */
interface ChallengeState {
  /** Unix ms of expiry. */
  exp: number;
  /** The captcha answer (normalised), once an image was drawn. */
  answer?: string;
}

const key = (t: string) => `challenge:${t}`;

/**
 * Login challenges (seed 000's `t`): one-time, short-lived values to which a
 * captcha image is bound. Drawing a new image voids the previous answer; a
 * login consumes the challenge whatever its outcome.
 */
export class ChallengeService {
  constructor(
    private readonly ephemeral: EphemeralStore,
    private readonly clock: Clock,
    private readonly ttlSeconds: number,
    /** Draws the images; the answers stay here. */
    private readonly captcha: CaptchaProvider,
  ) {}

  /** Creates a challenge; returns `t` and its lifetime in seconds. */
  async issue(): Promise<{ t: string; expiresIn: number }> {
    const t = randomId(18);
    const state: ChallengeState = { exp: this.clock.now() + this.ttlSeconds * 1000 };
    await this.ephemeral.set(key(t), JSON.stringify(state), this.ttlSeconds * 1000);
    return { t, expiresIn: this.ttlSeconds };
  }

  /** Draws a new captcha for `t` (voiding the previous one); returns the image, never the answer. */
  async drawCaptcha(t: string): Promise<Omit<DrawnCaptcha, 'answer'>> {
    const state = await this.read(t);
    const { answer, image, mime } = await this.captcha.draw();
    const next: ChallengeState = { exp: state.exp, answer: normaliseCaptchaAnswer(answer) };
    const left = state.exp - this.clock.now();
    if (left <= 0 || !(await this.ephemeral.replace(key(t), JSON.stringify(next), left))) throw new AuthError('CHALLENGE_INVALID');
    return { image, mime };
  }

  /**
   * Consumes `t` and checks the captcha when `checkCaptcha` is set.
   * Throws CHALLENGE_INVALID for a missing/unknown/expired/used `t`, CAPTCHA_WRONG for a wrong answer.
   */
  async consume(t: string | undefined, captcha: string | undefined, checkCaptcha: boolean): Promise<void> {
    if (!t || t.length > 64) throw new AuthError('CHALLENGE_INVALID');
    const raw = await this.ephemeral.take(key(t));
    const state = raw ? (JSON.parse(raw) as ChallengeState) : undefined;
    if (!state || state.exp <= this.clock.now()) throw new AuthError('CHALLENGE_INVALID');
    if (!checkCaptcha) return;
    if (!state.answer || !captchaAnswerMatches(state.answer, captcha)) throw new AuthError('CAPTCHA_WRONG');
  }

  /** Throws CHALLENGE_INVALID unless `t` is a live challenge: one read, so that junk is refused before it is counted. */
  async assertLive(t: string): Promise<void> {
    await this.read(t);
  }

  private async read(t: string): Promise<ChallengeState> {
    const raw = t.length <= 64 ? await this.ephemeral.get(key(t)) : undefined;
    const state = raw ? (JSON.parse(raw) as ChallengeState) : undefined;
    if (!state || state.exp <= this.clock.now()) throw new AuthError('CHALLENGE_INVALID');
    return state;
  }
}
